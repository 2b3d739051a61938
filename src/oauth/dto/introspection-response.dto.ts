import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  EXAMPLE_ACCESS_TTL,
  EXAMPLE_IAT,
  EXAMPLE_ISSUER,
  EXAMPLE_JTI,
  EXAMPLE_REFRESH_TTL,
  EXAMPLE_SCOPE,
  EXAMPLE_SESSION_ID,
  EXAMPLE_USER_ID,
} from '../../common/openapi/examples';

/** RFC 7662 §2.2; every field but `active` only when the token is active. */
export class IntrospectionResponseDto {
  @ApiProperty({ example: true }) active!: boolean;
  @ApiPropertyOptional({
    enum: ['Bearer', 'DPoP'],
    description:
      '`Bearer` for an access token, `DPoP` for one bound to a DPoP key (the OAuth Access Token ' +
      'Types registry, as RFC 7662 asks); absent for a refresh token, which is not presented to ' +
      'resource servers',
    example: 'Bearer',
  })
  token_type?: 'Bearer' | 'DPoP';
  @ApiPropertyOptional({
    description: 'The client the access token was issued to (RFC 9068): always `tessera`',
    example: 'tessera',
  })
  client_id?: string;
  @ApiPropertyOptional({ description: 'User id', example: EXAMPLE_USER_ID }) sub?: string;
  @ApiPropertyOptional({ description: 'Granted scopes, space-separated', example: EXAMPLE_SCOPE })
  scope?: string;
  @ApiPropertyOptional({
    description: 'Epoch seconds; for a refresh token, the session end',
    example: EXAMPLE_IAT + EXAMPLE_ACCESS_TTL,
  })
  exp?: number;
  @ApiPropertyOptional({ description: 'Epoch seconds (access tokens)', example: EXAMPLE_IAT })
  iat?: number;
  @ApiPropertyOptional({ description: 'Token id (access tokens)', example: EXAMPLE_JTI })
  jti?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Session id', example: EXAMPLE_SESSION_ID })
  sid?: string;
  @ApiPropertyOptional({ format: 'uri', example: EXAMPLE_ISSUER }) iss?: string;
  @ApiPropertyOptional({ description: 'Audience (access tokens)', example: 'tessera-api' })
  aud?: string;
  @ApiPropertyOptional({
    description:
      'RFC 9449 §6.2: for a DPoP-bound access token, the thumbprint of its key; a resource ' +
      "server checks the request's DPoP proof against it",
    example: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' },
  })
  cnf?: { jkt: string };
}

/** The three answers a resource server sees. */
export const INTROSPECTION_EXAMPLES = {
  accessToken: {
    summary: 'An active access token',
    value: {
      active: true,
      token_type: 'Bearer',
      client_id: 'tessera',
      sub: EXAMPLE_USER_ID,
      scope: EXAMPLE_SCOPE,
      exp: EXAMPLE_IAT + EXAMPLE_ACCESS_TTL,
      iat: EXAMPLE_IAT,
      jti: EXAMPLE_JTI,
      sid: EXAMPLE_SESSION_ID,
      iss: EXAMPLE_ISSUER,
      aud: 'tessera-api',
    },
  },
  refreshToken: {
    summary: 'An active refresh token (its session end as exp)',
    value: {
      active: true,
      sub: EXAMPLE_USER_ID,
      sid: EXAMPLE_SESSION_ID,
      scope: EXAMPLE_SCOPE,
      exp: EXAMPLE_IAT + EXAMPLE_REFRESH_TTL,
      iss: EXAMPLE_ISSUER,
    },
  },
  inactive: {
    summary: 'Expired, revoked, of an ended session, or not ours',
    value: { active: false },
  },
};
