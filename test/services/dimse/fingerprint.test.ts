import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalRendering, fingerprintAssociateRq, identifyClient } from '../../../src/services/dimse/fingerprint.ts';
import { guessClient, KNOWN_CLIENTS } from '../../../src/services/dimse/knownClients.ts';
import { decodeAssociateRq, type AssociateRq } from '../../../src/services/dimse/pdu/associateRq.ts';
import {
  UID,
  ae,
  appContext,
  bodyOf,
  dcmjsDimseRq,
  dcmtkEchoscuRq,
  dcmtkFindscuRq,
  implClassUid,
  implVersionName,
  maxLength,
  nmapLegacyRq,
  nmapPingRq,
  orthancRq,
  pcRq,
  pynetdicomRq,
  rqBody,
  userIdentity,
  userInfo,
} from '../../fixtures/pdu.ts';

const rqOf = (pdu: Buffer): AssociateRq => decodeAssociateRq(bodyOf(pdu));
const fp = (pdu: Buffer): string => fingerprintAssociateRq(rqOf(pdu)).fp;

function customRq(opts: { uid?: string; version?: string; max?: number; ts?: string[]; called?: Buffer | string; abstract?: string; extra?: Buffer[] } = {}): AssociateRq {
  return decodeAssociateRq(
    rqBody({
      called: opts.called ?? 'ANY-SCP',
      items: [
        appContext(),
        pcRq(1, opts.abstract ?? UID.VERIFICATION, opts.ts ?? [UID.EXPLICIT_LE, UID.IMPLICIT_LE]),
        userInfo(maxLength(opts.max ?? 16384), implClassUid(opts.uid ?? '1.2.3.4'), implVersionName(opts.version ?? 'X_1'), ...(opts.extra ?? [])),
      ],
    }),
  );
}

test('the fingerprint is stable and shaped d1_ + 12 hex digits', () => {
  const a = fp(dcmtkEchoscuRq());
  assert.match(a, /^d1_[0-9a-f]{12}$/);
  assert.equal(fp(dcmtkEchoscuRq()), a);
});

test('AE titles and abstract syntaxes do not change it', () => {
  assert.equal(fp(dcmtkEchoscuRq('PACS', 'SOMEONE')), fp(dcmtkEchoscuRq()));
  assert.equal(fp(dcmtkFindscuRq(UID.PATIENT_ROOT_FIND, 'X', 'Y')), fp(dcmtkFindscuRq(UID.STUDY_ROOT_FIND)));
  assert.equal(fp(pynetdicomRq([UID.VERIFICATION, UID.STUDY_ROOT_FIND], 'A')), fp(pynetdicomRq([UID.CT_IMAGE_STORAGE, UID.MR_IMAGE_STORAGE], 'B')));
  const canonical = canonicalRendering(rqOf(dcmtkEchoscuRq('SECRET-AE', 'CALLER-AE')));
  assert.ok(!canonical.includes('SECRET-AE') && !canonical.includes('CALLER-AE') && !canonical.includes(UID.VERIFICATION));
});

test('client software traits change it', () => {
  const base = fingerprintAssociateRq(customRq()).fp;
  const variants: [string, AssociateRq][] = [
    ['implementation class uid', customRq({ uid: '1.2.3.5' })],
    ['version name', customRq({ version: 'X_2' })],
    ['max length', customRq({ max: 32768 })],
    ['transfer syntax order', customRq({ ts: [UID.IMPLICIT_LE, UID.EXPLICIT_LE] })],
    ['AE title padding', customRq({ called: ae('ANY-SCP', 0) })],
    ['user identity present', customRq({ extra: [userIdentity(1, 0, 'u')] })],
  ];
  for (const [name, rq] of variants) assert.notEqual(fingerprintAssociateRq(rq).fp, base, name);
  assert.notEqual(fp(dcmtkEchoscuRq()), fp(dcmtkFindscuRq()));
  assert.notEqual(fp(dcmtkEchoscuRq()), fp(nmapPingRq()));
  assert.notEqual(fp(pynetdicomRq()), fp(dcmjsDimseRq()));
  // Older nmap is byte-identical to a DCMTK 3.6.2 echoscu, and so is its fingerprint.
  assert.equal(fp(nmapLegacyRq()), fp(dcmtkEchoscuRq('ANY-SCP', 'ECHOSCU', '3.6.2')));
});

test('the context count is bucketed, not exact', () => {
  const many = (n: number): string => fp(pynetdicomRq(Array.from({ length: n }, () => UID.CT_IMAGE_STORAGE)));
  assert.equal(many(5), many(7));
  assert.notEqual(many(1), many(2));
});

test('known clients are recognised from their identifiers', () => {
  const expect: [Buffer | AssociateRq, RegExp, string][] = [
    [nmapPingRq(), /^nmap dicom-ping\/dicom-brute$/, 'high'],
    [nmapLegacyRq(), /nmap .* or DCMTK 3\.6\.2 echoscu/, 'medium'],
    [dcmtkEchoscuRq(), /^DCMTK 3\.6\.9 echoscu$/, 'high'],
    [dcmtkFindscuRq(), /^DCMTK 3\.6\.9 findscu \(default AE titles: typical internet-wide scanner probe\)$/, 'high'],
    [dcmtkFindscuRq(UID.STUDY_ROOT_FIND, 'PACS', 'MYAE'), /^DCMTK 3\.6\.9$/, 'high'],
    [pynetdicomRq(), /^pynetdicom 2\.0\.2$/, 'high'],
    [orthancRq(), /^Orthanc$/, 'high'],
    [dcmjsDimseRq(), /^dcmjs-dimse$/, 'high'],
    [customRq({ uid: '1.2.826.0.1.3680043.9.7133.1.1', version: 'GODICOM_1_1' }), /^go-netdicom/, 'high'],
    [customRq({ uid: '1.2.40.0.13.1.3', version: 'dcm4che-5.29.2' }), /^dcm4che3 \(dcm4che-5\.29\.2\)$/, 'high'],
    [customRq({ uid: '1.2.276.0.7238010.5.0.3.5.4', version: 'OSIRIX' }), /^Horos\/OsiriX$/, 'high'],
    [customRq({ uid: '1.3.6.1.4.1.30071.8', version: 'fo-dicom 5.1.2' }), /^fo-dicom$/, 'high'],
    [customRq({ uid: '1.2.826.0.1.3680043.10.854', version: 'GO-DICOM-1.0' }), /dcmjs-dimse \(custom version name "GO-DICOM-1.0"\)/, 'medium'],
  ];
  for (const [input, guess, confidence] of expect) {
    const rq = Buffer.isBuffer(input) ? rqOf(input) : input;
    const g = guessClient(rq);
    assert.match(g.guess ?? 'null', guess, g.reason);
    assert.equal(g.confidence, confidence, String(g.guess));
    assert.ok(g.reason.length > 0);
  }
});

test('unknown or missing identities give no guess but a reason', () => {
  const unknown = guessClient(customRq({ uid: '9.9.9' }));
  assert.equal(unknown.guess, null);
  assert.match(unknown.reason, /"9\.9\.9" is not in the known-client table/);
  const none = guessClient(decodeAssociateRq(rqBody({ items: [appContext(), pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE]), userInfo(maxLength(0))] })));
  assert.equal(none.guess, null);
  assert.match(none.reason, /no implementation class uid/);
});

test('every table rule is exercised and ids are unique', () => {
  const ids = KNOWN_CLIENTS.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  const seen = new Set(
    [nmapPingRq(), nmapLegacyRq(), dcmtkEchoscuRq(), pynetdicomRq(), orthancRq(), dcmjsDimseRq()]
      .map((p) => guessClient(rqOf(p)).id)
      .concat(
        ['1.2.826.0.1.3680043.9.7133.1.1', '1.2.40.0.13.1.1', '1.2.276.0.7238010.5.0.3.5.4', '1.3.6.1.4.1.30071.8', '1.3.6.1.4.1.25403.1.1.1', '1.2.826.0.1.3680043.8.641'].map(
          (uid) => guessClient(customRq({ uid })).id,
        ),
      ),
  );
  for (const id of ids) assert.ok(seen.has(id), id);
});

test('identifyClient returns fingerprint and guess together', () => {
  const c = identifyClient(rqOf(nmapPingRq()));
  assert.match(c.fp, /^d1_/);
  assert.equal(c.id, 'nmap-dicom-ping');
  assert.ok(c.canonical.includes('impl.version="NMAP_DICOM_PING"'));
});
