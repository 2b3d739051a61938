import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { EXAMPLE_USERS_CURSOR } from '../../common/openapi/examples';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class ListUsersQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20, example: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({
    description: 'nextCursor of the previous page',
    example: EXAMPLE_USERS_CURSOR,
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  cursor?: string;
}
