// Offline GeoIP / ASN lookups from MaxMind-format (.mmdb) files. Never touches the network.
//
// Default database: the one @ip-location-db/geo-whois-asn-country-mmdb ships (CC BY 4.0, NRO data). NOTE: despite
// its name its records hold ONLY `country_code` (the "asn" names a source of the country data), so with the default
// file `asn` and `as_org` are null. An operator who wants ASNs points GEOIP_DB at one or more other files
// (comma-separated) — GeoLite2-City/Country/ASN, or ip-location-db's asn mmdb — and the answers are merged.
// The record shape of each file is detected per record, so any mix works.
import { createRequire } from 'node:module';
import path from 'node:path';
import maxmind from 'maxmind';
import type { Reader, Response } from 'maxmind';
import { normalizeIp } from './address.ts';

export interface GeoInfo {
  country_code: string | null;
  asn: number | null;
  as_org: string | null;
}

/** The country mmdb inside @ip-location-db/geo-whois-asn-country-mmdb. */
export function defaultGeoDbPath(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/package.json');
  return path.join(path.dirname(pkg), 'geo-whois-asn-country.mmdb');
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isoOf = (v: unknown): string | null => (isObj(v) && typeof v.iso_code === 'string' ? v.iso_code : null);

/**
 * Reads one record of any supported shape:
 * - ip-location-db country / city:      { country_code, ... }
 * - ip-location-db asn:                 { autonomous_system_number, autonomous_system_organization }
 * - GeoLite2/GeoIP2 Country and City:   { country: { iso_code }, registered_country: { iso_code }, traits?: {...} }
 * - GeoLite2/GeoIP2 ASN and ISP:        { autonomous_system_number, autonomous_system_organization }
 */
export function geoFromRecord(record: unknown): GeoInfo | null {
  if (!isObj(record)) return null;
  const traits = isObj(record.traits) ? record.traits : {};
  const country =
    (typeof record.country_code === 'string' ? record.country_code : null) ?? isoOf(record.country) ?? isoOf(record.registered_country);
  const asnRaw = record.autonomous_system_number ?? traits.autonomous_system_number;
  const orgRaw = record.autonomous_system_organization ?? traits.autonomous_system_organization;
  const asn = typeof asnRaw === 'number' && Number.isInteger(asnRaw) ? asnRaw : null;
  const asOrg = typeof orgRaw === 'string' ? orgRaw : null;
  if (country === null && asn === null && asOrg === null) return null;
  return { country_code: country ? country.toUpperCase() : null, asn, as_org: asOrg };
}

export class GeoIp {
  readonly #readers: Reader<Response>[];
  readonly paths: string[];

  private constructor(readers: Reader<Response>[], paths: string[]) {
    this.#readers = readers;
    this.paths = paths;
  }

  /** Opens the given files (default: the shipped country database). Reads each file fully into memory once. */
  static async open(paths: string | readonly string[] = defaultGeoDbPath()): Promise<GeoIp> {
    const list = (typeof paths === 'string' ? paths.split(',') : [...paths]).map((p) => p.trim()).filter(Boolean);
    if (list.length === 0) throw new Error('GeoIp.open: no database path');
    const readers = await Promise.all(list.map((p) => maxmind.open<Response>(p)));
    return new GeoIp(readers, list);
  }

  /** Synchronous lookup; null for invalid, private or unknown addresses. The first file with a value wins per field. */
  lookup(ip: string): GeoInfo | null {
    const n = normalizeIp(ip);
    if (!n) return null;
    const out: GeoInfo = { country_code: null, asn: null, as_org: null };
    let found = false;
    for (const r of this.#readers) {
      const g = geoFromRecord(r.get(n.ip));
      if (!g) continue;
      found = true;
      out.country_code ??= g.country_code;
      out.asn ??= g.asn;
      out.as_org ??= g.as_org;
    }
    return found ? out : null;
  }
}
