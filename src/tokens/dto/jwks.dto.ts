import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EXAMPLE_KID, EXAMPLE_RSA_MODULUS } from '../../common/openapi/examples';

/** One public key of the JWKS (RFC 7517): RSA (`n`, `e`) or EC (`crv`, `x`, `y`). */
export class JwkDto {
  @ApiProperty({ enum: ['RSA', 'EC'], example: 'RSA' }) kty!: string;
  @ApiProperty({
    description: 'RFC 7638 thumbprint; the `kid` of the tokens it verifies',
    example: EXAMPLE_KID,
  })
  kid!: string;
  @ApiProperty({ enum: ['RS256', 'PS256', 'ES256'], example: 'RS256' }) alg!: string;
  @ApiProperty({ enum: ['sig'], example: 'sig' }) use!: string;
  @ApiPropertyOptional({ description: 'RSA modulus', example: EXAMPLE_RSA_MODULUS }) n?: string;
  @ApiPropertyOptional({ description: 'RSA exponent', example: 'AQAB' }) e?: string;
  @ApiPropertyOptional({ description: 'EC curve', example: 'P-256' }) crv?: string;
  @ApiPropertyOptional({
    description: 'EC x coordinate',
    example: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  })
  x?: string;
  @ApiPropertyOptional({
    description: 'EC y coordinate',
    example: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
  })
  y?: string;
}

export class JwksDto {
  @ApiProperty({
    type: [JwkDto],
    description: 'Newest first; empty with HS256 (a shared secret is never published)',
    example: [
      { kty: 'RSA', n: EXAMPLE_RSA_MODULUS, e: 'AQAB', kid: EXAMPLE_KID, alg: 'RS256', use: 'sig' },
    ],
  })
  keys!: JwkDto[];
}
