import { ApiProperty } from '@nestjs/swagger';
import {
  EXAMPLE_ACCESS_TOKEN,
  EXAMPLE_ACCESS_TTL,
  EXAMPLE_REFRESH_TOKEN,
  EXAMPLE_REFRESH_TTL,
  EXAMPLE_SCOPE,
  EXAMPLE_SESSION_ID,
} from '../../common/openapi/examples';
import { TokenResponse } from '../../tokens/token.types';

export class TokenResponseDto implements TokenResponse {
  @ApiProperty({
    description: 'A JWT (header `typ: at+jwt`); send it as `Authorization: Bearer …`',
    example: EXAMPLE_ACCESS_TOKEN,
  })
  access_token!: string;
  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' }) token_type!: 'Bearer';
  @ApiProperty({ description: 'Seconds the access token lives', example: EXAMPLE_ACCESS_TTL })
  expires_in!: number;
  @ApiProperty({
    description:
      'Opaque and single-use (`<userId>_<sessionId>.<secret>`); exchange it at POST /auth/refresh',
    example: EXAMPLE_REFRESH_TOKEN,
  })
  refresh_token!: string;
  @ApiProperty({
    description: 'Seconds until the session ends; refreshing never extends it',
    example: EXAMPLE_REFRESH_TTL,
  })
  refresh_expires_in!: number;
  @ApiProperty({ description: 'Granted scopes, space-separated', example: EXAMPLE_SCOPE })
  scope!: string;
  @ApiProperty({
    format: 'uuid',
    description: "The session: the access token's `sid`, an id of GET /auth/sessions",
    example: EXAMPLE_SESSION_ID,
  })
  session_id!: string;
}
