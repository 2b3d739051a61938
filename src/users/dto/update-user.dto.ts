import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn } from 'class-validator';
import { IfPresent } from '../../common/validation.pipe';
import { ScopesProperty } from '../known-scopes.decorator';
import { Role, ROLES } from '../user';

export class UpdateUserDto {
  @ApiPropertyOptional({
    enum: ROLES,
    isArray: true,
    description: 'Replaces the list; `user` is always kept',
    example: ['user', 'admin'],
  })
  @IfPresent()
  @IsArray()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles?: Role[];

  @ScopesProperty('Extra scopes, each one of the known scopes; replaces the list')
  scopes?: string[];

  @ApiPropertyOptional({
    description: 'false deactivates the user and ends every session',
    example: true,
  })
  @IfPresent()
  @IsBoolean()
  active?: boolean;
}
