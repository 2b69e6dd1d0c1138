import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ITEM_SPECS, ItemType, itemBelongs, itemLabel, itemSpec } from '../../../../src/services/dimse/pdu/items/registry.ts';
import { PDU_DECODERS } from '../../../../src/services/dimse/pdu/decode.ts';
import { FIXED_LENGTH_PDU_TYPES, PDU_MIN_LENGTH, PDU_TYPE_NAMES, PduType, isPduType, pduTypeName } from '../../../../src/services/dimse/pdu/types.ts';

test('every PDU type has a name, a minimum length and a decoder; nothing else is a PDU type', () => {
  for (const code of Object.values(PduType)) {
    assert.ok(PDU_TYPE_NAMES[code]);
    assert.ok(PDU_MIN_LENGTH[code] >= 4);
    assert.equal(typeof PDU_DECODERS[code], 'function');
  }
  for (let b = 0; b < 256; b++) assert.equal(isPduType(b), b >= 1 && b <= 7, `byte ${b}`);
  assert.equal(pduTypeName(0x47), 'unknown-0x47');
  assert.deepEqual([...FIXED_LENGTH_PDU_TYPES].sort(), [3, 5, 6, 7]);
});

test('the item table is total over the codes PS3.8 and PS3.7 define', () => {
  const codes = Object.values(ItemType);
  assert.deepEqual(
    codes.slice().sort((a, b) => a - b),
    [0x10, 0x20, 0x21, 0x30, 0x40, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59],
  );
  for (const code of codes) {
    const spec = ITEM_SPECS[code];
    assert.equal(spec.code, code);
    assert.ok(spec.allowedIn.length > 0);
    assert.match(spec.reference, /^PS3\.[78] /);
  }
  for (let b = 0; b < 256; b++) {
    if (!(codes as number[]).includes(b)) {
      assert.equal(itemSpec(b), undefined);
      assert.match(itemLabel(b), /^unknown item/);
    }
  }
  assert.equal(itemBelongs(0x20, 'pdu', 'A-ASSOCIATE-RQ'), true);
  assert.equal(itemBelongs(0x20, 'pdu', 'A-ASSOCIATE-AC'), false);
  assert.equal(itemBelongs(0x58, 'user-information', 'A-ASSOCIATE-AC'), false);
  assert.equal(itemBelongs(0x59, 'user-information', 'A-ASSOCIATE-AC'), true);
  assert.equal(itemBelongs(0x51, 'pdu', 'A-ASSOCIATE-RQ'), false);
});
