/**
 * Value parsers shared by the configuration schema. Each turns the raw text of an environment variable
 * (or a YAML scalar rendered as text) into a typed value, or fails with a message that says what is allowed.
 */
import { z } from 'zod';

const TRUE = new Set(['yes', 'true', '1', 'on']);
const FALSE = new Set(['no', 'false', '0', 'off']);

/** yes/no/true/false/1/0 (and on/off), case-insensitive. */
export const bool = z.string().transform((raw, ctx) => {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  ctx.addIssue({ code: 'custom', message: 'expected yes/no, true/false or 1/0' });
  return z.NEVER;
});

export function int(min: number, max: number) {
  return z.string().transform((raw, ctx) => {
    const v = raw.trim();
    if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}` });
      return z.NEVER;
    }
    return Number(v);
  });
}

export const port = int(1, 65535);

/** One port or a comma list (`104,11112`), without duplicates. */
export const portList = z.string().transform((raw, ctx) => {
  const parts = raw.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  const ports = parts.map(Number);
  if (parts.length === 0 || parts.some((p, i) => !/^\d+$/.test(p) || ports[i]! < 1 || ports[i]! > 65535)) {
    ctx.addIssue({ code: 'custom', message: 'expected a port from 1 to 65535 or a comma list of ports (e.g. 104,11112)' });
    return z.NEVER;
  }
  if (new Set(ports).size !== ports.length) {
    ctx.addIssue({ code: 'custom', message: 'the same port is listed twice' });
    return z.NEVER;
  }
  return ports;
});

/** A JSON list (`["CT","MR"]`) or a comma list (`CT,MR`) of non-empty strings. */
export function stringList(item: z.ZodType<string> = z.string().min(1)) {
  return z.string().transform((raw, ctx) => {
    const text = raw.trim();
    let values: unknown;
    if (text.startsWith('[')) {
      try {
        values = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected a JSON list like ["CT","MR"] or a comma list like CT,MR' });
        return z.NEVER;
      }
    } else {
      values = text.length === 0 ? [] : text.split(',').map((s) => s.trim());
    }
    const parsed = z.array(item).safeParse(values);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: `expected a JSON list or a comma list: ${parsed.error.issues[0]?.message ?? 'bad item'}` });
      return z.NEVER;
    }
    return parsed.data;
  });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.string().transform((raw, ctx) => {
    const v = raw.trim().toLowerCase();
    if (!(values as readonly string[]).includes(v)) {
      ctx.addIssue({ code: 'custom', message: `expected one of ${values.join(', ')}` });
      return z.NEVER;
    }
    return v as T[number];
  });
}

export const text = z.string().transform((s) => s.trim());

/** An absolute http(s) URL without a trailing slash. */
export const httpUrl = z.string().transform((raw, ctx) => {
  try {
    const u = new URL(raw.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    return u.toString().replace(/\/$/, '');
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected an absolute http:// or https:// URL' });
    return z.NEVER;
  }
});

/** A redis:// or rediss:// URL. */
export const redisUrl = z.string().transform((raw, ctx) => {
  try {
    const u = new URL(raw.trim());
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error('scheme');
    return u.toString();
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected redis://[user:password@]host:port[/db] or rediss:// for TLS' });
    return z.NEVER;
  }
});

/** A byte size: plain bytes or with a K/M/G suffix (binary units). */
export function byteSize(min: number, max: number) {
  return z.string().transform((raw, ctx) => {
    const m = /^(\d+)\s*([kmg]i?b?)?$/i.exec(raw.trim());
    const unit = m?.[2]?.[0]?.toLowerCase();
    const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
    const n = m ? Number(m[1]) * mult : NaN;
    if (!Number.isFinite(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `expected a size from ${min} to ${max} bytes (suffix K, M or G allowed)` });
      return z.NEVER;
    }
    return n;
  });
}

/** An AE title: 1–16 characters of the default repertoire, no backslash or control characters. */
export const aeTitle = z.string().transform((raw, ctx) => {
  const v = raw.trim();
  if (v.length < 1 || v.length > 16 || [...v].some((ch) => ch === '\\' || ch < ' ' || ch > '~')) {
    ctx.addIssue({ code: 'custom', message: 'expected an AE title of 1 to 16 printable ASCII characters without a backslash' });
    return z.NEVER;
  }
  return v;
});

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function showMs(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** A duration with a unit (`500ms`, `30s`, `15m`, `24h`, `7d`), as milliseconds. */
export function duration(minMs: number, maxMs: number) {
  return z.string().transform((raw, ctx) => {
    const m = /^(\d+)\s*(ms|s|m|h|d)$/i.exec(raw.trim());
    const ms = m ? Number(m[1]) * DURATION_UNITS[m[2]!.toLowerCase()]! : NaN;
    if (!Number.isFinite(ms) || ms < minMs || ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: `expected a duration from ${showMs(minMs)} to ${showMs(maxMs)} with a unit (ms, s, m, h or d), e.g. 15m or 24h` });
      return z.NEVER;
    }
    return ms;
  });
}

const RATE_UNITS: Record<string, number> = {
  s: 1000, sec: 1000, second: 1000,
  m: 60_000, min: 60_000, minute: 60_000,
  h: 3_600_000, hour: 3_600_000,
  d: 86_400_000, day: 86_400_000,
  month: 30 * 86_400_000,
};

/**
 * Request quotas: a comma list of `N/unit` (`4/min,500/day`); a request needs room in every one of them.
 * Units: s, min, hour, day, month (30 days).
 */
export const rateLimits = z.string().transform((raw, ctx) => {
  const parts = raw.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  const out: Array<{ limit: number; intervalMs: number }> = [];
  for (const part of parts) {
    const m = /^(\d+)\s*\/\s*([a-z]+)$/i.exec(part);
    const unit = m ? RATE_UNITS[m[2]!.toLowerCase()] : undefined;
    const limit = m ? Number(m[1]) : 0;
    if (!m || unit === undefined || limit < 1 || limit > 1_000_000_000) {
      ctx.addIssue({ code: 'custom', message: 'expected quotas like 4/min,500/day (a whole number ≥ 1 per s, min, hour, day or month)' });
      return z.NEVER;
    }
    out.push({ limit, intervalMs: unit });
  }
  if (out.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'expected at least one quota, e.g. 1000/day' });
    return z.NEVER;
  }
  return out;
});

export interface MoveDestination {
  ae: string;
  host: string;
  port: number;
}

/** `AE=host:port,AE2=host:port` (empty: none). AE titles are compared exactly, as DICOM does. */
export const moveDestinationList = z.string().transform((raw, ctx) => {
  const out: MoveDestination[] = [];
  for (const part of raw.split(',').map((p) => p.trim()).filter((p) => p.length > 0)) {
    const m = /^([^=\\]{1,16})=([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(part);
    const p = m ? Number(m[3]) : 0;
    if (!m || p < 1 || p > 65535) {
      ctx.addIssue({ code: 'custom', message: `expected AE=host:port entries separated by commas (e.g. STORESCP=10.0.0.7:11113), not ${JSON.stringify(part)}` });
      return z.NEVER;
    }
    out.push({ ae: m[1]!.trim(), host: m[2]!.replace(/^\[|\]$/g, ''), port: p });
  }
  if (new Set(out.map((d) => d.ae)).size !== out.length) {
    ctx.addIssue({ code: 'custom', message: 'the same AE title is listed twice' });
    return z.NEVER;
  }
  return out;
});
