import { createHash, generateKeyPairSync, KeyObject, randomBytes, sign } from 'node:crypto';

/*
 * A WebAuthn authenticator in software (ES256, attestation "none"), for the HTTP tests of the
 * passkey routes: it makes the same JSON a browser sends, and can be told to lie (another
 * origin or RP ID, no user verification, a counter going back) where a browser never would.
 */

export type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

/** Just enough CBOR (RFC 8949) for a COSE key and an attestation object. */
function cbor(value: Cbor): Buffer {
  const head = (major: number, n: number): Buffer => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, text.length), text]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  const entries = [...value.entries()].flatMap(([k, v]) => [cbor(k), cbor(v)]);
  return Buffer.concat([head(5, value.size), ...entries]);
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

/** How a ceremony is performed; the defaults are what an honest browser and authenticator do. */
export interface Ceremony {
  origin: string;
  rpId: string;
  userVerified?: boolean;
  /** The counter to report; by default one more than the last. */
  counter?: number;
  /** Sign with another key than the credential's (a forged assertion). */
  forge?: boolean;
  /** What clientDataJSON says of `crossOrigin` (made in a frame of another origin). */
  crossOrigin?: boolean;
}

/** What a registration may be made with instead of the honest defaults. */
export interface Making {
  /** The COSE public key to attest (the credential's own ES256 key by default). */
  coseKey?: Map<Cbor, Cbor>;
  transports?: string[];
  /** The `id` and `rawId` of the JSON (the attested credential id by default). */
  id?: string;
}

export class SoftwareAuthenticator {
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private counter = 0;
  private userHandle: Uint8Array | null = null;

  constructor(readonly credentialId: Buffer = randomBytes(16)) {}

  /** The credential for creation options (JSON as the service sent them). */
  register(
    options: { challenge: string; user: { id: string } },
    ceremony: Ceremony,
    making: Making = {},
  ) {
    this.userHandle = Buffer.from(options.user.id, 'base64url');
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    const coseKey =
      making.coseKey ??
      new Map<Cbor, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]);
    const idLength = Buffer.from([this.credentialId.length >> 8, this.credentialId.length & 0xff]);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, cbor(coseKey)]);
    const authData = this.authenticatorData(ceremony, 0x40, attested);
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const clientData = this.clientData('webauthn.create', options.challenge, ceremony);
    const response = {
      clientDataJSON: b64url(clientData),
      attestationObject: b64url(attestationObject),
      transports: making.transports ?? ['internal'],
    };
    return { ...this.json(response), ...(making.id === undefined ? {} : idOf(making.id)) };
  }

  /** An assertion for request options (JSON as the service sent them). */
  authenticate(options: { challenge: string }, ceremony: Ceremony) {
    const authData = this.authenticatorData(ceremony, 0, Buffer.alloc(0));
    const clientData = this.clientData('webauthn.get', options.challenge, ceremony);
    const key: KeyObject = ceremony.forge
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
      : this.keys.privateKey;
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), key);
    return this.json({
      clientDataJSON: b64url(clientData),
      authenticatorData: b64url(authData),
      signature: b64url(signature),
      userHandle: this.userHandle ? b64url(this.userHandle) : undefined,
    });
  }

  /** Names another account in the user handle (unsigned: a client can send anything). */
  claimUser(userId: string): void {
    this.userHandle = Buffer.from(userId, 'utf8');
  }

  private authenticatorData(ceremony: Ceremony, extraFlags: number, attested: Buffer): Buffer {
    this.counter = ceremony.counter ?? this.counter + 1;
    const flags = 0x01 | (ceremony.userVerified === false ? 0 : 0x04) | extraFlags;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    return Buffer.concat([sha256(ceremony.rpId), Buffer.from([flags]), counter, attested]);
  }

  private clientData(type: string, challenge: string, ceremony: Ceremony): Buffer {
    const { origin, crossOrigin = false } = ceremony;
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin }));
  }

  private json(response: Record<string, unknown>) {
    return {
      ...idOf(b64url(this.credentialId)),
      type: 'public-key',
      response,
      clientExtensionResults: {},
    };
  }
}

const idOf = (id: string) => ({ id, rawId: id });

/** A COSE RSA key (RS256) of any modulus and exponent, for keys no authenticator should make. */
export function rsaCoseKey(modulus: Uint8Array, exponent: Uint8Array): Map<Cbor, Cbor> {
  return new Map<Cbor, Cbor>([
    [1, 3], // kty: RSA
    [3, -257], // alg: RS256
    [-1, modulus],
    [-2, exponent],
  ]);
}
