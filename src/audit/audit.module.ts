import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { auditStoreProvider } from './stores/audit-store.provider';

/** The audit trail; global so any module records events without importing it. */
@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditService, auditStoreProvider],
  exports: [AuditService],
})
export class AuditModule {}
