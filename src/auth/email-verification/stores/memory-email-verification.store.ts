import { MemoryUserTokenStore } from '../../user-tokens/memory-user-token.store';
import { EmailVerificationStore } from '../email-verification.store';

/** Verification tokens in process memory: complete for one process, like the Redis driver. */
export class MemoryEmailVerificationStore
  extends MemoryUserTokenStore
  implements EmailVerificationStore {}
