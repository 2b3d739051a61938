import { Injectable } from '@nestjs/common';
import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError, AppErrorCode, FieldError } from '../common/errors/app-error';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

/**
 * One policy for register, password change and admin create (NIST SP 800-63B §3.1.1.2): length
 * 12-128 (argon2 hashes the whole string: no truncation), not the email or username, not one of
 * ~49 000 common passwords from @zxcvbn-ts/language-common.
 */
@Injectable()
export class PasswordPolicy {
  private readonly common = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

  /** Throws a 400 naming `field` when the password breaks the policy. */
  check(password: string, identity: { email: string; username: string }, field = 'password'): void {
    const problem = this.problem(password, identity);
    if (problem) {
      const errors: FieldError[] = [{ field, message: problem }];
      throw new AppError(AppErrorCode.ValidationFailed, problem, { errors });
    }
  }

  /** What is wrong with `password` (one line, never the password), or null when it passes. */
  problem(password: string, identity: { email: string; username: string }): string | null {
    const length = [...password].length;
    if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
      return `password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long`;
    }
    const lower = password.toLowerCase();
    if (lower === identity.email.toLowerCase() || lower === identity.username.toLowerCase()) {
      return 'password must not be your email or username';
    }
    if (this.common.has(lower)) return 'password is too common';
    return null;
  }
}
