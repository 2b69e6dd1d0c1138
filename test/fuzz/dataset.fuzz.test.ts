import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IDENTIFIER_LIMITS, readIdentifier, writeIdentifier } from '../../src/services/dimse/dataset/identifier.ts';
import { walkDataset } from '../../src/domain/dicom/walker.ts';
import { fuzzParams } from './fuzz.ts';

const SYNTAXES = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2'];

test('random bytes: the walker and the identifier reader answer, never throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom(...SYNTAXES), (bytes, ts) => {
      const buf = Buffer.from(bytes);
      const w = walkDataset(buf, ts, { maxDepth: 8, maxItems: 50, maxElements: 200 });
      if (!w.ok) assert.ok(w.offset >= 0 && w.offset <= buf.length);
      const r = readIdentifier(buf, ts);
      assert.equal(r.ok, walkDataset(buf, ts, IDENTIFIER_LIMITS).ok, 'the reader accepts exactly what the walker accepts');
    }),
    fuzzParams,
  );
});

const text = fc.stringMatching(/^[A-Z0-9^*? ]{0,20}$/);
const identifier = fc.record({
  level: fc.constantFrom('PATIENT', 'STUDY', 'SERIES', 'IMAGE'),
  name: text,
  id: text,
  uids: fc.array(fc.array(fc.integer({ min: 1, max: 99999 }), { minLength: 2, maxLength: 6 }).map((p) => p.join('.')), { maxLength: 3 }),
  rows: fc.integer({ min: 0, max: 0xffff }),
});

test('identifiers we write walk cleanly and read back; mutated ones fail softly', () => {
  fc.assert(
    fc.property(identifier, fc.constantFrom(...SYNTAXES), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (q, ts, flips) => {
      const buf = writeIdentifier(
        [
          { tag: '00080052', value: q.level },
          { tag: '00100010', value: q.name },
          { tag: '00100020', value: q.id },
          { tag: '00081110', items: q.uids.map((u) => [{ tag: '00081155', value: u }]) },
          { tag: '00280010', value: q.rows },
        ],
        ts,
      );
      const r = readIdentifier(buf, ts);
      assert.ok(r.ok);
      assert.equal(r.elements.find((e) => e.tag === '00100010')?.value, q.name.replace(/ +$/, ''));
      assert.deepEqual(
        r.elements.find((e) => e.tag === '00081110')?.sequence?.map((item) => item[0]?.value),
        q.uids,
      );
      const mutated = Buffer.from(buf);
      for (const [pos, v] of flips) if (mutated.length > 0) mutated[pos % mutated.length] = v;
      walkDataset(mutated, ts);
      readIdentifier(mutated, ts);
    }),
    fuzzParams,
  );
});
