import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAbort, encodeAbort } from '../../../../src/services/dimse/pdu/abort.ts';
import { decodeAssociateAc, encodeAssociateAc } from '../../../../src/services/dimse/pdu/associateAc.ts';
import { decodeAssociateRq, encodeAssociateRq } from '../../../../src/services/dimse/pdu/associateRq.ts';
import { decodeAssociateRj, encodeAssociateRj } from '../../../../src/services/dimse/pdu/associateRj.ts';
import { PduLengthError } from '../../../../src/services/dimse/pdu/errors.ts';
import { decodePData, encodePData } from '../../../../src/services/dimse/pdu/pData.ts';
import { decodeReleaseRp, encodeReleaseRp } from '../../../../src/services/dimse/pdu/releaseRp.ts';
import { decodeReleaseRq, encodeReleaseRq } from '../../../../src/services/dimse/pdu/releaseRq.ts';
import { UID, dcmtkFindscuRq, pDataPdu, pdu, pdv } from '../../../fixtures/pdu.ts';

const body = (b: Buffer): Buffer => b.subarray(6);

test('A-ASSOCIATE-AC: encode echoes the AE titles and decodes back to the same results', () => {
  const calledRaw = Buffer.from('PACS\0\0\0\0\0\0\0\0\0\0\0\0', 'latin1');
  const ac = encodeAssociateAc({
    calledAe: calledRaw,
    callingAe: 'FINDSCU',
    contexts: [
      { id: 1, result: 0, transferSyntax: UID.EXPLICIT_LE },
      { id: 3, result: 3, transferSyntax: '' },
      { id: 5, result: 4, transferSyntax: null },
      { id: 7, result: 1, transferSyntax: UID.IMPLICIT_LE },
      { id: 9, result: 2, transferSyntax: UID.IMPLICIT_LE },
    ],
    userInfo: {
      maxPdu: 16384,
      implClassUid: '1.2.826.0.1.3680043.2.1143.107',
      implVersionName: 'PACS_4_2',
      asyncOps: { invoked: 1, performed: 1 },
      roles: [{ sopClassUid: UID.CT_IMAGE_STORAGE, scu: 0, scp: 1 }],
      userIdentityServerResponse: Buffer.from('ok'),
    },
  });
  assert.equal(ac[0], 0x02);
  assert.equal(ac.readUInt32BE(2), ac.length - 6);
  const d = decodeAssociateAc(body(ac));
  assert.deepEqual(d.calledAe.raw, calledRaw);
  assert.equal(d.callingAe.raw.toString('latin1'), 'FINDSCU         ');
  assert.equal(d.appContext, UID.APP_CONTEXT);
  assert.deepEqual(
    d.contexts.map((c) => [c.id, c.result, c.transferSyntax]),
    [
      [1, 0, UID.EXPLICIT_LE],
      [3, 3, ''],
      [5, 4, null],
      [7, 1, UID.IMPLICIT_LE],
      [9, 2, UID.IMPLICIT_LE],
    ],
  );
  assert.equal(d.maxPdu, 16384);
  assert.equal(d.implClassUid, '1.2.826.0.1.3680043.2.1143.107');
  assert.equal(d.implVersionName, 'PACS_4_2');
  assert.deepEqual(d.userInfo?.asyncOps, { invoked: 1, performed: 1 });
  assert.deepEqual(d.userInfo?.roles, [{ sopClassUid: UID.CT_IMAGE_STORAGE, scu: 0, scp: 1 }]);
  assert.equal(d.userInfo?.userIdentityAc?.serverResponse.text, 'ok');
  assert.deepEqual(d.userInfo?.subItemOrder, [0x51, 0x52, 0x53, 0x54, 0x55, 0x59]);
  assert.ok(d.anomalies.includes('empty uid (transfer syntax, context 3)'));
});

test('A-ASSOCIATE-RQ: encode then decode gives back every field', () => {
  const rq = encodeAssociateRq({
    calledAe: 'ANY-SCP',
    callingAe: 'HAWK-SCU',
    contexts: [
      { id: 1, abstractSyntax: UID.VERIFICATION, transferSyntaxes: [UID.IMPLICIT_LE] },
      { id: 3, abstractSyntax: UID.STUDY_ROOT_FIND, transferSyntaxes: [UID.EXPLICIT_LE, UID.IMPLICIT_LE] },
    ],
    userInfo: {
      maxPdu: 65536,
      implClassUid: '1.2.3.4.5',
      implVersionName: 'HAWK_1',
      extNeg: [{ sopClassUid: UID.STUDY_ROOT_FIND, info: Buffer.from([1]) }],
      commonExtNeg: [{ sopClassUid: UID.CT_IMAGE_STORAGE, serviceClassUid: '1.2.840.10008.4.2', relatedGeneralSopClasses: [] }],
      userIdentity: { type: 1, positiveResponseRequested: false, primary: 'user' },
    },
  });
  const d = decodeAssociateRq(body(rq));
  assert.deepEqual(d.anomalies, []);
  assert.equal(d.calledAe.text, 'ANY-SCP');
  assert.equal(d.callingAe.text, 'HAWK-SCU');
  assert.deepEqual(
    d.contexts.map((c) => [c.id, c.abstractSyntax, c.transferSyntaxes]),
    [
      [1, UID.VERIFICATION, [UID.IMPLICIT_LE]],
      [3, UID.STUDY_ROOT_FIND, [UID.EXPLICIT_LE, UID.IMPLICIT_LE]],
    ],
  );
  assert.equal(d.maxPdu, 65536);
  assert.equal(d.extNeg[0]?.info.hex, '01');
  assert.equal(d.commonExtNeg[0]?.relatedGeneralSopClasses.length, 0);
  assert.equal(d.userIdentity?.primary.text, 'user');
  assert.equal(d.userIdentity?.secondary.raw.length, 0);
});

test('the RQ encoder reproduces the fixture bytes of DCMTK findscu exactly', () => {
  const ours = encodeAssociateRq({
    calledAe: 'ANY-SCP',
    callingAe: 'FINDSCU',
    contexts: [{ id: 1, abstractSyntax: UID.STUDY_ROOT_FIND, transferSyntaxes: [UID.EXPLICIT_LE, UID.EXPLICIT_BE, UID.IMPLICIT_LE] }],
    userInfo: { maxPdu: 16384, implClassUid: '1.2.276.0.7230010.3.0.3.6.9', implVersionName: 'OFFIS_DCMTK_369' },
  });
  assert.equal(ours.toString('hex'), dcmtkFindscuRq().toString('hex'));
});

test('A-ASSOCIATE-RJ round trip with reason names', () => {
  for (const [result, source, reason, name] of [
    [1, 1, 7, 'called-AE-title-not-recognized'],
    [2, 3, 1, 'temporary-congestion'],
    [1, 2, 2, 'protocol-version-not-supported'],
    [1, 1, 5, 'reserved-1-5'],
  ] as const) {
    const b = encodeAssociateRj({ result, source, reason });
    assert.equal(b.toString('hex'), `030000000004 00${result.toString(16).padStart(2, '0')}${source.toString(16).padStart(2, '0')}${reason.toString(16).padStart(2, '0')}`.replace(' ', ''));
    const d = decodeAssociateRj(body(b));
    assert.deepEqual([d.result, d.source, d.reason, d.reasonName], [result, source, reason, name]);
  }
  assert.ok(decodeAssociateRj(Buffer.from([1, 9, 9, 9])).anomalies.length >= 3);
  assert.throws(() => decodeAssociateRj(Buffer.alloc(5)), PduLengthError);
});

test('P-DATA-TF round trip keeps every PDV, its control bits and its bytes', () => {
  const pdvs = [
    { contextId: 1, command: true, last: false, data: Buffer.from('cmd-part-1') },
    { contextId: 1, command: true, last: true, data: Buffer.from('cmd-part-2') },
    { contextId: 1, command: false, last: true, data: Buffer.alloc(1000, 0xab) },
  ];
  const b = encodePData(pdvs);
  const d = decodePData(body(b));
  assert.deepEqual(
    d.pdvs.map((p) => ({ contextId: p.contextId, command: p.command, last: p.last, data: Buffer.from(p.data) })),
    pdvs,
  );
  assert.deepEqual(
    d.pdvs.map((p) => p.offset),
    [6, 6 + 16, 6 + 32],
  );
  assert.deepEqual(d.anomalies, []);
  assert.throws(() => encodePData([]), RangeError);
});

test('P-DATA-TF: PDV lengths are checked, control header oddities recorded', () => {
  assert.throws(() => decodePData(body(pDataPdu(pdv(1, 3, Buffer.from('abc'), 99)))), PduLengthError);
  assert.throws(() => decodePData(body(pDataPdu(pdv(1, 3, Buffer.alloc(0), 1)))), (e: unknown) => e instanceof PduLengthError && e.minimum === 2);
  assert.throws(() => decodePData(body(pdu(4, Buffer.concat([pdv(1, 3, Buffer.from('ab')), Buffer.from([0, 0])])))), PduLengthError);
  assert.throws(() => decodePData(Buffer.alloc(0)), PduLengthError);
  const odd = decodePData(body(pDataPdu(pdv(2, 0xff, Buffer.alloc(0)))));
  assert.ok(odd.anomalies.some((a) => a.includes('reserved bits')));
  assert.ok(odd.anomalies.some((a) => a.includes('empty fragment')));
  assert.ok(odd.anomalies.some((a) => a.includes('even presentation context id 2')));
});

test('A-RELEASE-RQ, A-RELEASE-RP and A-ABORT round trip', () => {
  assert.equal(encodeReleaseRq().toString('hex'), '05000000000400000000');
  assert.equal(encodeReleaseRp().toString('hex'), '06000000000400000000');
  assert.deepEqual(decodeReleaseRq(body(encodeReleaseRq())).anomalies, []);
  assert.equal(decodeReleaseRp(body(encodeReleaseRp())).pdu, 'A-RELEASE-RP');
  assert.deepEqual(decodeReleaseRq(Buffer.from([0, 0, 0, 1])).anomalies, ['reserved bytes 00000001']);
  assert.throws(() => decodeReleaseRp(Buffer.alloc(3)), PduLengthError);

  const a = encodeAbort({ source: 2, reason: 2 });
  assert.equal(a.toString('hex'), '07000000000400000202');
  const d = decodeAbort(body(a));
  assert.deepEqual([d.source, d.reason, d.reasonName], [2, 2, 'unexpected-PDU']);
  assert.equal(decodeAbort(Buffer.from([0, 0, 0, 0])).reasonName, 'not-significant');
  assert.ok(decodeAbort(Buffer.from([1, 0, 1, 3])).anomalies.length === 2);
});
