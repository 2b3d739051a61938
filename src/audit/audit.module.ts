import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';

/** The audit trail; global so any module records events without importing it. */
@Global()
@Module({
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
