import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { IfPresent } from '../../common/validation.pipe';

export class RefreshDto {
  @ApiPropertyOptional({
    description: 'The refresh token; may come from the refresh cookie instead',
  })
  @IfPresent()
  @IsString()
  @MaxLength(512)
  refresh_token?: string;
}
