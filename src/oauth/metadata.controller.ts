import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators/public.decorator';
import { cacheControl } from '../common/openapi/response-headers';
import { dpopConfig, DpopConfig, jwtConfig, JwtConfig } from '../config/configuration';
import { KNOWN_SCOPES } from '../config/scopes';
import { AuthorizationServerMetadataDto } from './dto/authorization-server-metadata.dto';

const CACHE_CONTROL = 'public, max-age=3600';

@ApiTags('oauth')
@Controller('.well-known')
export class MetadataController {
  private readonly metadata: AuthorizationServerMetadataDto;

  constructor(@Inject(jwtConfig.KEY) jwt: JwtConfig, @Inject(dpopConfig.KEY) dpop: DpopConfig) {
    this.metadata = authorizationServerMetadata(jwt.issuer, dpop.algorithms);
  }

  @Get('oauth-authorization-server')
  @Public()
  @Header('Cache-Control', CACHE_CONTROL)
  @ApiOperation({
    operationId: 'getAuthorizationServerMetadata',
    summary: 'Authorization server metadata (RFC 8414)',
    description:
      'No token_endpoint: tokens come from POST /auth/login and /auth/refresh, which are ' +
      'first-party JSON endpoints, not RFC 6749 grants, so none is advertised to OAuth clients.',
  })
  @ApiOkResponse({
    description: 'The metadata; every URL is built from JWT_ISSUER',
    type: AuthorizationServerMetadataDto,
    headers: cacheControl(CACHE_CONTROL, 'Cache for an hour'),
  })
  get(): AuthorizationServerMetadataDto {
    return this.metadata;
  }
}

/**
 * Every URL is built from JWT_ISSUER, never from the request's Host header: a document that
 * reflected Host would let anyone who can reach us (or poison a cache in front of us) point
 * clients at their own JWKS or endpoints.
 */
function authorizationServerMetadata(
  issuer: string,
  dpopAlgorithms: string[],
): AuthorizationServerMetadataDto {
  const base = issuer.replace(/\/+$/, '');
  return {
    issuer,
    jwks_uri: `${base}/.well-known/jwks.json`,
    revocation_endpoint: `${base}/auth/revoke`,
    // Public clients, no client authentication (RFC 7591 "none"); see TokenEndpointsController.
    revocation_endpoint_auth_methods_supported: ['none'],
    introspection_endpoint: `${base}/auth/introspect`,
    // RFC 8414 §2 allows values of the "OAuth Access Token Types" registry here: a Bearer token.
    introspection_endpoint_auth_methods_supported: ['Bearer'],
    scopes_supported: [...KNOWN_SCOPES],
    // Required by RFC 8414; empty because there is no authorization endpoint (so no PKCE either).
    response_types_supported: [],
    // Explicitly empty: omitted, it would default to authorization_code and implicit.
    grant_types_supported: [],
    service_documentation: `${base}/docs`,
    // RFC 9449 §5.1: the algorithms DPoP proofs may be signed with (DPOP_ALGORITHMS).
    dpop_signing_alg_values_supported: [...dpopAlgorithms],
  };
}
