/**
 * Hand-written data set bytes for the walker and identifier tests (PS3.5 §7.1, §7.5), independent of
 * `writeIdentifier` so malformed structures can be built on purpose.
 */
export interface Enc {
  readonly explicit: boolean;
  readonly le: boolean;
}
export const ILE: Enc = { explicit: false, le: true };
export const ELE: Enc = { explicit: true, le: true };
export const EBE: Enc = { explicit: true, le: false };
export const UNDEFINED = 0xffffffff;
const LONG = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

function u16(n: number, le: boolean): Buffer {
  const b = Buffer.alloc(2);
  if (le) b.writeUInt16LE(n);
  else b.writeUInt16BE(n);
  return b;
}

function u32(n: number, le: boolean): Buffer {
  const b = Buffer.alloc(4);
  if (le) b.writeUInt32LE(n >>> 0);
  else b.writeUInt32BE(n >>> 0);
  return b;
}

function tagBytes(tag: number, le: boolean): Buffer {
  return Buffer.concat([u16(tag >>> 16, le), u16(tag & 0xffff, le)]);
}

/** One element; `length` overrides the declared length. */
export function elem(enc: Enc, tag: number, vr: string, value: Buffer | string, length?: number): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  const len = length ?? v.length;
  if (!enc.explicit) return Buffer.concat([tagBytes(tag, enc.le), u32(len, enc.le), v]);
  if (LONG.has(vr)) return Buffer.concat([tagBytes(tag, enc.le), Buffer.from(vr, 'latin1'), Buffer.alloc(2), u32(len, enc.le), v]);
  return Buffer.concat([tagBytes(tag, enc.le), Buffer.from(vr, 'latin1'), u16(len, enc.le), v]);
}

/** Item (FFFE,E000) with defined length (or undefined + delimiter). */
export function itemOf(enc: Enc, content: Buffer, undefinedLength = false): Buffer {
  if (undefinedLength) return Buffer.concat([tagBytes(0xfffee000, enc.le), u32(UNDEFINED, enc.le), content, tagBytes(0xfffee00d, enc.le), u32(0, enc.le)]);
  return Buffer.concat([tagBytes(0xfffee000, enc.le), u32(content.length, enc.le), content]);
}

/** Sequence element with the given items, defined length or undefined + sequence delimiter. */
export function seq(enc: Enc, tag: number, items: Buffer[], undefinedLength = false): Buffer {
  const body = Buffer.concat(items);
  if (undefinedLength) {
    return Buffer.concat([elem(enc, tag, 'SQ', body, UNDEFINED), tagBytes(0xfffee0dd, enc.le), u32(0, enc.le)]);
  }
  return elem(enc, tag, 'SQ', body);
}

export function seqDelimiter(enc: Enc, length = 0): Buffer {
  return Buffer.concat([tagBytes(0xfffee0dd, enc.le), u32(length, enc.le)]);
}

export function itemDelimiter(enc: Enc, length = 0): Buffer {
  return Buffer.concat([tagBytes(0xfffee00d, enc.le), u32(length, enc.le)]);
}

/** Raw item header (for fragments and malformed items). */
export function itemHeader(enc: Enc, length: number, tag = 0xfffee000): Buffer {
  return Buffer.concat([tagBytes(tag, enc.le), u32(length, enc.le)]);
}

/** Sequences nested `depth` levels deep around one text element. */
export function nested(enc: Enc, depth: number, undefinedLength = false): Buffer {
  let inner = elem(enc, 0x00100010, 'PN', 'DEEP');
  for (let i = 0; i < depth; i++) inner = seq(enc, 0x00081115, [itemOf(enc, inner, undefinedLength)], undefinedLength);
  return inner;
}
