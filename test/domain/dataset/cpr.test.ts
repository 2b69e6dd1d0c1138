import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../../src/domain/dataset/rng.ts';
import { cprYear, generateCpr, isValidCpr, parseCpr, satisfiesMod11, seventhDigitsFor } from '../../../src/domain/dataset/cpr.ts';
import { daysToDA, daToDays } from '../../../src/domain/dataset/dicom/dates.ts';

describe('CPR numbers', () => {
  it('follows the CPR office century table', () => {
    assert.equal(cprYear(85, 0), 1985);
    assert.equal(cprYear(10, 3), 1910);
    assert.equal(cprYear(20, 4), 2020);
    assert.equal(cprYear(40, 4), 1940);
    assert.equal(cprYear(36, 9), 2036);
    assert.equal(cprYear(37, 9), 1937);
    assert.equal(cprYear(57, 5), 2057);
    assert.equal(cprYear(58, 8), 1858);
    assert.deepEqual(seventhDigitsFor(1890), [5, 6, 7, 8]);
    assert.deepEqual(seventhDigitsFor(1950), [0, 1, 2, 3, 4, 9]);
    assert.deepEqual(seventhDigitsFor(2010), [4, 5, 6, 7, 8, 9]);
    assert.deepEqual(seventhDigitsFor(2045), [5, 6, 7, 8]);
    assert.deepEqual(seventhDigitsFor(1857), []);
  });

  it('generates numbers whose date, century digit and parity match birth date and sex', () => {
    const rng = createRng('cpr-test', 'gen');
    const start = daToDays('18600101');
    const end = daToDays('20561231');
    for (let i = 0; i < 3000; i++) {
      const birth = daysToDA(rng.int(start, end));
      const sex = rng.chance(0.5) ? 'M' : 'F';
      const cpr = generateCpr(rng, birth, sex);
      assert.match(cpr, /^\d{6}-\d{4}$/);
      const info = parseCpr(cpr);
      assert.ok(info, `${cpr} should parse`);
      assert.equal(info.birthDate, birth, cpr);
      assert.equal(info.sex, sex, cpr);
      assert.equal(Number(cpr[10]) % 2, sex === 'M' ? 1 : 0);
      assert.equal(cpr.slice(0, 6), `${birth.slice(6, 8)}${birth.slice(4, 6)}${birth.slice(2, 4)}`);
      if (birth < '20071001') assert.ok(info.mod11, `${cpr} (born ${birth}) should satisfy modulus 11`);
    }
  });

  it('may issue numbers without modulus 11 after October 2007, as the CPR office does', () => {
    const rng = createRng('cpr-test', 'mod11');
    const results = Array.from({ length: 200 }, () => parseCpr(generateCpr(rng, '20150612', 'F'))?.mod11);
    assert.ok(results.includes(false));
    assert.ok(results.every((r) => r !== undefined));
  });

  it('validates format and calendar date, with or without the hyphen', () => {
    assert.ok(isValidCpr('0101700009'));
    assert.ok(isValidCpr('010170-0009'));
    assert.equal(parseCpr('010170-0009')?.sex, 'M');
    assert.equal(parseCpr('010170-0009')?.birthDate, '19700101');
    assert.ok(!isValidCpr('310270-0009'), 'no 31 February');
    assert.ok(!isValidCpr('290201-4000'), '29 Feb 2001 does not exist');
    assert.ok(!isValidCpr('010170-000'));
    assert.ok(!isValidCpr('0101700009x'));
    assert.ok(isValidCpr('290200-4002'), '29 Feb 2000 exists (7th digit 4 → 2000)');
    assert.ok(!isValidCpr('290200-0002'), '29 Feb 1900 does not exist (7th digit 0 → 1900)');
  });

  it('checks modulus 11 with the official weights', () => {
    assert.ok(satisfiesMod11('0707614285'));
    assert.ok(!satisfiesMod11('0707614286'));
  });
});
