import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AbortReason,
  AbortSource,
  FALLBACK_REJECTION,
  isAssociateRejection,
  RejectReasonAcse,
  RejectReasonPresentation,
  RejectReasonServiceUser,
  RejectResult,
  RejectSource,
} from '../../../../src/services/dimse/dul/constants.ts';
import {
  DUL_EVENT_DESCRIPTIONS,
  DUL_EVENTS,
  DUL_MACHINE_EVENT_DESCRIPTIONS,
  eventForPduType,
  HAWK_DUL_EVENTS,
  PDU_TYPE_EVENTS,
} from '../../../../src/services/dimse/dul/events.ts';
import { DUL_STATE_DESCRIPTIONS, DUL_STATES, isDulState } from '../../../../src/services/dimse/dul/states.ts';

describe('states (PS3.8 §9.2.1)', () => {
  it('lists Sta1 to Sta13 in order, each with its PS3.8 description', () => {
    assert.deepEqual(DUL_STATES, Array.from({ length: 13 }, (_, i) => `Sta${i + 1}`));
    for (const state of DUL_STATES) assert.ok(DUL_STATE_DESCRIPTIONS[state].length > 0);
    assert.equal(DUL_STATE_DESCRIPTIONS.Sta1, 'Idle');
    assert.ok(Object.isFrozen(DUL_STATE_DESCRIPTIONS));
  });

  it('recognises state names and nothing else', () => {
    assert.ok(isDulState('Sta13'));
    assert.ok(!isDulState('Sta14'));
    assert.ok(!isDulState('constructor'));
    assert.ok(!isDulState(6));
  });
});

describe('events (PS3.8 Table 9-10)', () => {
  it('lists Evt1 to Evt19 in order with descriptions, plus the honeypot Evt18T', () => {
    assert.deepEqual(DUL_EVENTS, Array.from({ length: 19 }, (_, i) => `Evt${i + 1}`));
    for (const event of DUL_EVENTS) assert.ok(DUL_EVENT_DESCRIPTIONS[event].length > 0);
    assert.deepEqual(HAWK_DUL_EVENTS, ['Evt18T']);
    assert.match(DUL_MACHINE_EVENT_DESCRIPTIONS.Evt18T, /not in PS3\.8/);
  });

  it('maps each PDU-type byte to its receive event', () => {
    assert.equal(eventForPduType(0x01), 'Evt6'); // A-ASSOCIATE-RQ
    assert.equal(eventForPduType(0x02), 'Evt3'); // A-ASSOCIATE-AC
    assert.equal(eventForPduType(0x03), 'Evt4'); // A-ASSOCIATE-RJ
    assert.equal(eventForPduType(0x04), 'Evt10'); // P-DATA-TF
    assert.equal(eventForPduType(0x05), 'Evt12'); // A-RELEASE-RQ
    assert.equal(eventForPduType(0x06), 'Evt13'); // A-RELEASE-RP
    assert.equal(eventForPduType(0x07), 'Evt16'); // A-ABORT
    assert.equal(Object.keys(PDU_TYPE_EVENTS).length, 7);
    assert.ok(Object.isFrozen(PDU_TYPE_EVENTS));
  });

  it('makes every other byte an unrecognized PDU (Evt19)', () => {
    for (let type = 0; type <= 0xff; type += 1) {
      if (type >= 0x01 && type <= 0x07) continue;
      assert.equal(eventForPduType(type), 'Evt19', `type 0x${type.toString(16)}`);
    }
    for (const odd of [-1, 1.5, Number.NaN, 0x101, Number.POSITIVE_INFINITY]) assert.equal(eventForPduType(odd), 'Evt19');
  });
});

describe('A-ABORT fields (PS3.8 §9.3.8)', () => {
  it('has the standard source and reason values', () => {
    assert.deepEqual({ ...AbortSource }, { SERVICE_USER: 0, SERVICE_PROVIDER: 2 });
    assert.deepEqual(
      { ...AbortReason },
      {
        REASON_NOT_SPECIFIED: 0,
        UNRECOGNIZED_PDU: 1,
        UNEXPECTED_PDU: 2,
        UNRECOGNIZED_PDU_PARAMETER: 4,
        UNEXPECTED_PDU_PARAMETER: 5,
        INVALID_PDU_PARAMETER_VALUE: 6,
      },
    );
    assert.ok(Object.isFrozen(AbortSource) && Object.isFrozen(AbortReason));
  });
});

describe('A-ASSOCIATE-RJ fields (PS3.8 §9.3.4)', () => {
  it('has the standard result, source and per-source reason values', () => {
    assert.deepEqual({ ...RejectResult }, { REJECTED_PERMANENT: 1, REJECTED_TRANSIENT: 2 });
    assert.deepEqual({ ...RejectSource }, { SERVICE_USER: 1, SERVICE_PROVIDER_ACSE: 2, SERVICE_PROVIDER_PRESENTATION: 3 });
    assert.deepEqual(Object.values(RejectReasonServiceUser), [1, 2, 3, 7]);
    assert.deepEqual(Object.values(RejectReasonAcse), [1, 2]);
    assert.deepEqual(Object.values(RejectReasonPresentation), [1, 2]);
  });

  it('accepts every defined triple and nothing else', () => {
    const defined: [number, readonly number[]][] = [
      [1, [1, 2, 3, 7]],
      [2, [1, 2]],
      [3, [1, 2]],
    ];
    for (const result of [1, 2]) {
      for (const [source, reasons] of defined) {
        for (let reason = 0; reason <= 10; reason += 1) {
          assert.equal(isAssociateRejection({ result, source, reason }), reasons.includes(reason), `${result}/${source}/${reason}`);
        }
      }
    }
    for (const bad of [
      { result: 0, source: 1, reason: 1 },
      { result: 3, source: 1, reason: 1 },
      { result: 1, source: 0, reason: 1 },
      { result: 1, source: 4, reason: 1 },
      { result: '1', source: 1, reason: 1 },
      { result: 1, source: 1 },
      null,
      'reject',
      42,
    ]) {
      assert.equal(isAssociateRejection(bad), false, JSON.stringify(bad));
    }
  });

  it('falls back to "rejected transient, presentation, temporary congestion"', () => {
    assert.deepEqual(FALLBACK_REJECTION, { result: 2, source: 3, reason: 1 });
    assert.ok(isAssociateRejection(FALLBACK_REJECTION));
    assert.ok(Object.isFrozen(FALLBACK_REJECTION));
  });
});
