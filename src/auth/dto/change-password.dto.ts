import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { EXAMPLE_PASSWORD } from '../../common/openapi/examples';
import { NO_CONTROL_CHARS } from '../../common/validation.pipe';
import { NewPasswordField } from './new-password.decorator';

export class ChangePasswordDto {
  @ApiProperty({ example: EXAMPLE_PASSWORD })
  @IsString()
  @Length(1, 1024)
  @Matches(NO_CONTROL_CHARS, { message: 'currentPassword must not contain control characters' })
  currentPassword!: string;

  @NewPasswordField()
  newPassword!: string;
}
