import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
} from 'class-validator';
import { Role, ROLES } from '../user';

export class UpdateUserDto {
  @ApiPropertyOptional({
    enum: ROLES,
    isArray: true,
    description: 'Replaces the list; `user` is always kept',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles?: Role[];

  @ApiPropertyOptional({
    type: [String],
    description: 'Extra scopes; replaces the list',
    example: ['users:read'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @IsString({ each: true })
  @Matches(/^[a-z][a-z0-9_.:-]{0,63}$/, {
    each: true,
    message: 'each scope must look like users:read',
  })
  scopes?: string[];

  @ApiPropertyOptional({ description: 'false deactivates the user and ends every session' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}
