/*
 * Tessera's own checks of a new credential, after the library's (docs/passkeys.md): what it
 * stores must be usable at every later sign-in, and bounded.
 */

/** WebAuthn L3 §5.8.4 AuthenticatorTransport: the values a browser reports today. */
const KNOWN_TRANSPORTS: ReadonlySet<string> = new Set([
  'usb',
  'nfc',
  'ble',
  'smart-card',
  'hybrid',
  'internal',
]);

/**
 * The known transports of a credential, each once, in the order given. Unknown values are
 * dropped, not refused (WebAuthn §2.1.1: a relying party ignores enumeration values it does not
 * know, so a browser's newer one does not break a registration); the DTO bounds the list.
 */
export function usableTransports(given: readonly string[] | undefined): string[] {
  return [...new Set((given ?? []).filter((t) => KNOWN_TRANSPORTS.has(t)))];
}
