import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, MaxLength } from 'class-validator';
import { EXAMPLE_EMAIL } from '../../../common/openapi/examples';

export class ForgotPasswordDto {
  @ApiProperty({ format: 'email', maxLength: 254, example: EXAMPLE_EMAIL })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;
}
