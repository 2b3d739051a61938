import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsString, Matches } from 'class-validator';
import { IfPresent } from '../../common/validation.pipe';
import { Role, ROLES } from '../user';

export class UpdateUserDto {
  @ApiPropertyOptional({
    enum: ROLES,
    isArray: true,
    description: 'Replaces the list; `user` is always kept',
  })
  @IfPresent()
  @IsArray()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles?: Role[];

  @ApiPropertyOptional({
    type: [String],
    description: 'Extra scopes; replaces the list',
    example: ['users:read'],
  })
  @IfPresent()
  @IsArray()
  @ArrayMaxSize(32)
  @IsString({ each: true })
  @Matches(/^[a-z][a-z0-9_.:-]{0,63}$/, {
    each: true,
    message: 'each scope must look like users:read',
  })
  scopes?: string[];

  @ApiPropertyOptional({ description: 'false deactivates the user and ends every session' })
  @IfPresent()
  @IsBoolean()
  active?: boolean;
}
