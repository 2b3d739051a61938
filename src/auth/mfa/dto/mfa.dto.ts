import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import {
  EXAMPLE_MFA_TOKEN,
  EXAMPLE_PASSWORD,
  EXAMPLE_RECOVERY_CODE,
  EXAMPLE_TOTP_CODE,
  EXAMPLE_TOTP_SECRET,
} from '../../../common/openapi/examples';
import { NO_CONTROL_CHARS } from '../../../common/validation.pipe';

const CODE_DESCRIPTION =
  'The 6-digit code of the authenticator app, or one of the recovery codes (dashes, spaces ' +
  'and case do not matter)';

/** A code field: a TOTP code or a recovery code; a wrong one is a 401, never a 400. */
function codeProperty(description = CODE_DESCRIPTION, example = EXAMPLE_TOTP_CODE) {
  return ApiProperty({ description, example, minLength: 1, maxLength: 32 });
}

export class ConfirmTotpDto {
  @ApiProperty({
    description:
      'The current password: an access token alone (stolen, or left signed in) must not be able ' +
      'to put a second factor between the user and their account',
    example: EXAMPLE_PASSWORD,
  })
  @IsString()
  @Length(1, 1024)
  @Matches(NO_CONTROL_CHARS, { message: 'password must not contain control characters' })
  password!: string;

  @codeProperty('The 6-digit code the authenticator app shows for the new secret')
  @IsString()
  @Length(1, 32)
  @Matches(NO_CONTROL_CHARS, { message: 'code must not contain control characters' })
  code!: string;
}

/** Disabling the second factor, or renewing the recovery codes: both factors again. */
export class ProveFactorsDto {
  @ApiProperty({ description: 'The current password', example: EXAMPLE_PASSWORD })
  @IsString()
  @Length(1, 1024)
  @Matches(NO_CONTROL_CHARS, { message: 'password must not contain control characters' })
  password!: string;

  @codeProperty()
  @IsString()
  @Length(1, 32)
  @Matches(NO_CONTROL_CHARS, { message: 'code must not contain control characters' })
  code!: string;
}

export class LoginMfaDto {
  @ApiProperty({
    description: 'The `mfa_token` of the `mfa-required` answer of `POST /auth/login`',
    example: EXAMPLE_MFA_TOKEN,
    maxLength: 4096,
  })
  @IsString()
  @Length(1, 4096)
  mfa_token!: string;

  @codeProperty(CODE_DESCRIPTION, EXAMPLE_TOTP_CODE)
  @IsString()
  @Length(1, 32)
  @Matches(NO_CONTROL_CHARS, { message: 'code must not contain control characters' })
  code!: string;
}

export class TotpEnrolmentDto {
  @ApiProperty({
    description: 'The new secret, base32: for typing into an app that cannot scan',
    example: EXAMPLE_TOTP_SECRET,
  })
  secret!: string;

  @ApiProperty({
    description: 'The `otpauth://totp/…` URI (SHA1, 6 digits, 30 s) an app scans',
    example: `otpauth://totp/Tessera:ada%40example.com?issuer=Tessera&secret=${EXAMPLE_TOTP_SECRET}&algorithm=SHA1&digits=6&period=30`,
  })
  otpauth_uri!: string;

  @ApiProperty({
    description: 'The URI as a QR code: a `data:image/png;base64,…` URL for an `<img src>`',
    example: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAPAAAADw…',
  })
  qr_code!: string;

  @ApiProperty({ description: 'Seconds left to confirm with a first code', example: 600 })
  expires_in!: number;
}

export class RecoveryCodesDto {
  @ApiProperty({
    description:
      'Ten single-use recovery codes, shown this once (only their hashes are kept): store ' +
      'them offline. Each signs in once in place of a code.',
    example: [EXAMPLE_RECOVERY_CODE, 'F2N8-0QJC-VX5D-KT7M'],
    type: [String],
  })
  recovery_codes!: string[];
}

export class MfaStatusDto {
  @ApiProperty({ description: 'Whether a TOTP second factor is on', example: true })
  totp!: boolean;

  @ApiProperty({
    description: 'When it was turned on (ISO 8601); null when off',
    example: '2026-11-30T09:16:12.000Z',
    nullable: true,
    type: String,
  })
  enabledAt!: string | null;

  @ApiProperty({ description: 'Unused recovery codes', example: 9 })
  recoveryCodesLeft!: number;

  @ApiProperty({
    description: 'Whether a role of the user requires a second factor (`MFA_REQUIRED_ROLES`)',
    example: false,
  })
  required!: boolean;
}
