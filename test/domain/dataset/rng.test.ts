import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../../src/domain/dataset/rng.ts';

function draws(secret: string, seed: string, n = 8): number[] {
  const rng = createRng(secret, seed);
  return Array.from({ length: n }, () => rng.nextUint32());
}

describe('rng', () => {
  it('repeats for the same install secret and seed', () => {
    assert.deepEqual(draws('secret-a', 'seed'), draws('secret-a', 'seed'));
    assert.deepEqual(draws('secret-a', 'seed'), draws(Buffer.from('secret-a') as unknown as string, 'seed'));
  });

  it('differs between installations and between seeds', () => {
    assert.notDeepEqual(draws('secret-a', 'seed'), draws('secret-b', 'seed'));
    assert.notDeepEqual(draws('secret-a', 'seed'), draws('secret-a', 'other'));
  });

  it('keeps forks independent of draws made elsewhere', () => {
    const a = createRng('s', 'x');
    const b = createRng('s', 'x');
    b.next();
    b.next();
    assert.equal(a.fork('patient', 1).nextUint32(), b.fork('patient', 1).nextUint32());
    assert.notEqual(a.fork('patient', 1).nextUint32(), a.fork('patient', 2).nextUint32());
  });

  it('stays inside the requested ranges', () => {
    const rng = createRng('s', 'ranges');
    for (let i = 0; i < 2000; i++) {
      const f = rng.next();
      assert.ok(f >= 0 && f < 1);
      const n = rng.int(-3, 3);
      assert.ok(Number.isInteger(n) && n >= -3 && n <= 3);
    }
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const v = rng.weighted([['a', 1], ['b', 2]] as const);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    assert.ok((counts.get('b') ?? 0) > (counts.get('a') ?? 0) * 1.5);
  });

  it('produces normal draws with about the right spread', () => {
    const rng = createRng('s', 'normal');
    const xs = Array.from({ length: 5000 }, () => rng.normal(10, 2));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    assert.ok(Math.abs(mean - 10) < 0.15, `mean ${mean}`);
    assert.ok(Math.abs(sd - 2) < 0.15, `sd ${sd}`);
  });
});
