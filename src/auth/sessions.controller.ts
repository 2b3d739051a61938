import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ProblemResponse } from '../common/openapi/problem.schema';
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
    summary: "The caller's live sessions",
    description:
      'At most MAX_SESSIONS_PER_USER (default 50): a login beyond the cap ends the least ' +
      'recently used session. Throttled per client.',
  })
  @ApiOkResponse({ type: [SessionDto] })
  list(@CurrentUser() caller: AuthenticatedUser): Promise<SessionDto[]> {
    return this.sessions.list(caller.userId, caller.sessionId);
  }

  @Delete(':id')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({ summary: 'End one of your sessions' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'Not one of your sessions', type: ProblemResponse })
  async remove(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string,
  ): Promise<void> {
    await this.sessions.endOwned(caller.userId, id);
  }
}
