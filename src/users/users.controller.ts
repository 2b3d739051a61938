import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Authorize } from '../auth/decorators/authorize.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { KNOWN_SCOPES } from '../config/scopes';
import { AuthenticatedUser } from '../tokens/token.types';
import { AppErrorCode } from '../common/errors/app-error';
import { ApiProblem } from '../common/openapi/api-problem.decorator';
import { EXAMPLE_USER_ID } from '../common/openapi/examples';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQuery } from './dto/list-users.query';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserPageDto } from './dto/user-page.dto';
import { UserAdminService } from './user-admin.service';
import { UserView } from './user.view';
import { UsersService } from './users.service';

const ApiNoSuchUser = () =>
  ApiProblem('No such user (or the id is not a UUID)', AppErrorCode.NotFound);
const ApiUserId = () =>
  ApiParam({ name: 'id', description: 'A user id', example: EXAMPLE_USER_ID });
const ApiLastAdmin = () =>
  ApiProblem('The change would leave no active admin', AppErrorCode.LastAdmin);
/** A 403 of the rules below, besides the missing scope. */
const ApiNotAllowed = (detail: string) =>
  ApiProblem('The rules below refuse this change', {
    code: AppErrorCode.Forbidden,
    name: 'not-allowed',
    detail,
  });
const UNKNOWN_SCOPE = `scopes must be known scopes (${KNOWN_SCOPES.join(', ')}); unknown: bogus:scope`;
const ID = new ParseUUIDPipe({ errorHttpStatusCode: 404 });
const SELF_RULE =
  'Nobody may change their own roles, scopes or active flag, or delete themselves (403); ' +
  'another admin must. ';
const SCOPE_ONLY_RULE =
  'A caller without role `admin` (scope `users:write` only) may not touch an admin, set roles, ' +
  'or add or remove a scope its own token does not hold (403). ';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly admin: UserAdminService,
  ) {}

  @Get()
  @Authorize({ scopes: ['users:read'] })
  @ApiOperation({
    operationId: 'listUsers',
    summary: 'List users, oldest first, a page at a time',
    description: 'Follow `nextCursor` until it is null.',
  })
  @ApiOkResponse({ description: 'A page of users', type: UserPageDto })
  @ApiProblem('`limit` or `cursor` out of range', {
    code: AppErrorCode.ValidationFailed,
    detail: 'limit must not be greater than 100',
  })
  async list(@Query() query: ListUsersQuery): Promise<UserPageDto> {
    const page = await this.users.list(query.limit ?? 20, query.cursor);
    return { items: page.items.map((u) => UserView.of(u)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Authorize({ scopes: ['users:read'] })
  @ApiOperation({ operationId: 'getUser', summary: 'One user' })
  @ApiUserId()
  @ApiOkResponse({ description: 'The user', type: UserView })
  @ApiNoSuchUser()
  async get(@Param('id', ID) id: string): Promise<UserView> {
    return UserView.of(await this.users.get(id));
  }

  @Post()
  @Authorize({ scopes: ['users:write'] })
  @HttpCode(201)
  @ApiOperation({
    operationId: 'createUser',
    summary: 'Create a user (the password policy applies)',
    description:
      'Only role `admin` may give roles; a caller with scope `users:write` but not role `admin` ' +
      'creates plain users only (`roles` absent or `["user"]`, else 403).',
  })
  @ApiCreatedResponse({ description: 'The new user', type: UserView })
  @ApiProblem(
    'A field is invalid, the password breaks the policy, or a scope is unknown; `errors` lists each',
    AppErrorCode.ValidationFailed,
  )
  @ApiNotAllowed('Only an admin may create a user with roles.')
  @ApiProblem(
    'The email or the username is taken',
    AppErrorCode.EmailTaken,
    AppErrorCode.UsernameTaken,
  )
  async create(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: CreateUserDto,
  ): Promise<UserView> {
    return UserView.of(await this.admin.create(caller, dto));
  }

  @Patch(':id')
  @Authorize({ scopes: ['users:write'] })
  @ApiOperation({
    operationId: 'updateUser',
    summary: 'Change roles, scopes or active; any change ends every session of the user',
    description: SELF_RULE + SCOPE_ONLY_RULE + 'Admins may change roles and grant any scope.',
  })
  @ApiUserId()
  @ApiOkResponse({ description: 'The user as changed', type: UserView })
  @ApiProblem('A field is invalid, or a scope is unknown', {
    code: AppErrorCode.ValidationFailed,
    detail: UNKNOWN_SCOPE,
    errors: [{ field: 'scopes', message: UNKNOWN_SCOPE }],
  })
  @ApiNotAllowed('You cannot change your own roles, scopes or active flag; ask an admin.')
  @ApiNoSuchUser()
  @ApiLastAdmin()
  async update(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', ID) id: string,
    @Body() dto: UpdateUserDto,
  ): Promise<UserView> {
    return UserView.of(await this.admin.update(caller, id, dto));
  }

  @Delete(':id')
  @Authorize({ scopes: ['users:write'] })
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteUser',
    summary: 'Delete a user; every session ends',
    description: SELF_RULE + SCOPE_ONLY_RULE,
  })
  @ApiUserId()
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotAllowed('You cannot delete yourself; ask an admin.')
  @ApiNoSuchUser()
  @ApiLastAdmin()
  async remove(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', ID) id: string,
  ): Promise<void> {
    await this.admin.delete(caller, id);
  }
}
