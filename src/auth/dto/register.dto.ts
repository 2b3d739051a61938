import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Matches, MaxLength } from 'class-validator';
import { EXAMPLE_EMAIL, EXAMPLE_PASSWORD, EXAMPLE_USERNAME } from '../../common/openapi/examples';
import { NO_CONTROL_CHARS, NO_INVISIBLE_CHARS } from '../../common/validation.pipe';
import { MeetsPasswordPolicy } from '../../users/password-policy.decorator';

export const USERNAME_PATTERN = /^[a-zA-Z0-9_.-]{3,32}$/;

export class RegisterDto {
  @ApiProperty({ format: 'email', maxLength: 254, example: EXAMPLE_EMAIL })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  @Matches(NO_INVISIBLE_CHARS, {
    message: 'email must not contain control or invisible characters',
  })
  email!: string;

  @ApiProperty({ pattern: USERNAME_PATTERN.source, example: EXAMPLE_USERNAME })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 3-32 of a-z A-Z 0-9 _ . -' })
  username!: string;

  @ApiProperty({
    minLength: 12,
    maxLength: 128,
    description: 'Not the email or username, not a common password',
    example: EXAMPLE_PASSWORD,
  })
  @IsString()
  @MaxLength(1024)
  @Matches(NO_CONTROL_CHARS, { message: 'password must not contain control characters' })
  @MeetsPasswordPolicy()
  password!: string;
}
