import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { EXAMPLE_REFRESH_TOKEN } from '../../common/openapi/examples';
import { IfPresent } from '../../common/validation.pipe';

/**
 * No length limit on `refresh_token`: a string of any length is just a token the service cannot
 * use, and answers the same 401 (invalid_refresh_token) as every other one, as the contract says.
 * The body limit (413) bounds it, and the shape check (parseRefreshToken) refuses a token of the
 * wrong length before anything is looked up.
 */
export class RefreshDto {
  @ApiPropertyOptional({
    description: 'The refresh token; may come from the refresh cookie instead',
    example: EXAMPLE_REFRESH_TOKEN,
  })
  @IfPresent()
  @IsString()
  refresh_token?: string;
}
