import { DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { createAppLogger } from '../common/logging/http-logger';
import { Env } from '../config/env.validation';
import { InfrastructureModule } from '../infrastructure.module';
import { KeyRotation } from '../tokens/key-rotation';

/**
 * What `npm run keys:rotate` / `keys:list` / `keys:encrypt` run in: the application's config,
 * clock, logger and audit trail (so KEY_ROTATED lands in the same store as the instances' events)
 * and KeyRotation, without HTTP and without SigningKeys (which would refuse an empty keys dir in
 * production, where keys:rotate is how the first key is made).
 */
@Module({})
export class KeysCliModule {
  /** `logDestination`: where the JSON log lines (the audit line among them) go. */
  static forRoot(env: Env, logDestination: DestinationStream): DynamicModule {
    return {
      module: KeysCliModule,
      imports: [InfrastructureModule.forRoot(env, createAppLogger(env.app, logDestination))],
      providers: [KeyRotation],
    };
  }
}
