import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodingForCharset, parseSpecificCharacterSet } from '../../../src/domain/dicom/charset.ts';

test('maps the supported defined terms to decoders', () => {
  const cases: [string | null, string, boolean][] = [
    [null, 'ascii', true],
    ['', 'ascii', true],
    ['ISO_IR 6', 'ascii', true],
    ['ISO_IR 100', 'latin1', true],
    ['ISO_IR 192', 'utf8', true],
    ['ISO 2022 IR 6', 'iso2022', true],
    ['ISO 2022 IR 6\\ISO 2022 IR 100', 'iso2022', true],
    ['\\ISO 2022 IR 100', 'iso2022', true],
    ['ISO_IR 144', 'latin1', false],
    ['GB18030', 'latin1', false],
  ];
  for (const [value, decoder, known] of cases) {
    const cs = parseSpecificCharacterSet(value);
    assert.equal(cs.decoder, decoder, String(value));
    assert.equal(cs.known, known, String(value));
  }
});

test('lenient on spelling, but the spelling is recorded', () => {
  const cs = parseSpecificCharacterSet('iso-ir 100');
  assert.equal(cs.decoder, 'latin1');
  assert.ok(cs.anomalies.some((a) => a.includes("non-standard SpecificCharacterSet spelling 'iso-ir 100'")));
  assert.ok(parseSpecificCharacterSet('ISO_IR 192\\ISO_IR 100').anomalies.includes('ISO_IR 192 combined with other terms'));
  assert.equal(encodingForCharset('ISO_IR 192'), 'utf8');
  assert.equal(encodingForCharset('ISO_IR 100'), 'latin1');
  assert.equal(encodingForCharset(null), 'latin1');
});
