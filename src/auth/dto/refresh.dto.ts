import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class RefreshDto {
  @ApiPropertyOptional({
    description: 'The refresh token; may come from the refresh cookie instead',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  refresh_token?: string;
}
