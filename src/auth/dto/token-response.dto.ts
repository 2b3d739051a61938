import { ApiProperty } from '@nestjs/swagger';
import { TokenResponse } from '../../tokens/token.types';

export class TokenResponseDto implements TokenResponse {
  @ApiProperty({ description: 'JWT (typ at+jwt)' }) access_token!: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type!: 'Bearer';
  @ApiProperty({ description: 'Seconds' }) expires_in!: number;
  @ApiProperty({ description: 'Opaque, single-use' }) refresh_token!: string;
  @ApiProperty({ description: 'Seconds until the session ends' }) refresh_expires_in!: number;
  @ApiProperty({ description: 'Granted scopes, space-separated' }) scope!: string;
  @ApiProperty({ format: 'uuid' }) session_id!: string;
}
