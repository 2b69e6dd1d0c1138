/**
 * UIDs of the decoy archive.
 *
 * Every UID we mint has the form `2.25.<decimal of a 128-bit value>` (PS3.5 §B.2, "UUID-derived UID"):
 * the 128 bits come from HMAC-SHA256 under the install secret, with the RFC 9562 version (8, custom) and
 * variant bits set, so each UID is a valid UUID, at most 44 characters, without leading zeros, and
 * unpredictable without the secret. Synthetic and imported objects get UIDs of the same shape, so nothing
 * tells them apart.
 *
 * - `installUidRoot(secret)`: this installation's own 2.25 UID (usable as an implementation class UID).
 * - `UidFactory`: UIDs for synthetic objects, keyed by a path ("study", patient, index …).
 * - `UidRemapper`: maps a source UID to a new one, a pure function of (secret, source UID), so the same
 *   source UID maps the same way in every file, every sequence and every run; well-known UIDs (the DICOM
 *   standard's 1.2.840.10008 root, SOP classes, transfer syntaxes, coding schemes …) are never remapped.
 */
import type { Secret } from './rng.ts';
import { deriveKey } from './rng.ts';

/** The DICOM standard's own UID root: SOP classes, transfer syntaxes, well-known instances. */
export const DICOM_STANDARD_ROOT = '1.2.840.10008.';

/** Attributes whose UIDs identify a class, syntax, scheme or creator, never an instance: kept as they are. */
export const CLASS_UID_TAGS: ReadonlySet<string> = new Set([
  '00000002', // AffectedSOPClassUID
  '00000003', // RequestedSOPClassUID
  '00020002', // MediaStorageSOPClassUID
  '00020010', // TransferSyntaxUID
  '00020012', // ImplementationClassUID
  '00020100', // PrivateInformationCreatorUID
  '00041510', // ReferencedSOPClassUIDInFile
  '00041512', // ReferencedTransferSyntaxUIDInFile
  '0004151A', // ReferencedRelatedGeneralSOPClassUIDInFile
  '00080016', // SOPClassUID
  '0008001A', // RelatedGeneralSOPClassUID
  '0008001B', // OriginalSpecializedSOPClassUID
  '00080062', // SOPClassesInStudy
  '0008010C', // CodingSchemeUID
  '0008010D', // ContextGroupExtensionCreatorUID
  '00080117', // ContextUID
  '00080118', // MappingResourceUID
  '0008040E', // StoredInstanceTransferSyntaxUID
  '00081150', // ReferencedSOPClassUID
  '0008115A', // SOPClassesSupported
  '00083002', // AvailableTransferSyntaxUID
  '00089123', // CreatorVersionUID
  '0018100B', // ManufacturerDeviceClassUID
  '00340003', // FlowTransferSyntaxUID
  '04000010', // MACCalculationTransferSyntaxUID
  '04000510', // EncryptedContentTransferSyntaxUID
  '30100052', // PertinentSOPClassesInStudy
  '30100053', // PertinentSOPClassesInSeries
]);

/** True for UIDs under the DICOM standard's root (never remapped). */
export function isStandardUid(uid: string): boolean {
  return uid.trim().startsWith(DICOM_STANDARD_ROOT);
}

/** Turns 16 bytes into a UUID-derived UID (`2.25.` + decimal), setting UUID version 8 and the RFC variant. */
export function uuidDerivedUid(bytes: Uint8Array): string {
  if (bytes.length < 16) throw new RangeError('uuidDerivedUid needs 16 bytes');
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = ((b[6] as number) & 0x0f) | 0x80; // version 8
  b[8] = ((b[8] as number) & 0x3f) | 0x80; // variant 10xx
  return `2.25.${BigInt(`0x${b.toString('hex')}`).toString(10)}`;
}

/** Checks a UID's syntax: ≤ 64 chars, digits and dots, no empty component, no leading zero in a component. */
export function isValidUid(uid: string): boolean {
  if (uid.length === 0 || uid.length > 64) return false;
  return uid.split('.').every((c) => /^(0|[1-9]\d*)$/.test(c));
}

/** This installation's own UID. */
export function installUidRoot(installSecret: Secret): string {
  return uuidDerivedUid(deriveKey(installSecret, 'dicomhawk/uid-root/v1'));
}

/** UIDs for synthetic objects: a pure function of (secret, namespace, path). */
export class UidFactory {
  readonly #key: Buffer;

  constructor(installSecret: Secret, namespace: string) {
    this.#key = deriveKey(installSecret, 'dicomhawk/uid-factory/v1', namespace);
  }

  uid(...path: readonly (string | number)[]): string {
    return uuidDerivedUid(deriveKey(this.#key, ...path));
  }
}

/** Maps source UIDs to this installation's UIDs, consistently across files, sequences and runs. */
export class UidRemapper {
  readonly #key: Buffer;
  readonly #cache = new Map<string, string>();

  constructor(installSecret: Secret) {
    this.#key = deriveKey(installSecret, 'dicomhawk/uid-remap/v1');
  }

  /** Whether a UID in attribute `tag` (8 hex digits) is remapped. */
  shouldRemap(uid: string, tag?: string): boolean {
    const v = uid.trim();
    if (v === '' || isStandardUid(v)) return false;
    if (tag !== undefined && CLASS_UID_TAGS.has(tag.toUpperCase())) return false;
    return true;
  }

  /** The new UID for a source UID (well-known and class UIDs are returned unchanged). */
  map(uid: string, tag?: string): string {
    const v = uid.replace(/\0+$/, '').trim();
    if (!this.shouldRemap(v, tag)) return v;
    let out = this.#cache.get(v);
    if (out === undefined) {
      out = uuidDerivedUid(deriveKey(this.#key, v));
      if (this.#cache.size > 100_000) this.#cache.clear();
      this.#cache.set(v, out);
    }
    return out;
  }
}
