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
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Authorize } from '../auth/decorators/authorize.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { AuthenticatedUser } from '../tokens/token.types';
import { ProblemResponse } from '../common/openapi/problem.schema';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQuery } from './dto/list-users.query';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserPageDto } from './dto/user-page.dto';
import { UserAdminService } from './user-admin.service';
import { UserView } from './user.view';
import { UsersService } from './users.service';

const NOT_FOUND = { description: 'No such user', type: ProblemResponse };
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
  @ApiOperation({ summary: 'List users, oldest first, a page at a time' })
  @ApiOkResponse({ type: UserPageDto })
  async list(@Query() query: ListUsersQuery): Promise<UserPageDto> {
    const page = await this.users.list(query.limit ?? 20, query.cursor);
    return { items: page.items.map((u) => UserView.of(u)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Authorize({ scopes: ['users:read'] })
  @ApiOperation({ summary: 'One user' })
  @ApiOkResponse({ type: UserView })
  @ApiNotFoundResponse(NOT_FOUND)
  async get(@Param('id', ID) id: string): Promise<UserView> {
    return UserView.of(await this.users.get(id));
  }

  @Post()
  @Authorize({ scopes: ['users:write'] })
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a user (the password policy applies)',
    description:
      'Only role `admin` may give roles; a caller with scope `users:write` but not role `admin` ' +
      'creates plain users only (`roles` absent or `["user"]`, else 403).',
  })
  @ApiCreatedResponse({ type: UserView })
  @ApiBadRequestResponse({ type: ProblemResponse })
  @ApiConflictResponse({ description: 'Email or username taken', type: ProblemResponse })
  async create(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: CreateUserDto,
  ): Promise<UserView> {
    return UserView.of(await this.admin.create(caller, dto));
  }

  @Patch(':id')
  @Authorize({ scopes: ['users:write'] })
  @ApiOperation({
    summary: 'Change roles, scopes or active; any change ends every session of the user',
    description: SELF_RULE + SCOPE_ONLY_RULE + 'Admins may change roles and grant any scope.',
  })
  @ApiOkResponse({ type: UserView })
  @ApiBadRequestResponse({ type: ProblemResponse })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse({ description: 'Would leave no active admin', type: ProblemResponse })
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
    summary: 'Delete a user; every session ends',
    description: SELF_RULE + SCOPE_ONLY_RULE,
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse({ description: 'Would leave no active admin', type: ProblemResponse })
  async remove(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', ID) id: string,
  ): Promise<void> {
    await this.admin.delete(caller, id);
  }
}
