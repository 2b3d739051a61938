import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn } from 'class-validator';
import { RegisterDto } from '../../auth/dto/register.dto';
import { IfPresent } from '../../common/validation.pipe';
import { Role, ROLES } from '../user';

/** Admin create: the registration body plus roles. */
export class CreateUserDto extends RegisterDto {
  @ApiPropertyOptional({ enum: ROLES, isArray: true, description: 'Everyone has `user`' })
  @IfPresent()
  @IsArray()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles?: Role[];
}
