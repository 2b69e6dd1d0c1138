import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { GeoIp, defaultGeoDbPath, geoFromRecord } from '../../../src/domain/intel/geo.ts';

describe('geo record shapes', () => {
  const cases: [string, unknown, ReturnType<typeof geoFromRecord>][] = [
    ['ip-location-db country', { country_code: 'dk' }, { country_code: 'DK', asn: null, as_org: null }],
    ['ip-location-db city', { country_code: 'DE', state1: 'Bavaria', city: 'Munich' }, { country_code: 'DE', asn: null, as_org: null }],
    ['GeoLite2 ASN', { autonomous_system_number: 14061, autonomous_system_organization: 'DIGITALOCEAN-ASN' }, { country_code: null, asn: 14061, as_org: 'DIGITALOCEAN-ASN' }],
    ['GeoLite2 Country', { continent: { code: 'EU' }, country: { iso_code: 'NL', names: { en: 'Netherlands' } }, registered_country: { iso_code: 'NL' } }, { country_code: 'NL', asn: null, as_org: null }],
    ['GeoLite2 City, registered country only', { registered_country: { iso_code: 'US' }, city: { names: { en: 'X' } } }, { country_code: 'US', asn: null, as_org: null }],
    ['GeoIP2 Enterprise traits', { country: { iso_code: 'SE' }, traits: { autonomous_system_number: 3301, autonomous_system_organization: 'Telia Company AB' } }, { country_code: 'SE', asn: 3301, as_org: 'Telia Company AB' }],
    ['empty', {}, null],
    ['not an object', 'x', null],
    ['null', null, null],
  ];
  for (const [name, record, want] of cases) it(name, () => assert.deepEqual(geoFromRecord(record), want));
});

describe('GeoIp with the shipped database', () => {
  let geo: GeoIp;
  before(async () => {
    assert.ok(existsSync(defaultGeoDbPath()), defaultGeoDbPath());
    geo = await GeoIp.open();
  });

  it('finds a country for well-known public addresses (IPv4 and IPv6) synchronously', () => {
    assert.equal(geo.lookup('8.8.8.8')?.country_code, 'US');
    assert.equal(geo.lookup('2001:4860:4860::8888')?.country_code, 'US');
    assert.equal(geo.lookup('::ffff:8.8.8.8')?.country_code, 'US');
  });

  it('has no ASN in this database (country only)', () => {
    const g = geo.lookup('8.8.8.8');
    assert.equal(g?.asn, null);
    assert.equal(g?.as_org, null);
  });

  it('returns null for private, invalid and zone-scoped addresses', () => {
    for (const ip of ['10.0.0.1', '127.0.0.1', 'nonsense', '', 'fe80::1%eth0']) assert.equal(geo.lookup(ip), null, ip);
  });

  it('merges several files: the first non-null value per field wins', async () => {
    const twice = await GeoIp.open(`${defaultGeoDbPath()}, ${defaultGeoDbPath()}`);
    assert.equal(twice.paths.length, 2);
    assert.equal(twice.lookup('1.1.1.1')?.country_code, geo.lookup('1.1.1.1')?.country_code);
  });

  it('refuses an empty path list', async () => {
    await assert.rejects(GeoIp.open(''), /no database path/);
  });
});
