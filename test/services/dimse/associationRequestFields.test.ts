import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dimseFields } from '../../../src/core/events/schema/dimse.ts';
import { associationRequestFields } from '../../../src/services/dimse/associationRequestFields.ts';
import { identifyClient } from '../../../src/services/dimse/fingerprint.ts';
import { decodeAssociateRq } from '../../../src/services/dimse/pdu/associateRq.ts';
import { UID, appContext, bodyOf, implClassUid, item, maxLength, nmapPingRq, pcRq, roleSelection, rqBody, userIdentity, userInfo } from '../../fixtures/pdu.ts';

test('maps a decoded RQ onto the dicomhawk.association.request fields', () => {
  const rq = decodeAssociateRq(bodyOf(nmapPingRq()));
  const fields = associationRequestFields(rq, identifyClient(rq));
  assert.deepEqual(fields.called_ae, { text: 'ANY-SCP', hex: Buffer.from('ANY-SCP         ').toString('hex') });
  assert.deepEqual(fields.contexts, [{ id: 1, abstract_syntax: UID.VERIFICATION, transfer_syntaxes: [UID.IMPLICIT_LE, UID.EXPLICIT_LE] }]);
  assert.equal(fields.client_guess, 'nmap dicom-ping/dicom-brute');
  assert.equal(fields.max_pdu, 16384);
  const parsed = dimseFields['dicomhawk.association.request'].safeParse(fields);
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
});

test('bounds attacker text and keeps binary identity as hex', () => {
  const rq = decodeAssociateRq(
    rqBody({
      items: [
        appContext(),
        pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE]),
        item(0x77, Buffer.alloc(3000, 0x41)),
        userInfo(maxLength(0), implClassUid('1.2'), roleSelection(UID.CT_IMAGE_STORAGE, 1, 0), userIdentity(2, 1, Buffer.alloc(1000, 0xff), 'pw')),
      ],
    }),
  );
  const fields = associationRequestFields(rq, identifyClient(rq));
  assert.equal(fields.user_identity?.primary.text.length, 256);
  assert.equal(fields.user_identity?.primary.truncated, true);
  assert.equal(fields.user_identity?.primary.hex.length, 2000);
  assert.equal(fields.user_identity?.secondary?.text, 'pw');
  assert.equal(fields.unknown_items[0]?.hex.length, 4096);
  assert.deepEqual(fields.roles, [{ sop_class: UID.CT_IMAGE_STORAGE, scu: true, scp: false }]);
  const parsed = dimseFields['dicomhawk.association.request'].safeParse(fields);
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
});
