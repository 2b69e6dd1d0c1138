/**
 * DIMSE command set codec, PS3.7 §6.3 and §9.3 / Annex E: the command set is group 0000 only, always
 * encoded Implicit VR Little Endian (PS3.7 §6.3.1; PS3.5 §7.1.3 element layout: tag group (2), tag
 * element (2), value length (4), value), elements in ascending order, values even length, and
 * (0000,0000) CommandGroupLength = bytes after it to the end of the command set.
 *
 * Decoding is bounded: every element header and value must lie within the buffer; nothing is
 * allocated from a declared length (values are views, copied only once validated). Hostile input
 * yields a typed `DimseDecodeError` — returned, not thrown. Odd content (unknown elements, wrong value
 * sizes, a group length that does not add up) is kept raw and listed in `anomalies`.
 */
import { Writer } from '../net/writer.ts';
import { COMMAND_ELEMENTS, NO_DATASET, commandFieldName, type CommandVr } from './commandFields.ts';

export { CommandField, NO_DATASET, Priority, commandFieldName, isResponse } from './commandFields.ts';
export { Status, describeStatus, statusCategory, type StatusCategory } from './status.ts';

export type DimseDecodeReason =
  | 'empty-command-set'
  | 'command-too-large'
  | 'truncated-element-header'
  | 'element-outside-group-0000'
  | 'undefined-length'
  | 'element-length-exceeds-buffer'
  | 'too-many-elements'
  | 'missing-command-field';

export class DimseDecodeError extends Error {
  override readonly name = 'DimseDecodeError';
  constructor(
    readonly reason: DimseDecodeReason,
    /** Offset within the command set where the problem starts. */
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`${reason} at offset ${offset}: ${detail}`);
  }
}

/** One element of the command set as sent. */
export interface CommandElement {
  /** `GGGGEEEE`, upper-case hex. */
  readonly tag: string;
  readonly element: number;
  readonly keyword: string | null;
  readonly vr: CommandVr | null;
  readonly offset: number;
  readonly length: number;
  /** The value bytes (copy). */
  readonly raw: Buffer;
}

export interface DimseCommand {
  readonly commandField: number;
  /** `C-FIND-RQ`, or `unknown-0xNNNN`. */
  readonly commandName: string;
  readonly messageId: number | null;
  readonly messageIdBeingRespondedTo: number | null;
  readonly affectedSopClassUid: string | null;
  readonly requestedSopClassUid: string | null;
  readonly affectedSopInstanceUid: string | null;
  readonly requestedSopInstanceUid: string | null;
  readonly moveDestination: string | null;
  readonly priority: number | null;
  readonly commandDataSetType: number | null;
  /** A data set follows unless CommandDataSetType is 0101H (missing counts as none, with an anomaly). */
  readonly hasDataset: boolean;
  readonly status: number | null;
  readonly offendingElement: readonly number[] | null;
  readonly errorComment: string | null;
  readonly errorId: number | null;
  readonly eventTypeId: number | null;
  readonly actionTypeId: number | null;
  readonly attributeIdentifierList: readonly number[] | null;
  readonly remaining: number | null;
  readonly completed: number | null;
  readonly failed: number | null;
  readonly warning: number | null;
  readonly moveOriginatorAe: string | null;
  readonly moveOriginatorMessageId: number | null;
  /** (0000,0000) as sent. */
  readonly groupLength: number | null;
  /** Every element in the order sent (unknown ones included). */
  readonly elements: readonly CommandElement[];
  readonly anomalies: readonly string[];
}

export type DecodeCommandResult = { readonly ok: true; readonly command: DimseCommand } | { readonly ok: false; readonly error: DimseDecodeError };

export interface DecodeCommandLimits {
  /** Largest command set accepted (default 64 KiB). */
  readonly maxLength?: number;
  /** Most elements accepted (default 256; PS3.7 defines fewer than 30). */
  readonly maxElements?: number;
}

export const DEFAULT_MAX_COMMAND_LENGTH = 64 * 1024;
const UNDEFINED_LENGTH = 0xffffffff;

export function tagHex(group: number, element: number): string {
  return (group.toString(16).padStart(4, '0') + element.toString(16).padStart(4, '0')).toUpperCase();
}

function trimText(raw: Buffer, vr: CommandVr): string {
  let s = raw.toString('latin1');
  if (vr === 'UI') s = s.replace(/[\0 ]+$/, '');
  else s = s.replace(/^[ ]+|[ \0]+$/g, '');
  return s;
}

type Value = number | string | number[] | null;

function decodeValue(raw: Buffer, vr: CommandVr, label: string, anomalies: string[]): Value {
  switch (vr) {
    case 'UL':
      if (raw.length === 4) return raw.readUInt32LE(0);
      anomalies.push(`${label} UL length ${raw.length} (expected 4)`);
      return null;
    case 'US':
      if (raw.length === 2) return raw.readUInt16LE(0);
      anomalies.push(`${label} US length ${raw.length} (expected 2)`);
      return null;
    case 'AT': {
      if (raw.length % 4 !== 0) {
        anomalies.push(`${label} AT length ${raw.length} (not a multiple of 4)`);
        return null;
      }
      const tags: number[] = [];
      for (let i = 0; i < raw.length; i += 4) tags.push(((raw.readUInt16LE(i) << 16) | raw.readUInt16LE(i + 2)) >>> 0);
      return tags;
    }
    default: {
      const text = trimText(raw, vr);
      if (vr === 'UI' && text.length > 64) anomalies.push(`${label} uid over 64 bytes`);
      if (vr === 'AE' && text.length > 16) anomalies.push(`${label} AE title over 16 bytes`);
      return text;
    }
  }
}

/** Decode a complete command set (all command fragments joined). */
export function decodeCommand(buf: Buffer, limits: DecodeCommandLimits = {}): DecodeCommandResult {
  const maxLength = limits.maxLength ?? DEFAULT_MAX_COMMAND_LENGTH;
  const maxElements = limits.maxElements ?? 256;
  const fail = (reason: DimseDecodeReason, offset: number, detail: string): DecodeCommandResult => ({
    ok: false,
    error: new DimseDecodeError(reason, offset, detail),
  });
  if (buf.length === 0) return fail('empty-command-set', 0, 'no bytes');
  if (buf.length > maxLength) return fail('command-too-large', 0, `${buf.length} bytes (limit ${maxLength})`);

  const anomalies: string[] = [];
  const elements: CommandElement[] = [];
  const values = new Map<number, Value>();
  let groupLength: number | null = null;
  let groupLengthEnd = -1;
  let previous = -1;
  const seen = new Set<number>();
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < 8) return fail('truncated-element-header', pos, `${buf.length - pos} bytes left, element header needs 8`);
    const group = buf.readUInt16LE(pos);
    const element = buf.readUInt16LE(pos + 2);
    const length = buf.readUInt32LE(pos + 4);
    if (group !== 0x0000) return fail('element-outside-group-0000', pos, `tag (${tagHex(group, element)})`);
    if (length === UNDEFINED_LENGTH) return fail('undefined-length', pos, `(0000,${tagHex(0, element).slice(4)}) has undefined length`);
    if (length > buf.length - pos - 8) {
      return fail('element-length-exceeds-buffer', pos, `(0000,${tagHex(0, element).slice(4)}) declares ${length} bytes, ${buf.length - pos - 8} available`);
    }
    if (elements.length >= maxElements) return fail('too-many-elements', pos, `more than ${maxElements} elements`);
    const raw = buf.subarray(pos + 8, pos + 8 + length);
    const spec = COMMAND_ELEMENTS.get(element);
    const tag = tagHex(group, element);
    const label = `(0000,${tag.slice(4)})`;
    if (seen.has(element)) anomalies.push(`duplicate element ${label}`);
    else if (element < previous) anomalies.push(`element ${label} out of ascending order`);
    seen.add(element);
    if (length % 2 !== 0) anomalies.push(`${label} odd value length ${length}`);
    elements.push({ tag, element, keyword: spec?.keyword ?? null, vr: spec?.vr ?? null, offset: pos, length, raw: Buffer.from(raw) });
    if (spec === undefined) {
      anomalies.push(`unknown command element ${label}`);
    } else if (!values.has(element)) {
      values.set(element, decodeValue(raw, spec.vr, label, anomalies));
    }
    if (element === 0x0000 && groupLength === null) {
      groupLength = typeof values.get(0) === 'number' ? (values.get(0) as number) : null;
      groupLengthEnd = pos + 8 + length;
      if (pos !== 0) anomalies.push('CommandGroupLength is not the first element');
    }
    previous = Math.max(previous, element);
    pos += 8 + length;
  }

  if (groupLength === null && groupLengthEnd < 0) anomalies.push('missing CommandGroupLength (0000,0000)');
  else if (groupLength !== null && groupLength !== buf.length - groupLengthEnd) {
    anomalies.push(`CommandGroupLength ${groupLength} but ${buf.length - groupLengthEnd} bytes follow it`);
  }
  const commandField = values.get(0x0100);
  if (typeof commandField !== 'number') return fail('missing-command-field', 0, 'no usable CommandField (0000,0100)');

  const num = (el: number): number | null => {
    const v = values.get(el);
    return typeof v === 'number' ? v : null;
  };
  const str = (el: number): string | null => {
    const v = values.get(el);
    return typeof v === 'string' ? v : null;
  };
  const tags = (el: number): number[] | null => {
    const v = values.get(el);
    return Array.isArray(v) ? v : null;
  };
  const commandDataSetType = num(0x0800);
  if (commandDataSetType === null) anomalies.push('missing CommandDataSetType (0000,0800)');
  return {
    ok: true,
    command: {
      commandField,
      commandName: commandFieldName(commandField),
      messageId: num(0x0110),
      messageIdBeingRespondedTo: num(0x0120),
      affectedSopClassUid: str(0x0002),
      requestedSopClassUid: str(0x0003),
      affectedSopInstanceUid: str(0x1000),
      requestedSopInstanceUid: str(0x1001),
      moveDestination: str(0x0600),
      priority: num(0x0700),
      commandDataSetType,
      hasDataset: commandDataSetType !== null && commandDataSetType !== NO_DATASET,
      status: num(0x0900),
      offendingElement: tags(0x0901),
      errorComment: str(0x0902),
      errorId: num(0x0903),
      eventTypeId: num(0x1002),
      actionTypeId: num(0x1008),
      attributeIdentifierList: tags(0x1005),
      remaining: num(0x1020),
      completed: num(0x1021),
      failed: num(0x1022),
      warning: num(0x1023),
      moveOriginatorAe: str(0x1030),
      moveOriginatorMessageId: num(0x1031),
      groupLength,
      elements,
      anomalies,
    },
  };
}

/** Fields of a command set to encode; absent fields are not written. */
export interface CommandInit {
  readonly commandField: number;
  readonly messageId?: number;
  readonly messageIdBeingRespondedTo?: number;
  readonly affectedSopClassUid?: string;
  readonly requestedSopClassUid?: string;
  readonly affectedSopInstanceUid?: string;
  readonly requestedSopInstanceUid?: string;
  readonly moveDestination?: string;
  readonly priority?: number;
  /** Writes CommandDataSetType: 0101H when false, `dataSetTypePresent` (default 0001H) when true. */
  readonly hasDataset: boolean;
  readonly dataSetTypePresent?: number;
  readonly status?: number;
  readonly offendingElement?: readonly number[];
  readonly errorComment?: string;
  readonly errorId?: number;
  readonly eventTypeId?: number;
  readonly actionTypeId?: number;
  readonly attributeIdentifierList?: readonly number[];
  readonly remaining?: number;
  readonly completed?: number;
  readonly failed?: number;
  readonly warning?: number;
  readonly moveOriginatorAe?: string;
  readonly moveOriginatorMessageId?: number;
}

type InitKey = Exclude<keyof CommandInit, 'hasDataset' | 'dataSetTypePresent'>;

/** CommandInit field → group 0000 element (PS3.7 Table E.1-1). */
const INIT_ELEMENTS: readonly (readonly [InitKey, number])[] = [
  ['affectedSopClassUid', 0x0002],
  ['requestedSopClassUid', 0x0003],
  ['commandField', 0x0100],
  ['messageId', 0x0110],
  ['messageIdBeingRespondedTo', 0x0120],
  ['moveDestination', 0x0600],
  ['priority', 0x0700],
  ['status', 0x0900],
  ['offendingElement', 0x0901],
  ['errorComment', 0x0902],
  ['errorId', 0x0903],
  ['affectedSopInstanceUid', 0x1000],
  ['requestedSopInstanceUid', 0x1001],
  ['eventTypeId', 0x1002],
  ['attributeIdentifierList', 0x1005],
  ['actionTypeId', 0x1008],
  ['remaining', 0x1020],
  ['completed', 0x1021],
  ['failed', 0x1022],
  ['warning', 0x1023],
  ['moveOriginatorAe', 0x1030],
  ['moveOriginatorMessageId', 0x1031],
];

function encodeValue(vr: CommandVr, value: unknown): Buffer {
  switch (vr) {
    case 'US': {
      const b = Buffer.alloc(2);
      b.writeUInt16LE(value as number);
      return b;
    }
    case 'UL': {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(value as number);
      return b;
    }
    case 'AT': {
      const list = value as readonly number[];
      const b = Buffer.alloc(list.length * 4);
      list.forEach((t, i) => {
        b.writeUInt16LE(t >>> 16, i * 4);
        b.writeUInt16LE(t & 0xffff, i * 4 + 2);
      });
      return b;
    }
    default: {
      const text = Buffer.from(value as string, 'latin1');
      if (text.length % 2 === 0) return text;
      // Even length (PS3.5 §7.1.1): UI pads with NUL, text VRs with a space (PS3.5 §6.2).
      return Buffer.concat([text, Buffer.from([vr === 'UI' ? 0x00 : 0x20])]);
    }
  }
}

/** Encode a command set: elements ascending, even values, correct CommandGroupLength first. */
export function encodeCommand(init: CommandInit): Buffer {
  const entries: [number, Buffer][] = [];
  for (const [key, element] of INIT_ELEMENTS) {
    const value = init[key];
    if (value === undefined) continue;
    const spec = COMMAND_ELEMENTS.get(element);
    if (spec === undefined) throw new Error(`no spec for (0000,${element.toString(16)})`);
    entries.push([element, encodeValue(spec.vr, value)]);
  }
  entries.push([0x0800, encodeValue('US', init.hasDataset ? (init.dataSetTypePresent ?? 0x0001) : NO_DATASET)]);
  entries.sort((a, b) => a[0] - b[0]);
  const bodyLength = entries.reduce((n, [, v]) => n + 8 + v.length, 0);
  const w = new Writer(12 + bodyLength);
  w.u16le(0).u16le(0).u32le(4).u32le(bodyLength);
  for (const [element, value] of entries) {
    w.u16le(0).u16le(element).u32le(value.length).bytes(value);
  }
  return w.finish();
}
