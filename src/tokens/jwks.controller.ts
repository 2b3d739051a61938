import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { JsonWebKey } from 'node:crypto';
import { Public } from '../auth/decorators/public.decorator';
import { cacheControl } from '../common/openapi/response-headers';
import { JwksDto } from './dto/jwks.dto';
import { SigningKeys } from './signing-keys';

/** Verifiers may cache briefly; see the comment on the route. */
const CACHE_CONTROL = 'public, max-age=300';

@ApiTags('oauth')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeys) {}

  @Get('jwks.json')
  @Public()
  // Verifiers may cache briefly. A rotated-in key is published `keys:rotate --activate-in`
  // seconds (default 5) before it signs: enough for our instances, which re-read the keyring every
  // second. A verifier that trusts this max-age and never refetches on an unknown kid needs a
  // rotation with --activate-in of at least 300 (bench/README.md).
  @Header('Cache-Control', CACHE_CONTROL)
  @ApiOperation({
    operationId: 'getJwks',
    summary: 'Public keys that verify our access tokens (RFC 7517)',
    description:
      'Newest first: a key about to sign (published before it does), the signing key, and every ' +
      'earlier key that can still verify a live token. A key leaves once its last token has expired.',
  })
  @ApiOkResponse({
    description: 'JWKS with kid, alg and use:"sig" per key',
    type: JwksDto,
    headers: cacheControl(
      CACHE_CONTROL,
      'Cache up to 5 minutes; refetch at once on a token with an unknown kid',
    ),
  })
  jwks(): { keys: JsonWebKey[] } {
    return this.keys.jwks();
  }
}
