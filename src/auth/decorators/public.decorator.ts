import { SetMetadata } from '@nestjs/common';
import { ACCESS_KEY, AccessPolicy } from './access.metadata';

/** Opts a route out of authentication. Routes are closed unless they say this. */
export const Public = () => SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies AccessPolicy);
