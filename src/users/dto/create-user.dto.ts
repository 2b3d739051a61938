import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn } from 'class-validator';
import { RegisterDto } from '../../auth/dto/register.dto';
import { IfPresent } from '../../common/validation.pipe';
import { ScopesProperty } from '../known-scopes.decorator';
import { Role, ROLES } from '../user';

/** Admin create: the registration body plus roles and scopes. */
export class CreateUserDto extends RegisterDto {
  @ApiPropertyOptional({
    enum: ROLES,
    isArray: true,
    description: 'Everyone has `user`',
    example: ['user'],
  })
  @IfPresent()
  @IsArray()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles?: Role[];

  @ScopesProperty("Extra scopes on top of the roles' defaults, each one of the known scopes")
  scopes?: string[];
}
