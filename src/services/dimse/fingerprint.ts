/**
 * Client fingerprint: a stable hash over what the A-ASSOCIATE-RQ (PS3.8 §9.3.2) reveals about the
 * client *software*, not the user's choices. In: protocol version, reserved-byte hygiene, AE title
 * padding style, item order and types, a bucket of the context count, the context ID pattern, the
 * transfer syntax lists (ordering included), max length, implementation class UID and version name,
 * user-information sub-item order and which optional negotiations are present, UID padding style,
 * unknown item codes. Out: AE title text and abstract syntaxes (what the user asked for).
 *
 * `d1_` + the first 12 hex digits of sha256(canonical) — `d1` names this rendering (version 1); change
 * the prefix whenever the canonical form changes so old and new fingerprints never collide silently.
 */
import { createHash } from 'node:crypto';
import { guessClient, type ClientGuess } from './knownClients.ts';
import type { AssociateRq } from './pdu/associateRq.ts';
import { DICOM_APPLICATION_CONTEXT } from './pdu/items/variableItems.ts';

export const FINGERPRINT_PREFIX = 'd1_';

/** Short names for the transfer syntaxes most clients propose (PS3.5 Annex A). */
const TS_ABBREVIATIONS: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2': 'ILE',
  '1.2.840.10008.1.2.1': 'ELE',
  '1.2.840.10008.1.2.1.99': 'DEF',
  '1.2.840.10008.1.2.2': 'EBE',
};

function hex2(code: number): string {
  return code.toString(16).padStart(2, '0');
}

/** Item codes with runs of one code collapsed to `code*` (how many is the user's choice). */
function runs(codes: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] as number;
    if (i + 1 < codes.length && codes[i + 1] === c) {
      while (i + 1 < codes.length && codes[i + 1] === c) i++;
      out.push(`${hex2(c)}*`);
    } else {
      out.push(hex2(c));
    }
  }
  return out.join(',');
}

function bucket(n: number): string {
  if (n <= 1) return String(n);
  if (n <= 3) return '2-3';
  if (n <= 7) return '4-7';
  if (n <= 15) return '8-15';
  if (n <= 31) return '16-31';
  if (n <= 63) return '32-63';
  if (n <= 128) return '64-128';
  return '>128';
}

/** How IDs were assigned: `1+2` when 1, 3, 5, …; otherwise flags for what differs. */
function idPattern(ids: readonly number[]): string {
  if (ids.length === 0) return 'none';
  if (ids.every((id, i) => id === 1 + 2 * i)) return '1+2';
  const flags: string[] = [];
  if (ids.some((id) => id % 2 === 0)) flags.push('even');
  if (new Set(ids).size !== ids.length) flags.push('dup');
  if (ids.some((id, i) => i > 0 && id < (ids[i - 1] as number))) flags.push('unordered');
  if (ids[0] !== 1) flags.push(`first${ids[0]}`);
  return flags.length > 0 ? flags.join('+') : 'odd-gaps';
}

function tsList(list: readonly string[]): string {
  return list.map((ts) => TS_ABBREVIATIONS[ts] ?? ts).join('>');
}

/** The canonical rendering hashed into the fingerprint (one `key=value` per line). */
export function canonicalRendering(rq: AssociateRq): string {
  const ui = rq.userInfo;
  const tsLists = [...new Set(rq.contexts.map((c) => tsList(c.transferSyntaxes)))].sort();
  const subPatterns = [...new Set(rq.contexts.map((c) => runs(c.subItemOrder)))].sort();
  const unknown = [...new Set(rq.unknownItems.map((u) => `${u.level}:${hex2(u.type)}`))].sort();
  const identity = rq.userIdentity;
  const lines = [
    'fp=v1',
    `hdr.reserved=${rq.headerReserved === 0 ? 0 : 1}`,
    `protocol=${rq.protocolVersion.toString(16)}`,
    `reserved=${rq.reserved1 === 0 ? 0 : 1}${/^0*$/.test(rq.reserved2Hex) ? 0 : 1}`,
    `ae.called=${rq.calledAe.padding}${rq.calledAe.leadingSpaces ? '+lead' : ''}`,
    `ae.calling=${rq.callingAe.padding}${rq.callingAe.leadingSpaces ? '+lead' : ''}`,
    `app=${rq.appContext === null ? 'none' : rq.appContext === DICOM_APPLICATION_CONTEXT ? 'dicom' : 'other'}`,
    `items=${runs(rq.itemOrder)}`,
    `ctx.count=${bucket(rq.contexts.length)}`,
    `ctx.ids=${idPattern(rq.contexts.map((c) => c.id))}`,
    `ctx.subitems=${subPatterns.join('|')}`,
    `ts=${tsLists.join('|')}`,
    `maxpdu=${rq.maxPdu ?? 'none'}`,
    `impl.uid=${rq.implClassUid ?? 'none'}`,
    `impl.version=${rq.implVersionName === null ? 'none' : JSON.stringify(rq.implVersionName)}`,
    `ui.order=${ui ? runs(ui.subItemOrder) : 'none'}`,
    `ui.async=${rq.asyncOps ? 1 : 0}`,
    `ui.roles=${rq.roles.length > 0 ? 1 : 0}`,
    `ui.extneg=${rq.extNeg.length > 0 ? 1 : 0}`,
    `ui.commonextneg=${rq.commonExtNeg.length > 0 ? 1 : 0}`,
    `ui.identity=${identity ? `${identity.type}/${identity.positiveResponseRequestedRaw}` : 'none'}`,
    `uid.padding=${rq.uidPadding}`,
    `unknown=${unknown.join(',')}`,
  ];
  return lines.join('\n');
}

export function fingerprintAssociateRq(rq: AssociateRq): { readonly fp: string; readonly canonical: string } {
  const canonical = canonicalRendering(rq);
  const digest = createHash('sha256').update(canonical, 'utf8').digest('hex');
  return { fp: `${FINGERPRINT_PREFIX}${digest.slice(0, 12)}`, canonical };
}

export interface ClientIdentification extends ClientGuess {
  readonly fp: string;
  readonly canonical: string;
}

/** Fingerprint plus known-client guess, for the `dicomhawk.association.request` event. */
export function identifyClient(rq: AssociateRq): ClientIdentification {
  return { ...fingerprintAssociateRq(rq), ...guessClient(rq) };
}
