import { Inject, Injectable } from '@nestjs/common';
import { AppError, AppErrorCode } from '../common/errors/app-error';
import { appConfig, AppConfig } from '../config/configuration';
import { SessionsService } from '../tokens/sessions.service';
import { TokenService } from '../tokens/token.service';
import { AuthenticatedUser, ClientInfo, TokenResponse, TokenSubject } from '../tokens/token.types';
import { PasswordHasher } from '../users/password-hasher';
import { PasswordPolicy } from '../users/password-policy';
import { User } from '../users/user';
import { UsersService } from '../users/users.service';
import { LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';
import { grantScopes } from './scope-grant';

const INVALID_CREDENTIALS = 'Invalid credentials';

/** Sign-up, sign-in, refresh and password change: the flows that need both users and tokens. */
@Injectable()
export class AuthService {
  constructor(
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly tokens: TokenService,
    private readonly sessions: SessionsService,
  ) {}

  register(dto: RegisterDto): Promise<User> {
    if (this.app.registration === 'closed') {
      throw new AppError(AppErrorCode.RegistrationClosed, 'Registration is closed on this server.');
    }
    // Roles are never taken from the body: self-registered users are plain users.
    return this.users.create({ email: dto.email, username: dto.username, password: dto.password });
  }

  async login(dto: LoginDto, client: ClientInfo): Promise<TokenResponse> {
    const user = await this.verifyCredentials(dto.username, dto.password);
    return this.tokens.startSession(subjectOf(user), grantScopes(user, dto.scope), client);
  }

  /** The same 401 body, and one argon2 verification, whether the user is unknown, inactive or not. */
  async verifyCredentials(login: string, password: string): Promise<User> {
    const user = await this.users.findByLogin(login);
    if (!user || !user.active) {
      await this.hasher.verifyDummy(password);
      throw new AppError(AppErrorCode.InvalidCredentials, INVALID_CREDENTIALS);
    }
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      throw new AppError(AppErrorCode.InvalidCredentials, INVALID_CREDENTIALS);
    }
    if (this.hasher.needsRehash(user.passwordHash)) {
      // Parameters were raised since this hash was made: upgrade it while we know the password.
      await this.users.update(user.id, { passwordHash: await this.hasher.hash(password) });
    }
    return user;
  }

  async refresh(refreshToken: string): Promise<TokenResponse> {
    const { response } = await this.tokens.refresh(refreshToken, async (userId) => {
      const user = await this.users.findById(userId);
      return user?.active ? subjectOf(user) : null;
    });
    return response;
  }

  /** Changes the password; every other session ends, the current one stays. */
  async changePassword(caller: AuthenticatedUser, current: string, next: string): Promise<void> {
    const user = await this.users.get(caller.userId);
    if (!(await this.hasher.verify(user.passwordHash, current))) {
      throw new AppError(AppErrorCode.WrongPassword, 'The current password is wrong.');
    }
    this.policy.check(next, user, 'newPassword');
    await this.users.update(user.id, { passwordHash: await this.hasher.hash(next) });
    await this.sessions.endAll(user.id, caller.sessionId);
  }
}

function subjectOf(user: User): TokenSubject {
  return { id: user.id, roles: user.roles };
}
