/** The fields of `dicomhawk.web.request` taken from a request as sent (bounded; attacker text is data). */
import type { IncomingMessage } from 'node:http';
import { clip, LIMITS } from '../../../core/events/bounded.ts';

/** Headers recorded as sent (name as the client spelled it). */
const SELECTED = new Set([
  'host',
  'user-agent',
  'referer',
  'origin',
  'accept',
  'accept-language',
  'accept-encoding',
  'content-type',
  'content-length',
  'transfer-encoding',
  'authorization',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  'forwarded',
  'via',
  'x-requested-with',
  'x-csrf-token',
]);
const MAX_HEADERS = 32;

export function selectedHeaders(raw: IncomingMessage): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  const h = raw.rawHeaders;
  for (let i = 0; i + 1 < h.length && out.length < MAX_HEADERS; i += 2) {
    const name = h[i]!;
    if (SELECTED.has(name.toLowerCase())) out.push({ name: clip(name, LIMITS.short).value, value: clip(h[i + 1]!, LIMITS.medium).value });
  }
  return out;
}

/** Path and query as sent (not decoded), each bounded. */
export function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  return { path: clip(path, LIMITS.medium).value, query: clip(query, LIMITS.medium).value };
}
