import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/decorators/public.decorator';
import { AppError, AppErrorCode } from '../common/errors/app-error';
import { problemTypeInfo } from '../common/openapi/problem-types';

/** What a plain GET /ws is told (Swagger UI's Try it out, a browser's address bar, a curl). */
export const WS_UPGRADE_REQUIRED = problemTypeInfo(AppErrorCode.UpgradeRequired).detail;

/**
 * `GET /ws` without `Upgrade: websocket`. The gateway (session.gateway.ts) takes the upgrade
 * requests on the HTTP server's upgrade event, so they never reach this route; anything else on
 * /ws would otherwise be a bare 404 that tells a client nothing. Public: it serves no data.
 * Documented with the WebSocket endpoint itself (ws.openapi.ts), not as a route of its own.
 */
@Controller('ws')
@ApiExcludeController()
export class WsUpgradeController {
  @Get()
  @Public()
  upgradeRequired(): never {
    throw new AppError(AppErrorCode.UpgradeRequired, WS_UPGRADE_REQUIRED);
  }
}
