/**
 * Reputation answers as the flat `summary` record of a `dicomhawk.intel.result` event: the service's own field
 * names (so an analyst can look them up in its documentation), nested objects as dotted keys
 * (`last_analysis_stats.malicious`), lists of scalars joined with commas, every string bounded, and every
 * configured API key scrubbed from every string (the clients never put one there; this is the second lock).
 */
import { LIMITS, clip } from '../../core/events/bounded.ts';
import type { EventFields } from '../../core/events/catalogue.ts';
import { scrub } from '../../domain/intel/clients/http.ts';
import type { IntelFailure, IntelService } from '../../domain/intel/types.ts';

export type SummaryValue = string | number | boolean | null;
export type EventService = EventFields<'dicomhawk.intel.result'>['service'];

/** Event names of the services (the catalogue spells IPQS out). */
export const EVENT_SERVICE: Record<IntelService, EventService> = { abuseipdb: 'abuseipdb', ipqs: 'ipqualityscore', virustotal: 'virustotal' };

const MAX_KEYS = 64;
const MAX_DEPTH = 3;

function text(v: string, secrets: readonly string[]): string {
  return clip(scrub(v, secrets), LIMITS.short).value;
}

function scalar(v: unknown, secrets: readonly string[]): SummaryValue | undefined {
  if (v === null) return null;
  if (typeof v === 'string') return text(v, secrets);
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v;
  return undefined;
}

/** Flattens a parsed service summary into `{ key: scalar }`, bounded in keys, depth and string length. */
export function flattenSummary(value: unknown, secrets: readonly string[] = []): Record<string, SummaryValue> {
  const out: Record<string, SummaryValue> = {};
  let keys = 0;
  const walk = (v: unknown, prefix: string, depth: number): void => {
    if (keys >= MAX_KEYS) return;
    const s = scalar(v, secrets);
    if (s !== undefined) {
      if (prefix) {
        out[prefix] = s;
        keys++;
      }
      return;
    }
    if (Array.isArray(v)) {
      const items = v.map((x) => scalar(x, secrets)).filter((x): x is Exclude<SummaryValue, null> => x !== undefined && x !== null);
      if (prefix) {
        out[prefix] = clip(items.join(','), LIMITS.medium).value;
        keys++;
      }
      return;
    }
    if (typeof v === 'object' && v !== null && depth < MAX_DEPTH) {
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) walk(child, prefix ? `${prefix}.${k}` : k, depth + 1);
    }
  };
  walk(value, '', 0);
  return out;
}

/** A failure as event fields: the kind and numbers in `summary`, the (scrubbed) message in `error`. */
export function failureFields(error: IntelFailure | { kind: 'dropped'; message: string }, secrets: readonly string[] = []): { summary: Record<string, SummaryValue>; error: string } {
  const summary: Record<string, SummaryValue> = { kind: error.kind };
  if ('status' in error) summary.status = error.status;
  if ('code' in error) summary.code = error.code === null ? null : text(error.code, secrets);
  if ('retryAfterMs' in error) summary.retry_after_ms = error.retryAfterMs;
  if ('timeoutMs' in error) summary.timeout_ms = error.timeoutMs;
  return { summary, error: clip(`${error.kind}: ${scrub(error.message, secrets)}`, LIMITS.medium).value };
}
