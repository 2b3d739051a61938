import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { JsonWebKey } from 'node:crypto';
import { Public } from '../auth/decorators/public.decorator';
import { SigningKeys } from './signing-keys';

@ApiTags('keys')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeys) {}

  @Get('jwks.json')
  @Public()
  // Verifiers may cache briefly; a rotation publishes the new key before it signs anything.
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'Public keys that verify our access tokens (RFC 7517)' })
  @ApiOkResponse({ description: 'JWKS with kid, alg and use:"sig" per key' })
  jwks(): { keys: JsonWebKey[] } {
    return this.keys.jwks();
  }
}
