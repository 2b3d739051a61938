import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  Equals,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IfPresent } from '../../../common/validation.pipe';

/*
 * The JSON of a PublicKeyCredential (WebAuthn L3 `toJSON()`, what @simplewebauthn/browser
 * sends): validated for shape and size only. What it proves is checked by the ceremony itself.
 */

/** Browsers send `null` for some absent members (`userHandle`, `authenticatorAttachment`). */
const PresentNotNull = () => ValidateIf((_object: object, value: unknown) => value != null);

/** More transports than a browser could report (WebAuthn knows 6): refused with a 400. */
const MAX_TRANSPORTS_SENT = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const base64url = (field: string) => Matches(BASE64URL, { message: `${field} must be base64url` });

class AttestationResponseJson {
  @IsString()
  @MaxLength(4096)
  @base64url('clientDataJSON')
  clientDataJSON!: string;

  @IsString()
  @MaxLength(16_384)
  @base64url('attestationObject')
  attestationObject!: string;

  @IfPresent()
  @IsString()
  @MaxLength(16_384)
  @base64url('authenticatorData')
  authenticatorData?: string;

  /** Bounded here; unknown values and repeats are dropped by the service (usableTransports). */
  @IfPresent()
  @IsArray()
  @ArrayMaxSize(MAX_TRANSPORTS_SENT)
  @IsString({ each: true })
  @MaxLength(32, { each: true })
  transports?: string[];

  @IfPresent()
  @IsInt()
  publicKeyAlgorithm?: number;

  @IfPresent()
  @IsString()
  @MaxLength(4096)
  @base64url('publicKey')
  publicKey?: string;
}

class AssertionResponseJson {
  @IsString()
  @MaxLength(4096)
  @base64url('clientDataJSON')
  clientDataJSON!: string;

  @IsString()
  @MaxLength(4096)
  @base64url('authenticatorData')
  authenticatorData!: string;

  @IsString()
  @MaxLength(2048)
  @base64url('signature')
  signature!: string;

  @PresentNotNull()
  @IsString()
  @MaxLength(128)
  @base64url('userHandle')
  userHandle?: string | null;
}

/** What every PublicKeyCredential JSON has besides its `response`. */
abstract class CredentialJson {
  @IsString()
  @MaxLength(1400)
  @base64url('id')
  id!: string;

  @IsString()
  @MaxLength(1400)
  @base64url('rawId')
  rawId!: string;

  @Equals('public-key')
  type!: 'public-key';

  @IsObject()
  clientExtensionResults!: Record<string, never>;

  @PresentNotNull()
  @IsIn(['platform', 'cross-platform'])
  authenticatorAttachment?: 'platform' | 'cross-platform' | null;
}

/** What `navigator.credentials.create()` made, as JSON. */
export class RegistrationCredentialJson extends CredentialJson {
  @IsObject()
  @ValidateNested()
  @Type(() => AttestationResponseJson)
  response!: AttestationResponseJson;
}

/** What `navigator.credentials.get()` signed, as JSON. */
export class AuthenticationCredentialJson extends CredentialJson {
  @IsObject()
  @ValidateNested()
  @Type(() => AssertionResponseJson)
  response!: AssertionResponseJson;
}
