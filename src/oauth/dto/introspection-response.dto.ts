import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** RFC 7662 §2.2; every field but `active` only when the token is active. */
export class IntrospectionResponseDto {
  @ApiProperty() active!: boolean;
  @ApiPropertyOptional({
    enum: ['Bearer'],
    description:
      '`Bearer` for an access token (the OAuth Access Token Types registry, as RFC 7662 asks); ' +
      'absent for a refresh token, which is not presented to resource servers',
    example: 'Bearer',
  })
  token_type?: 'Bearer';
  @ApiPropertyOptional({
    description: 'The client the access token was issued to (RFC 9068): always `tessera`',
    example: 'tessera',
  })
  client_id?: string;
  @ApiPropertyOptional({ description: 'User id' }) sub?: string;
  @ApiPropertyOptional({ description: 'Granted scopes, space-separated' }) scope?: string;
  @ApiPropertyOptional({ description: 'Epoch seconds; for a refresh token, the session end' })
  exp?: number;
  @ApiPropertyOptional({ description: 'Epoch seconds (access tokens)' }) iat?: number;
  @ApiPropertyOptional({ description: 'Token id (access tokens)' }) jti?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Session id' }) sid?: string;
  @ApiPropertyOptional() iss?: string;
  @ApiPropertyOptional({ description: 'Audience (access tokens)' }) aud?: string;
}
