import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DimseAssembler } from '../../src/services/dimse/dimse/assembler.ts';
import { DimseDecodeError, decodeCommand, encodeCommand } from '../../src/services/dimse/dimse/command.ts';
import { decodePData } from '../../src/services/dimse/pdu/pData.ts';
import { PduDecodeError } from '../../src/services/dimse/pdu/errors.ts';
import { fuzzParams } from './fuzz.ts';

test('random command sets: decoded or a typed error, never a throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const r = decodeCommand(Buffer.from(bytes));
      if (!r.ok) assert.ok(r.error instanceof DimseDecodeError);
    }),
    fuzzParams,
  );
});

const uid = fc.array(fc.integer({ min: 1, max: 999 }), { minLength: 2, maxLength: 8 }).map((p) => p.join('.'));
const u16 = fc.integer({ min: 0, max: 0xffff });
const ae = fc.stringMatching(/^[A-Z0-9_-]{1,16}$/);

test('encode then decode gives back the command fields', () => {
  fc.assert(
    fc.property(
      fc.record(
        {
          commandField: u16,
          messageId: u16,
          affectedSopClassUid: uid,
          affectedSopInstanceUid: uid,
          moveDestination: ae,
          priority: fc.integer({ min: 0, max: 2 }),
          status: u16,
          remaining: u16,
          // LO: leading and trailing spaces are not significant (PS3.5 Table 6.2-1), so none are generated.
          errorComment: fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9 ]{0,38}[A-Za-z0-9])?$/),
          hasDataset: fc.boolean(),
        },
        { requiredKeys: ['commandField', 'hasDataset'] },
      ),
      (init) => {
        const r = decodeCommand(encodeCommand(init));
        assert.ok(r.ok);
        assert.deepEqual(r.command.anomalies, []);
        for (const [k, v] of Object.entries(init)) assert.deepEqual((r.command as unknown as Record<string, unknown>)[k], v, k);
      },
    ),
    fuzzParams,
  );
});

test('random P-DATA bodies and PDV sequences: typed errors only, assembler never throws', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 200 }),
      fc.array(fc.record({ contextId: fc.integer({ min: 0, max: 5 }), command: fc.boolean(), last: fc.boolean(), data: fc.uint8Array({ maxLength: 80 }) }), { maxLength: 12 }),
      (body, pdvs) => {
        try {
          decodePData(Buffer.from(body));
        } catch (e) {
          assert.ok(e instanceof PduDecodeError);
        }
        const a = new DimseAssembler({ maxCommandBytes: 256, maxDatasetBytes: 256 });
        for (const p of pdvs) {
          const r = a.push({ ...p, controlHeader: 0, data: Buffer.from(p.data), offset: 6 });
          assert.ok(['pending', 'command', 'message', 'error'].includes(r.kind));
          assert.ok(a.bufferedBytes <= 256);
        }
      },
    ),
    fuzzParams,
  );
});
