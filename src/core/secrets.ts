/**
 * Secrets the product needs (install secret, operator console token, decoy JWT key) are generated on first
 * start into DATA_DIR/secrets.json with mode 0600 — never logged, never in git, never in events.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';

export interface Secrets {
  /** Seeds everything that must differ between installations (UID root, identities, tokens). */
  installSecret: string;
  /** Bearer token of the operator console. */
  consoleToken: string;
  /** HMAC key of the decoy portal's session and admin tokens. */
  jwtKey: string;
}

const FIELDS: Array<keyof Secrets> = ['installSecret', 'consoleToken', 'jwtKey'];

function generate(): Secrets {
  return {
    installSecret: randomBytes(32).toString('hex'),
    consoleToken: randomBytes(24).toString('base64url'),
    jwtKey: randomBytes(32).toString('base64url'),
  };
}

export interface LoadedSecrets {
  secrets: Secrets;
  /** True when this call created the file (first start): the caller prints the console token once. */
  created: boolean;
}

export function loadOrCreateSecrets(path: string): LoadedSecrets {
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) chmodSync(path, 0o600);
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Secrets>;
    const fresh = generate();
    let changed = false;
    for (const f of FIELDS) {
      if (typeof parsed[f] !== 'string' || parsed[f]!.length < 16) {
        parsed[f] = fresh[f];
        changed = true;
      }
    }
    if (changed) write(path, parsed as Secrets);
    return { secrets: parsed as Secrets, created: false };
  }
  const secrets = generate();
  write(path, secrets);
  return { secrets, created: true };
}

function write(path: string, secrets: Secrets): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
