import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { EXAMPLE_NEW_PASSWORD } from '../../common/openapi/examples';
import { NO_CONTROL_CHARS } from '../../common/validation.pipe';
import { MeetsPasswordPolicy } from '../../users/password-policy.decorator';

/**
 * A `newPassword` field (password change, password reset): a string under the password policy,
 * reported with every other bad field in one 400. The services check the policy again against
 * the user's own email and username.
 */
export function NewPasswordField(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      minLength: 12,
      maxLength: 128,
      description: 'Not the email or username, not a common password',
      example: EXAMPLE_NEW_PASSWORD,
    }),
    IsString(),
    Length(1, 1024),
    Matches(NO_CONTROL_CHARS, { message: 'newPassword must not contain control characters' }),
    MeetsPasswordPolicy(),
  );
}
