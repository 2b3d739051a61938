import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './time/clock';

/** Cross-cutting injectables every module may use. */
@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }],
  exports: [Clock],
})
export class CommonModule {}
