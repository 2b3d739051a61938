import { storeProvider } from '../../store/store.provider';
import { AuditStore } from '../audit.store';
import { MemoryAuditStore } from './memory-audit.store';
import { RedisAuditStore } from './redis-audit.store';

/** Provides `AuditStore` with the configured driver; add it to the audit module's providers. */
export const auditStoreProvider = storeProvider<AuditStore>(AuditStore, {
  memory: () => new MemoryAuditStore(),
  redis: (connection) => new RedisAuditStore(connection.client),
});
