import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE_ISSUER } from '../../common/openapi/examples';
import { KNOWN_SCOPES } from '../../config/scopes';

/** RFC 8414 §2 authorization server metadata, the fields Tessera publishes. */
export class AuthorizationServerMetadataDto {
  @ApiProperty({ format: 'uri', description: 'JWT_ISSUER', example: EXAMPLE_ISSUER })
  issuer!: string;
  @ApiProperty({ format: 'uri', example: `${EXAMPLE_ISSUER}/.well-known/jwks.json` })
  jwks_uri!: string;
  @ApiProperty({ format: 'uri', example: `${EXAMPLE_ISSUER}/auth/revoke` })
  revocation_endpoint!: string;
  @ApiProperty({ type: [String], example: ['none'] })
  revocation_endpoint_auth_methods_supported!: string[];
  @ApiProperty({ format: 'uri', example: `${EXAMPLE_ISSUER}/auth/introspect` })
  introspection_endpoint!: string;
  @ApiProperty({ type: [String], example: ['Bearer'] })
  introspection_endpoint_auth_methods_supported!: string[];
  @ApiProperty({ type: [String], example: [...KNOWN_SCOPES] }) scopes_supported!: string[];
  @ApiProperty({
    type: [String],
    description: 'Empty: there is no authorization endpoint',
    example: [],
  })
  response_types_supported!: string[];
  @ApiProperty({
    type: [String],
    description: 'Empty: tokens come from POST /auth/login, not from OAuth grants',
    example: [],
  })
  grant_types_supported!: string[];
  @ApiProperty({ format: 'uri', example: `${EXAMPLE_ISSUER}/docs` }) service_documentation!: string;
  @ApiProperty({
    type: [String],
    description: 'RFC 9449: the `alg` values DPoP proofs may use (`DPOP_ALGORITHMS`)',
    example: ['ES256', 'EdDSA', 'RS256', 'PS256'],
  })
  dpop_signing_alg_values_supported!: string[];
}
