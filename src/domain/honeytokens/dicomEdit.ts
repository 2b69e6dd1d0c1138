/**
 * Sets top-level elements in a Part-10 file we wrote ourselves (Explicit VR Little Endian, tags ascending,
 * defined lengths), splicing their encoded bytes in at the right place and leaving every other byte as it
 * was: no round trip through a parser that could re-encode numbers, padding or pixel data.
 */
import type { Charset } from '../dataset/dicom/charset.ts';
import type { DicomDataset } from '../dataset/dicom/dataset.ts';
import { EXPLICIT_VR_LITTLE_ENDIAN, encodeDataset } from '../dataset/dicom/part10Writer.ts';
import { splitPart10 } from '../dicom/part10.ts';

const LONG_HEADER_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);

export class DicomEditError extends Error {}

function tagAt(buf: Buffer, o: number): number {
  return ((buf.readUInt16LE(o) << 16) | buf.readUInt16LE(o + 2)) >>> 0;
}

/** Offset just past the element at `o` (defined lengths only). */
function skipElement(buf: Buffer, o: number): number {
  if (o + 8 > buf.length) throw new DicomEditError(`truncated element header at offset ${o}`);
  const vr = buf.toString('latin1', o + 4, o + 6);
  const long = LONG_HEADER_VRS.has(vr);
  if (long && o + 12 > buf.length) throw new DicomEditError(`truncated element header at offset ${o}`);
  const length = long ? buf.readUInt32LE(o + 8) : buf.readUInt16LE(o + 6);
  if (length === 0xffffffff) throw new DicomEditError(`undefined length before the elements to set (offset ${o})`);
  const end = o + (long ? 12 : 8) + length;
  if (end > buf.length) throw new DicomEditError(`element at offset ${o} runs past the end of the file`);
  return end;
}

/**
 * A copy of `file` with `elements` (dict form, e.g. `{ '00081190': { vr: 'UR', Value: [url] } }`) added or
 * replaced at the top level; text is encoded in `charset` (the file's SpecificCharacterSet).
 */
export function setTopLevelElements(file: Buffer, elements: DicomDataset, charset: Charset): Buffer {
  const split = splitPart10(file);
  if (!split) throw new DicomEditError('not a Part-10 file');
  if (split.transferSyntaxUid !== EXPLICIT_VR_LITTLE_ENDIAN) throw new DicomEditError(`transfer syntax ${split.transferSyntaxUid ?? '(none)'} is not Explicit VR Little Endian`);
  const tags = Object.keys(elements)
    .map((t) => t.toUpperCase())
    .sort();
  const pieces: Buffer[] = [];
  let o = split.datasetOffset;
  let copied = 0;
  for (const tag of tags) {
    if (tag.startsWith('0002') || !/^[0-9A-F]{8}$/.test(tag)) throw new DicomEditError(`cannot set ${tag} at the top level`);
    const want = parseInt(tag, 16) >>> 0;
    while (o < file.length && tagAt(file, o) < want) o = skipElement(file, o);
    pieces.push(file.subarray(copied, o));
    const el = elements[tag] ?? elements[tag.toLowerCase()];
    if (el) pieces.push(encodeDataset({ [tag]: el }, { charset, validate: true, encapsulated: false }));
    if (o < file.length && tagAt(file, o) === want) o = skipElement(file, o);
    copied = o;
  }
  pieces.push(file.subarray(copied));
  return Buffer.concat(pieces);
}
