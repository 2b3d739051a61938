/** The members of a ceremony's clientDataJSON that Tessera reads itself (WebAuthn §5.8.1). */
export interface ClientData {
  challenge?: unknown;
  crossOrigin?: unknown;
}

/** clientDataJSON (base64url) as an object; null when it is not a JSON object. */
export function clientDataOf(clientDataJSON: string): ClientData | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Whether the browser made the credential or signature in a frame of another origin
 * (`crossOrigin: true`). Tessera is never embedded to register or sign in: such a ceremony was
 * started by whichever site framed it, so it is refused (docs/passkeys.md).
 */
export function madeCrossOrigin(clientData: ClientData | null): boolean {
  return clientData?.crossOrigin === true;
}
