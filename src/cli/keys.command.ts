import { KeyRotation, KeyStatus, RotationResult } from '../tokens/key-rotation';
import { DEFAULT_ACTIVATION_DELAY_SECONDS } from '../tokens/key-schedule';

export const KEYS_USAGE = [
  'Usage: keys rotate [--activate-in <seconds>]   add a key; it signs after the delay',
  `       (default ${DEFAULT_ACTIVATION_DELAY_SECONDS} s; with verifiers that cache the JWKS, use at least their cache time)`,
  '       keys list [--json]                       every key with its state and dates',
  '       keys encrypt                             encrypt plaintext private keys in place with',
  '                                                JWT_KEYS_PASSPHRASE',
].join('\n');

/** Runs `keys <command>`; returns the process exit code (2: bad usage). */
export async function runKeysCommand(
  rotation: KeyRotation,
  args: readonly string[],
  out: (line: string) => void,
): Promise<number> {
  const [command, ...rest] = args;
  if (command === 'rotate') {
    const activateInSeconds = activationDelay(rest);
    if (activateInSeconds === null) return usage(out);
    describeRotation(await rotation.rotate({ activateInSeconds }), out);
    return 0;
  }
  if (command === 'encrypt' && rest.length === 0) {
    describeEncryption(await rotation.encryptPlaintextKeys(), out);
    return 0;
  }
  if (command === 'list' && (rest.length === 0 || (rest.length === 1 && rest[0] === '--json'))) {
    const keys = await rotation.status();
    if (rest[0] === '--json') out(JSON.stringify(keys, null, 2));
    else out(keyTable(keys));
    return 0;
  }
  return usage(out);
}

/** The delay given with --activate-in; undefined when absent, null when malformed. */
function activationDelay(args: readonly string[]): number | undefined | null {
  if (args.length === 0) return undefined;
  if (args.length !== 2 || args[0] !== '--activate-in' || !/^\d+$/.test(args[1])) return null;
  return Number(args[1]);
}

function usage(out: (line: string) => void): number {
  out(KEYS_USAGE);
  return 2;
}

function describeRotation(result: RotationResult, out: (line: string) => void): void {
  out(
    `Added ${result.alg} key ${result.kid}; it is published now and signs from ${result.activatesAt}.`,
  );
  if (result.previousKid) {
    out(`Key ${result.previousKid} retires then and keeps verifying until its tokens expire.`);
  }
  for (const kid of result.pruned) out(`Deleted long-expired key ${kid}.`);
}

function describeEncryption(kids: readonly string[], out: (line: string) => void): void {
  if (kids.length === 0) out('Every private key is already encrypted.');
  for (const kid of kids) out(`Encrypted key ${kid} with JWT_KEYS_PASSPHRASE.`);
}

const COLUMNS: [string, (k: KeyStatus) => string][] = [
  ['STATE', (k) => k.state],
  ['KID', (k) => k.kid],
  ['ALG', (k) => k.alg],
  ['CREATED', (k) => k.createdAt],
  ['SIGNS FROM', (k) => k.activatesAt],
  ['SIGNS UNTIL', (k) => k.retiresAt ?? '-'],
  ['VERIFIES UNTIL', (k) => k.expiresAt ?? '-'],
];

/** A plain-text table, newest key first. */
export function keyTable(keys: readonly KeyStatus[]): string {
  if (keys.length === 0) return 'No keys yet (npm run keys:rotate creates the first one).';
  const rows = [
    COLUMNS.map(([title]) => title),
    ...[...keys].reverse().map((k) => COLUMNS.map(([, cell]) => cell(k))),
  ];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
