import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { EXAMPLE_NEW_PASSWORD, EXAMPLE_PASSWORD } from '../../common/openapi/examples';
import { NO_CONTROL_CHARS } from '../../common/validation.pipe';
import { MeetsPasswordPolicy } from '../../users/password-policy.decorator';

export class ChangePasswordDto {
  @ApiProperty({ example: EXAMPLE_PASSWORD })
  @IsString()
  @Length(1, 1024)
  @Matches(NO_CONTROL_CHARS, { message: 'currentPassword must not contain control characters' })
  currentPassword!: string;

  @ApiProperty({
    minLength: 12,
    maxLength: 128,
    description: 'Not the email or username, not a common password',
    example: EXAMPLE_NEW_PASSWORD,
  })
  @IsString()
  @Length(1, 1024)
  @Matches(NO_CONTROL_CHARS, { message: 'newPassword must not contain control characters' })
  @MeetsPasswordPolicy()
  newPassword!: string;
}
