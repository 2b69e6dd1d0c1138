import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UidFactory, UidRemapper, installUidRoot, isValidUid, uuidDerivedUid } from '../../../src/domain/dataset/uids.ts';

describe('UIDs', () => {
  it('mints valid UUID-derived UIDs (≤ 64 chars, no leading zeros)', () => {
    // All-zero input still yields a valid UUID (version 8, RFC variant bits set), so no leading zero.
    assert.equal(uuidDerivedUid(Buffer.alloc(16)), `2.25.${BigInt('0x00000000000080008000000000000000')}`);
    const f = new UidFactory('secret', 'synth/seed');
    for (let i = 0; i < 500; i++) {
      const uid = f.uid('instance', i);
      assert.ok(isValidUid(uid), uid);
      assert.ok(uid.startsWith('2.25.'));
      assert.ok(uid.length <= 44);
    }
    assert.ok(isValidUid(installUidRoot('secret')));
    assert.notEqual(installUidRoot('secret'), installUidRoot('other'));
    assert.ok(!isValidUid('1.02.3'));
    assert.ok(!isValidUid('1..2'));
  });

  it('remaps source UIDs deterministically and consistently', () => {
    const a = new UidRemapper('install-a');
    const b = new UidRemapper('install-a');
    const src = '1.3.6.1.4.1.14519.5.2.1.6279.6001.298806137288633453246975630178';
    assert.equal(a.map(src), b.map(src));
    assert.equal(a.map(`${src}\0`), a.map(src), 'UI padding is ignored');
    assert.notEqual(a.map(src), a.map(`${src}1`));
    assert.ok(isValidUid(a.map(src)));
  });

  it('never remaps well-known and class UIDs', () => {
    const r = new UidRemapper('install-a');
    assert.equal(r.map('1.2.840.10008.5.1.4.1.1.2'), '1.2.840.10008.5.1.4.1.1.2');
    assert.equal(r.map('1.2.840.10008.1.2.1'), '1.2.840.10008.1.2.1');
    assert.equal(r.map('1.2.840.113619.4.30', '00080016'), '1.2.840.113619.4.30', 'vendor SOP class in SOPClassUID');
    assert.equal(r.map('1.2.840.113619.4.30', '00081150'), '1.2.840.113619.4.30', 'vendor SOP class in ReferencedSOPClassUID');
    assert.notEqual(r.map('1.2.840.113619.2.55.3', '00081155'), '1.2.840.113619.2.55.3', 'instance references are remapped');
  });

  it('gives two installations disjoint UIDs', () => {
    const a = new UidRemapper('install-a');
    const b = new UidRemapper('install-b');
    const src = Array.from({ length: 200 }, (_, i) => `1.2.3.4.${i}`);
    const ua = new Set(src.map((u) => a.map(u)));
    const ub = new Set(src.map((u) => b.map(u)));
    assert.equal(ua.size, 200);
    assert.ok([...ua].every((u) => !ub.has(u)));
  });
});
