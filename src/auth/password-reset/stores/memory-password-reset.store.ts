import { MemoryUserTokenStore } from '../../user-tokens/memory-user-token.store';
import { PasswordResetStore } from '../password-reset.store';

/** Reset tokens in process memory: complete for one process, like the Redis driver. */
export class MemoryPasswordResetStore extends MemoryUserTokenStore implements PasswordResetStore {}
