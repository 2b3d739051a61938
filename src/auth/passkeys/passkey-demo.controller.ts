import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { appConfig, AppConfig, passkeysConfig, PasskeysConfig } from '../../config/configuration';
import { Public } from '../decorators/public.decorator';

const read = (file: string) => readFileSync(join(__dirname, 'demo', file), 'utf8');

/**
 * GET /passkeys/demo: a page for trying passkeys by hand (and for the browser test), served
 * wherever Swagger UI is (DOCS_ENABLED) while passkeys are on. Static files read once; its CSP
 * (src/common/http/security-headers.ts) allows its own script and fetches to this origin only.
 */
@ApiExcludeController()
@Controller('passkeys')
export class PasskeyDemoController {
  private readonly page: string | null;
  private readonly script: string | null;

  constructor(
    @Inject(appConfig.KEY) app: AppConfig,
    @Inject(passkeysConfig.KEY) passkeys: PasskeysConfig,
  ) {
    const served = app.docsEnabled && passkeys.enabled;
    this.page = served ? read('passkeys-demo.html') : null;
    this.script = served ? read('passkeys-demo.js') : null;
  }

  @Get('demo')
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  demo(): string {
    return this.page ?? notServed();
  }

  @Get('demo.js')
  @Public()
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  demoScript(): string {
    return this.script ?? notServed();
  }
}

function notServed(): never {
  throw new AppError(AppErrorCode.NotFound, 'No such page.');
}
