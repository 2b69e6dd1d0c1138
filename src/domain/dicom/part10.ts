/**
 * DICOM Part 10 file framing (PS3.10 §7.1): 128-byte preamble, "DICM", and the File Meta Information
 * (group 0002, always Explicit VR Little Endian) in front of a data set kept byte for byte.
 */

export interface FileMeta {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  implementationClassUid: string;
  implementationVersionName?: string;
  sourceAeTitle?: string;
}

function element(tag: number, vr: string, value: Buffer): Buffer {
  const long = vr === 'OB' || vr === 'OW' || vr === 'UN' || vr === 'SQ' || vr === 'UT';
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(0x0002, 0);
  head.writeUInt16LE(tag, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}

function text(s: string, pad: number): Buffer {
  const b = Buffer.from(s, 'latin1');
  return b.length % 2 === 0 ? b : Buffer.concat([b, Buffer.from([pad])]);
}

export function fileMetaBytes(m: FileMeta): Buffer {
  const rest = Buffer.concat([
    element(0x0001, 'OB', Buffer.from([0x00, 0x01])),
    element(0x0002, 'UI', text(m.sopClassUid, 0)),
    element(0x0003, 'UI', text(m.sopInstanceUid, 0)),
    element(0x0010, 'UI', text(m.transferSyntaxUid, 0)),
    element(0x0012, 'UI', text(m.implementationClassUid, 0)),
    ...(m.implementationVersionName ? [element(0x0013, 'SH', text(m.implementationVersionName, 0x20))] : []),
    ...(m.sourceAeTitle ? [element(0x0016, 'AE', text(m.sourceAeTitle, 0x20))] : []),
  ]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(rest.length);
  return Buffer.concat([element(0x0000, 'UL', groupLength), rest]);
}

export function part10(meta: FileMeta, dataset: Uint8Array): Buffer {
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), fileMetaBytes(meta), dataset]);
}

/**
 * Where the data set starts in a Part 10 file (after the group 0002 elements), and the transfer syntax
 * the meta names. Bounded: every length is checked against the buffer; null when it is not Part 10.
 */
export function splitPart10(buf: Buffer): { datasetOffset: number; transferSyntaxUid: string | null; sopClassUid: string | null; sopInstanceUid: string | null } | null {
  if (buf.length < 132 || buf.toString('latin1', 128, 132) !== 'DICM') return null;
  let o = 132;
  let ts: string | null = null;
  let sopClass: string | null = null;
  let sopInstance: string | null = null;
  while (o + 8 <= buf.length && buf.readUInt16LE(o) === 0x0002) {
    const el = buf.readUInt16LE(o + 2);
    const vr = buf.toString('latin1', o + 4, o + 6);
    const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV'].includes(vr);
    const hl = long ? 12 : 8;
    if (o + hl > buf.length) return null;
    const len = long ? buf.readUInt32LE(o + 8) : buf.readUInt16LE(o + 6);
    if (o + hl + len > buf.length) return null;
    const v = (): string => buf.toString('latin1', o + hl, o + hl + len).replace(/[\0 ]+$/, '');
    if (el === 0x0010) ts = v();
    else if (el === 0x0002) sopClass = v();
    else if (el === 0x0003) sopInstance = v();
    o += hl + len;
  }
  return { datasetOffset: o, transferSyntaxUid: ts, sopClassUid: sopClass, sopInstanceUid: sopInstance };
}
