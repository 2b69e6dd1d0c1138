import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAssociateRq, type AssociateRq } from '../../../../src/services/dimse/pdu/associateRq.ts';
import { decodePdu } from '../../../../src/services/dimse/pdu/decode.ts';
import { PduLengthError } from '../../../../src/services/dimse/pdu/errors.ts';
import {
  UID,
  ae,
  appContext,
  asyncOps,
  bodyOf,
  commonExtNeg,
  dcmtkEchoscuRq,
  extNeg,
  implClassUid,
  implVersionName,
  item,
  maxLength,
  pcRq,
  rqBody,
  rqPdu,
  roleSelection,
  u16,
  userIdentity,
  userInfo,
  type RqOptions,
} from '../../../fixtures/pdu.ts';

const FIRST_ITEM_OFFSET = 6 + 68;

function decode(opts: RqOptions): AssociateRq {
  return decodeAssociateRq(rqBody(opts));
}

const standardUserInfo = (): Buffer => userInfo(maxLength(16384), implClassUid('1.2.3.4'), implVersionName('TEST_1'));

test('decodes what DCMTK echoscu sends, field by field', () => {
  const rq = decodeAssociateRq(bodyOf(dcmtkEchoscuRq()));
  assert.equal(rq.protocolVersion, 1);
  assert.equal(rq.calledAe.text, 'ANY-SCP');
  assert.equal(rq.calledAe.raw.toString('latin1'), 'ANY-SCP         ');
  assert.equal(rq.calledAe.padding, 'space');
  assert.equal(rq.callingAe.text, 'ECHOSCU');
  assert.equal(rq.appContext, UID.APP_CONTEXT);
  assert.deepEqual(rq.itemOrder, [0x10, 0x20, 0x50]);
  assert.equal(rq.contexts.length, 1);
  assert.equal(rq.contexts[0]?.id, 1);
  assert.equal(rq.contexts[0]?.abstractSyntax, UID.VERIFICATION);
  assert.deepEqual(rq.contexts[0]?.transferSyntaxes, [UID.IMPLICIT_LE]);
  assert.equal(rq.maxPdu, 16384);
  assert.equal(rq.implClassUid, '1.2.276.0.7230010.3.0.3.6.9');
  assert.equal(rq.implVersionName, 'OFFIS_DCMTK_369');
  assert.deepEqual(rq.userInfo?.subItemOrder, [0x51, 0x52, 0x55]);
  assert.equal(rq.uidPadding, 'none');
  assert.deepEqual(rq.anomalies, []);
  assert.deepEqual(rq.unknownItems, []);
});

test('decodes every user-information sub-item: 0x51-0x58', () => {
  const rq = decode({
    items: [
      appContext(),
      pcRq(1, UID.STUDY_ROOT_GET, [UID.EXPLICIT_LE]),
      userInfo(
        maxLength(32768),
        implClassUid('1.2.826.0.1.3680043.9.3811.2.0.2'),
        asyncOps(3, 0),
        roleSelection(UID.CT_IMAGE_STORAGE, 0, 1),
        roleSelection(UID.MR_IMAGE_STORAGE, 1, 1),
        implVersionName('PYNETDICOM_202'),
        extNeg(UID.STUDY_ROOT_FIND, Buffer.from([1, 1, 0])),
        commonExtNeg(UID.CT_IMAGE_STORAGE, '1.2.840.10008.4.2', ['1.2.840.10008.5.1.4.1.1.2.1']),
        userIdentity(2, 1, 'admin', 'hunter2'),
      ),
    ],
  });
  assert.equal(rq.maxPdu, 32768);
  assert.deepEqual(rq.asyncOps, { invoked: 3, performed: 0 });
  assert.deepEqual(rq.roles, [
    { sopClassUid: UID.CT_IMAGE_STORAGE, scu: 0, scp: 1 },
    { sopClassUid: UID.MR_IMAGE_STORAGE, scu: 1, scp: 1 },
  ]);
  assert.equal(rq.implVersionName, 'PYNETDICOM_202');
  assert.equal(rq.extNeg[0]?.sopClassUid, UID.STUDY_ROOT_FIND);
  assert.equal(rq.extNeg[0]?.info.hex, '010100');
  assert.deepEqual(rq.commonExtNeg[0], {
    version: 0,
    sopClassUid: UID.CT_IMAGE_STORAGE,
    serviceClassUid: '1.2.840.10008.4.2',
    relatedGeneralSopClasses: ['1.2.840.10008.5.1.4.1.1.2.1'],
  });
  assert.equal(rq.userIdentity?.type, 2);
  assert.equal(rq.userIdentity?.positiveResponseRequested, true);
  assert.equal(rq.userIdentity?.primary.text, 'admin');
  assert.equal(rq.userIdentity?.secondary.text, 'hunter2');
  assert.deepEqual(rq.userInfo?.subItemOrder, [0x51, 0x52, 0x53, 0x54, 0x54, 0x55, 0x56, 0x57, 0x58]);
  assert.deepEqual(rq.anomalies, []);
});

test('keeps binary user identity bytes exactly, as raw, latin1 text and hex', () => {
  const primary = Buffer.from([0x00, 0xff, 0x80, 0x0a, 0x41, 0xc3, 0xa9]);
  const secondary = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
  const rq = decode({ items: [appContext(), pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE]), userInfo(maxLength(0), implClassUid('1.2'), userIdentity(2, 0, primary, secondary))] });
  const id = rq.userIdentity;
  assert.ok(id);
  assert.deepEqual(id.primary.raw, primary);
  assert.equal(id.primary.hex, '00ff800a41c3a9');
  assert.equal(Buffer.from(id.primary.text, 'latin1').toString('hex'), '00ff800a41c3a9');
  assert.equal(id.secondary.hex, 'deadbeef');
  assert.equal(id.positiveResponseRequested, false);
  assert.equal(rq.maxPdu, 0, 'a Maximum Length of 0 (unlimited) is kept as sent');
});

test('records user identity oddities without failing', () => {
  const rq = decode({ items: [appContext(), pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE]), userInfo(maxLength(1), implClassUid('1.2'), userIdentity(9, 7, 'jwt', 'extra'))] });
  assert.equal(rq.userIdentity?.type, 9);
  assert.ok(rq.anomalies.includes('user identity type 9 unknown'));
  assert.ok(rq.anomalies.includes('user identity positive-response-requested 7 (expected 0 or 1)'));
  assert.ok(rq.anomalies.includes('user identity type 9 with a secondary field'));
  const noSecondary = decode({ items: [appContext(), pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE]), userInfo(userIdentity(1, 0, 'bob', '', true))] });
  assert.equal(noSecondary.userIdentity?.primary.text, 'bob');
  assert.ok(noSecondary.anomalies.includes('user identity without secondary-field-length'));
});

test('keeps unknown and misplaced items raw and does not lose its place', () => {
  const unknownTop = item(0x7f, Buffer.from('zz'));
  const misplacedAc = item(0x21, Buffer.from([1, 0, 0, 0]));
  const unknownInPc = item(0x99, Buffer.from([1, 2, 3]));
  const unknownSub = item(0x5a, Buffer.from('??'));
  const misplacedIdAc = item(0x59, Buffer.concat([u16(0)]));
  const items = [
    appContext(),
    pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE], { extra: [unknownInPc] }),
    unknownTop,
    pcRq(3, UID.STUDY_ROOT_FIND, [UID.EXPLICIT_LE, UID.IMPLICIT_LE]),
    misplacedAc,
    userInfo(maxLength(16384), unknownSub, implClassUid('1.2.3'), misplacedIdAc, implVersionName('X')),
  ];
  const rq = decode({ items });
  // Everything after each unknown item is still decoded.
  assert.deepEqual(
    rq.contexts.map((c) => [c.id, c.abstractSyntax, c.transferSyntaxes]),
    [
      [1, UID.VERIFICATION, [UID.IMPLICIT_LE]],
      [3, UID.STUDY_ROOT_FIND, [UID.EXPLICIT_LE, UID.IMPLICIT_LE]],
    ],
  );
  assert.equal(rq.maxPdu, 16384);
  assert.equal(rq.implClassUid, '1.2.3');
  assert.equal(rq.implVersionName, 'X');
  assert.deepEqual(rq.itemOrder, [0x10, 0x20, 0x7f, 0x20, 0x21, 0x50]);
  assert.deepEqual(
    rq.unknownItems.map((u) => [u.type, u.level]),
    [
      [0x99, 'presentation-context'],
      [0x7f, 'pdu'],
      [0x21, 'pdu'],
      [0x5a, 'user-information'],
      [0x59, 'user-information'],
    ],
  );
  // Offsets point at the item header within the PDU, and raw is the whole item.
  const offsetTop = FIRST_ITEM_OFFSET + (items[0] as Buffer).length + (items[1] as Buffer).length;
  const top = rq.unknownItems.find((u) => u.type === 0x7f);
  assert.equal(top?.offset, offsetTop);
  assert.deepEqual(top?.raw, unknownTop);
  assert.ok(rq.anomalies.includes(`unknown item 0x7f at offset ${offsetTop}`));
  assert.ok(rq.anomalies.some((a) => a.startsWith('item 0x21 not valid in A-ASSOCIATE-RQ')));
  assert.ok(rq.anomalies.includes('user-info sub-item 0x59 not valid in A-ASSOCIATE-RQ (kept raw)'));
  assert.equal(rq.unknownItemCount, 5);
});

test('never invents a Maximum Length or implementation identity', () => {
  const noUserInfo = decode({ items: [appContext(), pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE])] });
  assert.equal(noUserInfo.maxPdu, null);
  assert.equal(noUserInfo.implClassUid, null);
  assert.equal(noUserInfo.implVersionName, null);
  assert.equal(noUserInfo.userInfo, null);
  assert.ok(noUserInfo.anomalies.includes('missing user information item'));

  const empty = decode({ items: [appContext(), pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE]), userInfo()] });
  assert.equal(empty.maxPdu, null);
  assert.equal(empty.implClassUid, null);
  assert.ok(empty.anomalies.includes('missing maximum length sub-item'));
  assert.ok(empty.anomalies.includes('missing implementation class uid sub-item'));
});

test('a Maximum Length sub-item of the wrong length is an anomaly, not an error', () => {
  const short = decode({ items: [appContext(), pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE]), userInfo(maxLength(16384, 3), implClassUid('1.2'))] });
  assert.equal(short.maxPdu, null);
  assert.ok(short.anomalies.includes('user-info sub-item 0x51 length 3 (expected 4)'));
  const long = decode({ items: [appContext(), pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE]), userInfo(maxLength(4096, 6), implClassUid('1.2'))] });
  assert.equal(long.maxPdu, 4096);
  assert.ok(long.anomalies.includes('user-info sub-item 0x51 length 6 (expected 4)'));
  const twice = decode({ items: [appContext(), pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE]), userInfo(maxLength(100), maxLength(200), implClassUid('1.2'))] });
  assert.equal(twice.maxPdu, 100);
  assert.ok(twice.anomalies.some((a) => a.startsWith('duplicate user-info sub-item 0x51')));
});

test('keeps presentation contexts in the order sent with IDs as sent: out of order, duplicated, even', () => {
  const rq = decode({
    items: [
      appContext(),
      pcRq(5, UID.VERIFICATION, [UID.IMPLICIT_LE]),
      pcRq(3, UID.STUDY_ROOT_FIND, [UID.IMPLICIT_LE]),
      pcRq(3, UID.PATIENT_ROOT_FIND, [UID.EXPLICIT_LE]),
      pcRq(2, UID.STUDY_ROOT_MOVE, [UID.IMPLICIT_LE], { reservedBytes: [0, 1, 0] }),
      pcRq(7, null, []),
      standardUserInfo(),
    ],
  });
  assert.deepEqual(
    rq.contexts.map((c) => c.id),
    [5, 3, 3, 2, 7],
  );
  assert.equal(rq.contexts[2]?.abstractSyntax, UID.PATIENT_ROOT_FIND);
  assert.equal(rq.contexts[4]?.abstractSyntax, null);
  for (const a of [
    'duplicate presentation context id 3',
    'even presentation context id 2',
    'presentation context ids not in ascending order',
    'presentation context 2 reserved bytes 000100',
    'presentation context 7 without abstract syntax',
    'presentation context 7 without transfer syntax',
  ]) {
    assert.ok(rq.anomalies.includes(a), a);
  }
});

test('accepts 0 and 128 presentation contexts, flags 129', () => {
  const none = decode({ items: [appContext(), standardUserInfo()] });
  assert.deepEqual(none.contexts, []);
  assert.ok(none.anomalies.includes('no presentation context items'));

  const many = (n: number): AssociateRq =>
    decode({ items: [appContext(), ...Array.from({ length: n }, (_, i) => pcRq((1 + 2 * i) & 0xff, UID.CT_IMAGE_STORAGE, [UID.EXPLICIT_LE])), standardUserInfo()] });
  const full = many(128);
  assert.equal(full.contexts.length, 128);
  assert.equal(full.contexts[127]?.id, 255);
  assert.deepEqual(full.anomalies, []);
  const over = many(129);
  assert.equal(over.contexts.length, 129);
  assert.ok(over.anomalies.includes('129 presentation contexts (at most 128)'));
});

test('keeps AE title padding in raw and trims the text', () => {
  const rq = decode({
    called: ae('  PACS', 0x00),
    calling: Buffer.from('ABCDEFGHIJKLMNOP'),
    items: [appContext(), pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE]), standardUserInfo()],
  });
  assert.equal(rq.calledAe.text, 'PACS');
  assert.equal(rq.calledAe.hex, Buffer.concat([Buffer.from('  PACS'), Buffer.alloc(10)]).toString('hex'));
  assert.equal(rq.calledAe.padding, 'nul');
  assert.equal(rq.calledAe.leadingSpaces, true);
  assert.equal(rq.callingAe.text, 'ABCDEFGHIJKLMNOP');
  assert.equal(rq.callingAe.padding, 'none');
  assert.ok(rq.anomalies.includes('called AE title padded with NUL bytes'));
  const empty = decode({ called: ae(''), items: [appContext(), pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE]), standardUserInfo()] });
  assert.ok(empty.anomalies.includes('empty called AE title'));
});

test('records reserved bytes, protocol version, trailing bytes and odd UIDs as anomalies', () => {
  const reserved2 = Buffer.alloc(32);
  reserved2[31] = 1;
  const longUid = '1.' + '2'.repeat(70);
  const rq = decode({
    protocolVersion: 2,
    reserved1: 0x0102,
    reserved2,
    items: [
      appContext(UID.APP_CONTEXT + '\0'),
      pcRq(1, longUid, [UID.IMPLICIT_LE + '\0']),
      item(0x50, Buffer.concat([maxLength(1), implClassUid('1.2.x'), implVersionName('A_VERY_LONG_VERSION_NAME ')]), { reserved: 7 }),
      Buffer.from([0x10, 0x00]),
    ],
  });
  assert.equal(rq.appContext, UID.APP_CONTEXT);
  assert.equal(rq.contexts[0]?.transferSyntaxes[0], UID.IMPLICIT_LE);
  assert.equal(rq.uidPadding, 'mixed');
  assert.equal(rq.implVersionName, 'A_VERY_LONG_VERSION_NAME ', 'version name kept exactly, trailing space included');
  for (const a of [
    'protocol version 0x0002',
    'reserved bytes 9-10 are 0x0102',
    'reserved bytes 43-74 not zero',
    'item 0x50 reserved byte 0x07 at offset',
    'uid over 64 bytes (abstract syntax, context 1: 72)',
    'uid with characters other than digits and dots (implementation class uid)',
    'implementation version name over 16 bytes (25)',
    '2 trailing bytes after last item in A-ASSOCIATE-RQ',
  ]) {
    assert.ok(
      rq.anomalies.some((x) => x.startsWith(a)),
      `${a} in ${JSON.stringify(rq.anomalies)}`,
    );
  }
});

test('an item overrunning its parent is a PduLengthError carrying the offset', () => {
  const cases: { name: string; items: Buffer[]; offset: number; item: RegExp }[] = [
    {
      name: 'top-level item past the PDU',
      items: [appContext(), item(0x20, Buffer.alloc(10), { length: 500 })],
      offset: FIRST_ITEM_OFFSET + appContext().length,
      item: /presentation context item \(RQ\)/,
    },
    {
      name: 'sub-item past its presentation context',
      items: [appContext(), item(0x20, Buffer.concat([Buffer.from([1, 0, 0, 0]), item(0x30, UID.VERIFICATION, { length: 40 })]))],
      offset: FIRST_ITEM_OFFSET + appContext().length + 4 + 4,
      item: /abstract syntax sub-item/,
    },
    {
      name: 'role selection uid-length past its sub-item',
      items: [appContext(), userInfo(item(0x54, Buffer.concat([u16(200), Buffer.from('1.2'), Buffer.from([0, 1])])))],
      offset: FIRST_ITEM_OFFSET + appContext().length + 4 + 4 + 2,
      item: /role selection sop class uid/,
    },
    {
      name: 'user identity primary-field past its sub-item',
      items: [appContext(), userInfo(item(0x58, Buffer.concat([Buffer.from([1, 0]), u16(1000), Buffer.from('bob')])))],
      offset: FIRST_ITEM_OFFSET + appContext().length + 4 + 4 + 4,
      item: /user identity primary-field/,
    },
    {
      name: 'presentation context too short for its fixed fields',
      items: [appContext(), item(0x20, Buffer.from([1, 0]))],
      offset: FIRST_ITEM_OFFSET + appContext().length + 4,
      item: /fixed fields/,
    },
  ];
  for (const c of cases) {
    assert.throws(
      () => decode({ items: c.items }),
      (e: unknown) => e instanceof PduLengthError && e.offset === c.offset && c.item.test(e.item),
      c.name,
    );
  }
  assert.throws(() => decodeAssociateRq(Buffer.alloc(60)), (e: unknown) => e instanceof PduLengthError && e.declared === 68 && e.available === 60);
});

test('decodePdu returns typed errors instead of throwing', () => {
  const bad = rqPdu({ items: [appContext(), item(0x20, Buffer.alloc(2), { length: 9999 })] });
  const r = decodePdu({ type: 1, body: bad.subarray(6), raw: bad });
  assert.equal(r.ok, false);
  if (!r.ok) assert.ok(r.error instanceof PduLengthError);
  const good = dcmtkEchoscuRq();
  const ok = decodePdu({ type: 1, body: good.subarray(6), raw: good });
  assert.equal(ok.ok && ok.pdu.pdu, 'A-ASSOCIATE-RQ');
  const headerReserved = Buffer.from(good);
  headerReserved[1] = 0x42;
  const withReserved = decodePdu({ type: 1, body: headerReserved.subarray(6), raw: headerReserved });
  assert.ok(withReserved.ok && withReserved.pdu.anomalies.includes('PDU header reserved byte 0x42'));
  const unknown = decodePdu({ type: 9, body: Buffer.alloc(4), raw: Buffer.alloc(10) });
  assert.equal(unknown.ok, false);
});

test('bounds the anomaly list for a PDU full of tiny unknown items', () => {
  const junk = Array.from({ length: 5000 }, () => item(0x7e, Buffer.alloc(0)));
  const rq = decode({ items: [appContext(), ...junk, pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE]), standardUserInfo()] });
  assert.equal(rq.unknownItemCount, 5000);
  assert.equal(rq.unknownItems.length, 64);
  assert.ok(rq.anomalies.length <= 101);
  assert.match(rq.anomalies[rq.anomalies.length - 1] as string, /more anomalies not listed/);
  assert.equal(rq.contexts.length, 1, 'the context after 5000 unknown items is still found');
  assert.equal(rq.maxPdu, 16384);
});
