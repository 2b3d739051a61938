import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { NO_CONTROL_CHARS } from '../../common/validation.pipe';
import { MeetsPasswordPolicy } from '../../users/password-policy.decorator';

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @Length(1, 1024)
  @Matches(NO_CONTROL_CHARS, { message: 'currentPassword must not contain control characters' })
  currentPassword!: string;

  @ApiProperty({ minLength: 12, maxLength: 128 })
  @IsString()
  @Length(1, 1024)
  @Matches(NO_CONTROL_CHARS, { message: 'newPassword must not contain control characters' })
  @MeetsPasswordPolicy()
  newPassword!: string;
}
