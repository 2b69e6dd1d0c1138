/**
 * Honeytoken identifiers and the URLs they sit behind.
 *
 * A token is a pure function of (install secret, seed, kind, object): re-seeding the same archive gives the
 * same tokens, another installation gives others, and nobody without the secret can guess one. It is 24
 * lower-case hex digits (96 bits), the shape of a session or document id in a portal URL.
 */
import { networkInterfaces, hostname } from 'node:os';
import type { Secret } from '../dataset/rng.ts';
import { deriveKey } from '../dataset/rng.ts';

export type HoneytokenKind = 'pdf' | 'url' | 'credential' | 'admin_token';

export function honeyToken(installSecret: Secret, seed: string, kind: HoneytokenKind, object: string): string {
  return deriveKey(installSecret, 'dicomhawk/honeytoken/v1', seed, kind, object).toString('hex').slice(0, 24);
}

/** `base` (no trailing slash) + `/` + token. */
export function honeyUrl(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}/${token}`;
}

const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]', '*']);

type Interfaces = ReturnType<typeof networkInterfaces>;

/**
 * The default HONEY_URL: the decoy portal's tracking endpoint, `http://<host>:<API_PORT>/t`. The host is
 * API_HOST when the portal binds one address, otherwise this machine's first non-internal IPv4 address
 * (the host name when it has none). Behind NAT or a load balancer that is not what an attacker reaches:
 * operators set HONEY_URL to the public name.
 */
export function defaultHoneyUrlBase(apiHost: string, apiPort: number, env: { interfaces?: Interfaces; hostname?: string } = {}): string {
  let host = apiHost.trim();
  if (WILDCARDS.has(host)) {
    const ifaces = env.interfaces ?? networkInterfaces();
    const names = Object.keys(ifaces).sort();
    const v4 = names.flatMap((n) => ifaces[n] ?? []).find((a) => a.family === 'IPv4' && !a.internal);
    host = v4?.address ?? env.hostname ?? hostname();
  }
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  return `http://${host}:${apiPort}/t`;
}
