/**
 * Deterministic randomness for the decoy dataset.
 *
 * Every random choice the dataset makes is derived from (installSecret, seed):
 *   key  = HMAC-SHA256(installSecret, "dicomhawk/rng/v1" ‖ 0x00 ‖ seed)
 *   fork = HMAC-SHA256(parent key, labels joined by 0x00)
 * and each key seeds a xoshiro128** generator. The same installation and seed always give the same
 * archive; another installation (another secret) gives a different one, and nobody without the secret
 * can predict it. Forking by label (`rng.fork('patient', 3)`) keeps unrelated parts independent: adding a
 * draw in one place never shifts the values drawn elsewhere.
 */
import { createHmac } from 'node:crypto';

export type Secret = Buffer | string;

const RNG_DOMAIN = 'dicomhawk/rng/v1';

/** HMAC-SHA256 of the labels (joined by NUL) under `key`. */
export function deriveKey(key: Secret, ...labels: readonly (string | number)[]): Buffer {
  return createHmac('sha256', key).update(labels.map(String).join('\0'), 'utf8').digest();
}

export class Rng {
  readonly #key: Buffer;
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spareNormal: number | undefined;

  /** `key` must hold at least 16 bytes (an HMAC-SHA256 digest). */
  constructor(key: Buffer) {
    if (key.length < 16) throw new RangeError('Rng key must hold at least 16 bytes');
    this.#key = Buffer.from(key);
    this.#a = key.readUInt32LE(0);
    this.#b = key.readUInt32LE(4);
    this.#c = key.readUInt32LE(8);
    this.#d = key.readUInt32LE(12);
    if ((this.#a | this.#b | this.#c | this.#d) === 0) this.#a = 0x9e3779b9;
  }

  /** An independent generator for a named sub-task. */
  fork(...labels: readonly (string | number)[]): Rng {
    return new Rng(deriveKey(this.#key, ...labels));
  }

  /** Bytes derived from this generator's key and the labels (does not consume the stream). */
  derive(...labels: readonly (string | number)[]): Buffer {
    return deriveKey(this.#key, ...labels);
  }

  /** xoshiro128** step: a uniform unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9) >>> 0;
    const t = this.#b << 9;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotl(this.#d, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 53 bits of precision. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`Rng.int: bad range [${min}, ${max}]`);
    }
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform float in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks an item with probability proportional to its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, w]) => sum + w, 0);
    if (!(total > 0)) throw new RangeError('Rng.weighted: weights must sum to a positive number');
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return (items[items.length - 1] as readonly [T, number])[0];
  }

  /** Gaussian draw (Box–Muller, caching the second value). */
  normal(mean = 0, sd = 1): number {
    if (this.#spareNormal !== undefined) {
      const z = this.#spareNormal;
      this.#spareNormal = undefined;
      return mean + sd * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** A string of `count` decimal digits (leading zeros allowed). */
  digits(count: number): string {
    let s = '';
    for (let i = 0; i < count; i++) s += String(this.int(0, 9));
    return s;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The root generator of an installation for one seed. */
export function createRng(installSecret: Secret, seed: string): Rng {
  return new Rng(deriveKey(installSecret, RNG_DOMAIN, seed));
}
