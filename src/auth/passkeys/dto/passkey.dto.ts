import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import {
  EXAMPLE_EMAIL,
  EXAMPLE_PASSWORD,
  EXAMPLE_USER_ID,
  EXAMPLE_USERNAME,
} from '../../../common/openapi/examples';
import { IfPresent, NO_CONTROL_CHARS, NO_INVISIBLE_CHARS } from '../../../common/validation.pipe';
import { StoredPasskey } from '../passkey.store';
import { AuthenticationCredentialJson, RegistrationCredentialJson } from './webauthn-json.dto';

export const EXAMPLE_PASSKEY_ID = '01a23c41-5b9e-7f02-9d31-2c7be0a4f6d8';
const EXAMPLE_CREDENTIAL_ID = '0pU0CP1zeUhk3bVfuwW1yw';
const EXAMPLE_USER_HANDLE = Buffer.from(EXAMPLE_USER_ID).toString('base64url');

/** `POST /auth/passkeys/options`: the password, as for turning on a second factor. */
export class PasskeyOptionsDto {
  @ApiProperty({
    description:
      'The current password: an access token alone (stolen, or left signed in) must not be able ' +
      'to add a key that signs in as the user',
    example: EXAMPLE_PASSWORD,
  })
  @IsString()
  @Length(1, 1024)
  @Matches(NO_CONTROL_CHARS, { message: 'password must not contain control characters' })
  password!: string;
}

/** `POST /auth/passkeys`: what the authenticator made, and a name for it. */
export class RegisterPasskeyDto {
  @IfPresent()
  @IsString()
  @Length(1, 64)
  @Matches(NO_INVISIBLE_CHARS, { message: 'name must not contain control characters' })
  name?: string;

  @IsObject()
  @ValidateNested()
  @Type(() => RegistrationCredentialJson)
  credential!: RegistrationCredentialJson;
}

/** `POST /auth/login/passkey`: what the authenticator signed, and the scopes asked for. */
export class PasskeyLoginDto {
  @IsObject()
  @ValidateNested()
  @Type(() => AuthenticationCredentialJson)
  credential!: AuthenticationCredentialJson;

  @IfPresent()
  @IsString()
  @MaxLength(1024)
  @Matches(NO_CONTROL_CHARS, { message: 'scope must not contain control characters' })
  scope?: string;
}

/*
 * The WebAuthn shapes below are documented as inline schemas with one example each: their
 * members are WebAuthn's (`id` there is a base64url credential or user handle, not one of our
 * UUIDs), and clients pass them through to the browser's API unchanged.
 */

export const REGISTER_PASSKEY_BODY = {
  type: 'object',
  required: ['credential'],
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'What to call it in the list (default "Passkey")',
    },
    credential: {
      type: 'object',
      description:
        'The `PublicKeyCredential` that `navigator.credentials.create()` returned, as JSON ' +
        '(`credential.toJSON()`, or `startRegistration()` of @simplewebauthn/browser)',
    },
  },
  example: {
    name: 'MacBook Touch ID',
    credential: {
      id: EXAMPLE_CREDENTIAL_ID,
      rawId: EXAMPLE_CREDENTIAL_ID,
      type: 'public-key',
      response: {
        clientDataJSON:
          'eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiVURPTjFSelItbm1kbTh2Q2QyekFPVFhMWlA5MnpISE94eHRrVzVoMTdYOCIsIm9yaWdpbiI6Imh0dHBzOi8vYXBwLmV4YW1wbGUuY29tIiwiY3Jvc3NPcmlnaW4iOmZhbHNlfQ',
        attestationObject:
          'o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YViUSZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2NdAAAAAAAAAAAAAAAAAAAAAAAAAAAAENKVNAj9c3lIZN21X7sFtculAQIDJiABIVggW-vPhsRBmMZnk8U-5wFBfGe_N7N49fM01QEJQozYuxIiWCBsPvH5oJIpW5Ca86TLcq_KEWAgG2kWowckcZdggHN_6w',
        transports: ['internal', 'hybrid'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    },
  },
};

export const PASSKEY_LOGIN_BODY = {
  type: 'object',
  required: ['credential'],
  properties: {
    credential: {
      type: 'object',
      description:
        'The `PublicKeyCredential` that `navigator.credentials.get()` returned, as JSON ' +
        '(`credential.toJSON()`, or `startAuthentication()` of @simplewebauthn/browser)',
    },
    scope: {
      type: 'string',
      maxLength: 1024,
      description:
        'Space-separated scopes to ask for; granted = asked ∩ allowed, unknown ones dropped',
    },
  },
  example: {
    credential: {
      id: EXAMPLE_CREDENTIAL_ID,
      rawId: EXAMPLE_CREDENTIAL_ID,
      type: 'public-key',
      response: {
        clientDataJSON:
          'eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoiYlNILUpfOXV4VWx1YWNrZVhBcVVaMkxNdlpMTUE3blpNQlFtaXVRbG43RSIsIm9yaWdpbiI6Imh0dHBzOi8vYXBwLmV4YW1wbGUuY29tIiwiY3Jvc3NPcmlnaW4iOmZhbHNlfQ',
        authenticatorData: 'SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAABw',
        signature:
          'MEUCIQDgXWhg5vYXuHmPX0zTsBiIYfOL7C1D4V5o9sR1WQnq0AIgX2Q6n9yYc2m8yBqX2Qm1H4x5o7ZB7cQ0a2r0H1Q8d0M',
        userHandle: EXAMPLE_USER_HANDLE,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    },
    scope: 'profile',
  },
};

export const CREATION_OPTIONS_SCHEMA = {
  type: 'object',
  description:
    '`PublicKeyCredentialCreationOptionsJSON`: pass it to `PublicKeyCredential.' +
    'parseCreationOptionsFromJSON()` (or `startRegistration()` of @simplewebauthn/browser)',
  example: {
    rp: { name: 'Tessera', id: 'example.com' },
    user: { id: EXAMPLE_USER_HANDLE, name: EXAMPLE_EMAIL, displayName: EXAMPLE_USERNAME },
    challenge: 'UDON1RzR-nmdm8vCd2zAOTXLZP92zHHOxxtkW5h17X8',
    pubKeyCredParams: [
      { alg: -8, type: 'public-key' },
      { alg: -7, type: 'public-key' },
      { alg: -257, type: 'public-key' },
    ],
    timeout: 120000,
    attestation: 'none',
    excludeCredentials: [{ id: 'hiWssc9lY9Ia49kAzRn8lQ', type: 'public-key', transports: ['usb'] }],
    authenticatorSelection: {
      residentKey: 'required',
      userVerification: 'required',
      requireResidentKey: true,
    },
    extensions: { credProps: true },
    hints: [],
  },
};

export const REQUEST_OPTIONS_SCHEMA = {
  type: 'object',
  description:
    '`PublicKeyCredentialRequestOptionsJSON`: pass it to `PublicKeyCredential.' +
    'parseRequestOptionsFromJSON()` (or `startAuthentication()` of @simplewebauthn/browser)',
  example: {
    rpId: 'example.com',
    challenge: 'bSH-J_9uxUluackeXAqUZ2LMvZLMA7nZMBQmiuQln7E',
    timeout: 120000,
    userVerification: 'required',
  },
};

/** A passkey as its owner sees it: never its key or credential id. */
export class PasskeyDto {
  @ApiProperty({
    description: 'Its id, for `DELETE /auth/passkeys/{id}`',
    example: EXAMPLE_PASSKEY_ID,
  })
  id!: string;

  @ApiProperty({
    description: 'The name given when it was registered',
    example: 'MacBook Touch ID',
  })
  name!: string;

  @ApiProperty({
    description: 'How the browser can reach the authenticator (`internal`, `usb`, `hybrid`, …)',
    example: ['internal', 'hybrid'],
    type: [String],
  })
  transports!: string[];

  @ApiProperty({
    description:
      '`singleDevice`: bound to one authenticator; `multiDevice`: a synced passkey (a password ' +
      "manager's or a platform's), which may exist on several devices",
    enum: ['singleDevice', 'multiDevice'],
    example: 'multiDevice',
  })
  deviceType!: 'singleDevice' | 'multiDevice';

  @ApiProperty({ description: 'Whether a synced passkey is backed up', example: true })
  backedUp!: boolean;

  @ApiProperty({ description: 'ISO 8601', example: '2026-11-30T09:16:12.000Z' })
  createdAt!: string;

  @ApiProperty({
    description: 'ISO 8601; null until it first signs in',
    example: '2026-12-01T08:02:45.000Z',
    nullable: true,
    type: String,
  })
  lastUsedAt!: string | null;

  static of(passkey: StoredPasskey): PasskeyDto {
    return {
      id: passkey.id,
      name: passkey.name,
      transports: passkey.transports,
      deviceType: passkey.deviceType,
      backedUp: passkey.backedUp,
      createdAt: new Date(passkey.createdAt).toISOString(),
      lastUsedAt: passkey.lastUsedAt === null ? null : new Date(passkey.lastUsedAt).toISOString(),
    };
  }
}
