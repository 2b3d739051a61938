import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional } from 'class-validator';
import { RegisterDto } from '../../auth/dto/register.dto';
import { Role, ROLES } from '../user';

/** Admin create: the registration body plus roles. */
export class CreateUserDto extends RegisterDto {
  @ApiPropertyOptional({ enum: ROLES, isArray: true, description: 'Everyone has `user`' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles?: Role[];
}
