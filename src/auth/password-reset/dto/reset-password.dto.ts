import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { EXAMPLE_USER_ID } from '../../../common/openapi/examples';
import { NewPasswordField } from '../../dto/new-password.decorator';

/** The shape of a token, e.g. in the OpenAPI example (`<userId>.<43 base64url characters>`). */
export const EXAMPLE_RESET_TOKEN = `${EXAMPLE_USER_ID}.Vd3kQ9xL2mTz7Rb0cYh5WnJ8fGs4pAeK1uNiOqBwHtE`;

/**
 * A token of the wrong shape answers the same 400 as an unknown one; the length limit only keeps
 * the work bounded. The password policy runs in validation too, so a refused password is
 * reported with every other bad field, before the token is looked at (and left usable).
 */
export class ResetPasswordDto {
  @ApiProperty({
    description: 'The `token` parameter of the link in the reset mail',
    maxLength: 200,
    example: EXAMPLE_RESET_TOKEN,
  })
  @IsString()
  @MaxLength(200)
  token!: string;

  @NewPasswordField()
  newPassword!: string;
}
