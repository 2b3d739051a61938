import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { EXAMPLE_ACCESS_TOKEN } from '../../common/openapi/examples';

/**
 * The body of RFC 7009 revocation and RFC 7662 introspection, as JSON or form-encoded. No length
 * limit on `token`: an oversized token is just not ours (200 / inactive), and the body limit
 * bounds it anyway.
 */
export class TokenRequestDto {
  @ApiProperty({
    description: 'An access token or a refresh token',
    example: EXAMPLE_ACCESS_TOKEN,
  })
  @IsString()
  @IsNotEmpty()
  token!: string;

  @ApiPropertyOptional({
    description:
      '`access_token` or `refresh_token`. Ignored: the token shows what it is, and RFC 7009 §2.1 ' +
      'has the server search all kinds anyway.',
    example: 'access_token',
  })
  @IsOptional()
  @IsString()
  token_type_hint?: string;

  @ApiPropertyOptional({
    description:
      'Sent by standard OAuth clients that identify themselves as public clients; ignored ' +
      '(Tessera has no client registry).',
    example: 'tessera',
  })
  @IsOptional()
  @IsString()
  client_id?: string;
}
