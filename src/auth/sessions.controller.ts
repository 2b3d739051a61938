import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { AppErrorCode } from '../common/errors/app-error';
import { ApiProblem } from '../common/openapi/api-problem.decorator';
import { EXAMPLE_OTHER_SESSION_ID } from '../common/openapi/examples';
import { SessionsService } from '../tokens/sessions.service';
import { THROTTLE_LIMITS } from '../throttle/throttle.limits';
import { Throttled } from '../throttle/throttled.decorator';
import { AuthenticatedUser } from '../tokens/token.types';
import { Authenticated } from './decorators/authorize.decorator';
import { CurrentUser } from './decorators/current-user.decorator';
import { SessionDto } from './dto/session.dto';

@ApiTags('sessions')
@Controller('auth/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @Authenticated()
  @Throttled(THROTTLE_LIMITS.sessions, 'caller')
  @ApiOperation({
    operationId: 'listSessions',
    summary: "The caller's live sessions (devices), the current one marked",
    description:
      'At most MAX_SESSIONS_PER_USER (default 50): a login beyond the cap ends the least ' +
      'recently used session. Throttled per client.',
  })
  @ApiOkResponse({ description: 'Every live session of the caller', type: [SessionDto] })
  list(@CurrentUser() caller: AuthenticatedUser): Promise<SessionDto[]> {
    return this.sessions.list(caller.userId, caller.sessionId);
  }

  @Delete(':id')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'endSession',
    summary: 'End one of your sessions (sign out a device)',
    description:
      'Its tokens stop working at once and its WebSockets close. Ending the current session ' +
      'is a logout without clearing the cookie.',
  })
  @ApiParam({
    name: 'id',
    description: 'A session id from GET /auth/sessions',
    example: EXAMPLE_OTHER_SESSION_ID,
  })
  @ApiNoContentResponse({ description: 'Ended' })
  @ApiProblem(
    "Not one of your sessions (whether someone else's exists is never told), or not a UUID",
    { code: AppErrorCode.NotFound, detail: 'No such session.' },
  )
  async remove(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string,
  ): Promise<void> {
    await this.sessions.endOwned(caller.userId, id);
  }
}
