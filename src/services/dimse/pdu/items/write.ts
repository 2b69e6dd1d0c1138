/**
 * Item encoding helpers shared by every association item encoder: the PS3.8 §9.3.2 item layout
 * (type, reserved 00H, 2-byte big-endian length, value) with the length back-patched by the Writer.
 */
import type { Writer } from '../../net/writer.ts';

/** Write one item or sub-item: type, reserved 00H, back-patched 2-byte length, then `content`. */
export function writeItem(w: Writer, type: number, content: () => void): void {
  w.u8(type).u8(0);
  const m = w.beginLength('u16be');
  content();
  w.endLength(m);
}

/** A 2-byte big-endian length followed by the value (UID-length + UID and the like, PS3.7 D.3.3). */
export function writeLengthPrefixed(w: Writer, value: Uint8Array | string): void {
  const m = w.beginLength('u16be');
  w.bytes(typeof value === 'string' ? Buffer.from(value, 'latin1') : value);
  w.endLength(m);
}
