import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** RFC 7662 §2.2; every field but `active` only when the token is active. */
export class IntrospectionResponseDto {
  @ApiProperty() active!: boolean;
  @ApiPropertyOptional({
    enum: ['access_token', 'refresh_token'],
    description: 'Which kind of token it is (the token_type_hint names, not "Bearer")',
  })
  token_type?: 'access_token' | 'refresh_token';
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
