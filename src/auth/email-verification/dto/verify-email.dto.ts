import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { EXAMPLE_USER_ID } from '../../../common/openapi/examples';

/** The shape of a token, e.g. in the OpenAPI example (`<userId>.<43 base64url characters>`). */
export const EXAMPLE_VERIFICATION_TOKEN = `${EXAMPLE_USER_ID}.q0Cj5bS9xR6m1Zt2V0a8kYw3nDfL7eHuJpXoGiBsNcE`;

/**
 * A token of the wrong shape answers the same 400 as an unknown one (it is just a token that
 * verifies nothing); the length limit only keeps the work bounded.
 */
export class VerifyEmailDto {
  @ApiProperty({
    description: 'The `token` parameter of the link in the verification mail',
    maxLength: 200,
    example: EXAMPLE_VERIFICATION_TOKEN,
  })
  @IsString()
  @MaxLength(200)
  token!: string;
}
