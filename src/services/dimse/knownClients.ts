/**
 * Known DICOM client implementations, recognised from what their A-ASSOCIATE-RQ carries: the
 * Implementation Class UID (0x52) and Version Name (0x55) sub-items (PS3.7 D.3.3.2), their default
 * maximum length, transfer syntax ordering and default AE titles. Values were read from each project's
 * public source (identifiers quoted only):
 *
 * - DCMTK `dcmdata/include/dcmtk/dcmdata/dcuid.h`: `OFFIS_UID_ROOT` "1.2.276.0.7230010.3",
 *   `OFFIS_IMPLEMENTATION_CLASS_UID` = root + ".0." + version, `OFFIS_DTK_IMPLEMENTATION_VERSION_NAME`
 *   "OFFIS_DCMTK_" + version number; `dcmnet/include/dcmtk/dcmnet/assoc.h` `ASC_DEFAULTMAXPDU` 16384.
 *   Its tools propose Explicit LE, Explicit BE, Implicit LE (in that order on little-endian hosts).
 * - nmap `nselib/dicom.lua`: older releases send UID "1.2.276.0.7230010.3.0.3.6.2" with version
 *   "OFFIS_DCMTK_362", max length 16384, one Verification context with Implicit LE only, AE titles
 *   "ECHOSCU" / "ANY-SCP" — byte-identical to a DCMTK 3.6.2 echoscu; newer ones send the same UID with
 *   version "NMAP_DICOM_PING" and Implicit + Explicit LE. (Its vendor table labels
 *   "1.2.826.0.1.3680043.8.641" as Orthanc; that root is ruby-dicom's.)
 * - Orthanc `DicomAssociation.cpp`: DCMTK's identity, but transfer syntax sets in enum order (Implicit LE
 *   first); its control connection proposes Verification, Patient/Study Root FIND and MOVE and Modality
 *   Worklist FIND together.
 * - pynetdicom `pynetdicom/__init__.py`: `PYNETDICOM_UID_PREFIX` "1.2.826.0.1.3680043.9.3811." + version,
 *   `PYNETDICOM_IMPLEMENTATION_VERSION` "PYNETDICOM_" + digits; `_globals.py` `DEFAULT_MAX_LENGTH` 16382.
 * - dcmjs-dimse `src/Constants.js` `Implementation`: "1.2.826.0.1.3680043.10.854", "DCMJS-DIMSE-V0.1",
 *   max 262144.
 * - go-netdicom (grailbio) via go-dicom: "1.2.826.0.1.3680043.9.7133.1.1", "GODICOM_1_1", max 4 MiB.
 * - dcm4che `Implementation.java`: "1.2.40.0.13.1.1" (dcm4che2), "1.2.40.0.13.1.3" (dcm4che3), version
 *   "dcm4che-" + release.
 * - Horos/OsiriX `Binaries/dcmtk-source/dcmdata/dcuid.h`: a DCMTK 3.5.4 fork with root
 *   "1.2.276.0.7238010.5" (a look-alike of DCMTK's) and version name "OSIRIX".
 * - fo-dicom `DicomImplementation`: "1.3.6.1.4.1.30071.8", "fo-dicom x.y.z"; ClearCanvas
 *   "1.3.6.1.4.1.25403."; ruby-dicom "1.2.826.0.1.3680043.8.641".
 *
 * A guess is evidence, not proof: anything can send any UID.
 */
import type { AssociateRq } from './pdu/associateRq.ts';

export type GuessConfidence = 'high' | 'medium' | 'low';

export interface ClientGuess {
  /** Short client name, or null when nothing matched. */
  readonly guess: string | null;
  /** Table entry id, or null. */
  readonly id: string | null;
  readonly confidence: GuessConfidence | null;
  /** Why (built from values we checked; may quote the client's identifiers). */
  readonly reason: string;
}

interface Match {
  readonly guess: string;
  readonly confidence: GuessConfidence;
  readonly reason: string;
}

export interface KnownClientRule {
  readonly id: string;
  readonly match: (rq: AssociateRq) => Match | null;
}

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const DCMTK_ROOT = '1.2.276.0.7230010.3.';
const ORTHANC_CONTROL_SET = [
  VERIFICATION,
  '1.2.840.10008.5.1.4.1.2.1.1', // Patient Root FIND
  '1.2.840.10008.5.1.4.1.2.1.2', // Patient Root MOVE
  '1.2.840.10008.5.1.4.1.2.2.1', // Study Root FIND
  '1.2.840.10008.5.1.4.1.2.2.2', // Study Root MOVE
  '1.2.840.10008.5.1.4.31', // Modality Worklist FIND
];

/** DCMTK's default calling AE titles per tool. */
const DCMTK_TOOL_AE: Readonly<Record<string, string>> = {
  ECHOSCU: 'echoscu',
  FINDSCU: 'findscu',
  MOVESCU: 'movescu',
  GETSCU: 'getscu',
  STORESCU: 'storescu',
};

function version(rq: AssociateRq): string {
  return (rq.implVersionName ?? '').replace(/[\0 ]+$/, '');
}

function uid(rq: AssociateRq): string {
  return rq.implClassUid ?? '';
}

function q(text: string): string {
  return JSON.stringify(text.slice(0, 64));
}

function suffixAfter(value: string, prefix: string): string | null {
  return value.startsWith(prefix) && value.length > prefix.length ? value.slice(prefix.length) : null;
}

/** Rules, most specific first; the first match wins. */
export const KNOWN_CLIENTS: readonly KnownClientRule[] = [
  {
    id: 'nmap-dicom-ping',
    match: (rq) =>
      version(rq) === 'NMAP_DICOM_PING'
        ? { guess: 'nmap dicom-ping/dicom-brute', confidence: 'high', reason: 'implementation version name "NMAP_DICOM_PING" (nmap nselib/dicom.lua)' }
        : null,
  },
  {
    id: 'nmap-dicom-legacy',
    match: (rq) => {
      const pc = rq.contexts[0];
      const isPing =
        uid(rq) === '1.2.276.0.7230010.3.0.3.6.2' &&
        version(rq) === 'OFFIS_DCMTK_362' &&
        rq.maxPdu === 16384 &&
        rq.contexts.length === 1 &&
        pc?.abstractSyntax === VERIFICATION &&
        pc.transferSyntaxes.length === 1 &&
        pc.transferSyntaxes[0] === IMPLICIT_LE;
      if (!isPing) return null;
      const defaults = rq.callingAe.text === 'ECHOSCU' && rq.calledAe.text === 'ANY-SCP' ? ', default AE titles ECHOSCU/ANY-SCP' : '';
      return {
        guess: 'nmap dicom-ping/dicom-brute (older nselib/dicom.lua) or DCMTK 3.6.2 echoscu',
        confidence: 'medium',
        reason: `DCMTK 3.6.2 identity, max length 16384, one Verification context with Implicit LE only${defaults}: what older nmap sends, byte-identical to echoscu 3.6.2 (tell apart by behaviour: nmap never sends C-ECHO)`,
      };
    },
  },
  {
    id: 'horos-osirix',
    match: (rq) =>
      uid(rq).startsWith('1.2.276.0.7238010.5.') || /OSIRIX|HOROS/i.test(version(rq))
        ? { guess: 'Horos/OsiriX', confidence: 'high', reason: `implementation class uid ${q(uid(rq))} / version ${q(version(rq))} (Horos/OsiriX DCMTK fork, root 1.2.276.0.7238010.5)` }
        : null,
  },
  {
    id: 'orthanc',
    match: (rq) => {
      if (!uid(rq).startsWith(DCMTK_ROOT) || !version(rq).startsWith('OFFIS_DCMTK_')) return null;
      const implicitFirst = rq.contexts.some((c) => c.transferSyntaxes.length >= 2 && c.transferSyntaxes[0] === IMPLICIT_LE && c.transferSyntaxes[1] === EXPLICIT_LE);
      if (!implicitFirst) return null;
      const abstracts = new Set(rq.contexts.map((c) => c.abstractSyntax));
      const controlSet = ORTHANC_CONTROL_SET.every((a) => abstracts.has(a));
      return {
        guess: 'Orthanc',
        confidence: controlSet ? 'high' : 'medium',
        reason: `DCMTK identity ${q(version(rq))} but transfer syntaxes proposed Implicit LE first (Orthanc's order; DCMTK tools put it last)${controlSet ? ', and the Orthanc control-connection context set' : ''}${rq.callingAe.text === 'ORTHANC' ? ', calling AE "ORTHANC"' : ''}`,
      };
    },
  },
  {
    id: 'dcmtk',
    match: (rq) => {
      const ver = suffixAfter(uid(rq), `${DCMTK_ROOT}0.`);
      if (!uid(rq).startsWith(DCMTK_ROOT)) return null;
      const tool = DCMTK_TOOL_AE[rq.callingAe.text] ?? null;
      const label = `DCMTK${ver ? ` ${ver}` : ''}${tool ? ` ${tool}` : ''}`;
      const defaultProbe = tool === 'findscu' && rq.calledAe.text === 'ANY-SCP';
      return {
        guess: defaultProbe ? `${label} (default AE titles: typical internet-wide scanner probe)` : label,
        confidence: version(rq).startsWith('OFFIS_DCMTK_') ? 'high' : 'medium',
        reason: `implementation class uid ${q(uid(rq))} under DCMTK root 1.2.276.0.7230010.3, version ${q(version(rq))}${tool ? `, default calling AE title of ${tool}` : ''}`,
      };
    },
  },
  {
    id: 'pynetdicom',
    match: (rq) => {
      const ver = suffixAfter(uid(rq), '1.2.826.0.1.3680043.9.3811.');
      if (ver === null && !version(rq).startsWith('PYNETDICOM_')) return null;
      return {
        guess: `pynetdicom${ver ? ` ${ver}` : ''}`,
        confidence: ver !== null && version(rq).startsWith('PYNETDICOM_') ? 'high' : 'medium',
        reason: `implementation class uid ${q(uid(rq))}, version ${q(version(rq))}${rq.maxPdu === 16382 ? ', pynetdicom default max length 16382' : ''}`,
      };
    },
  },
  {
    id: 'dcmjs-dimse',
    match: (rq) => {
      if (uid(rq) !== '1.2.826.0.1.3680043.10.854' && version(rq) !== 'DCMJS-DIMSE-V0.1') return null;
      const custom = version(rq) !== 'DCMJS-DIMSE-V0.1' ? ` (custom version name ${q(version(rq))})` : '';
      return { guess: `dcmjs-dimse${custom}`, confidence: custom ? 'medium' : 'high', reason: `implementation class uid ${q(uid(rq))}, version ${q(version(rq))}` };
    },
  },
  {
    id: 'go-netdicom',
    match: (rq) =>
      uid(rq).startsWith('1.2.826.0.1.3680043.9.7133.') || version(rq) === 'GODICOM_1_1'
        ? { guess: 'go-netdicom (go-dicom)', confidence: 'high', reason: `implementation class uid ${q(uid(rq))}, version ${q(version(rq))}` }
        : null,
  },
  {
    id: 'dcm4che',
    match: (rq) => {
      if (!uid(rq).startsWith('1.2.40.0.13.1.') && !version(rq).toLowerCase().startsWith('dcm4che')) return null;
      const generation = uid(rq) === '1.2.40.0.13.1.3' ? 'dcm4che3' : uid(rq) === '1.2.40.0.13.1.1' ? 'dcm4che2' : 'dcm4che';
      return { guess: version(rq) ? `${generation} (${version(rq).slice(0, 32)})` : generation, confidence: 'high', reason: `implementation class uid ${q(uid(rq))}, version ${q(version(rq))}` };
    },
  },
  {
    id: 'fo-dicom',
    match: (rq) =>
      uid(rq) === '1.3.6.1.4.1.30071.8' || version(rq).startsWith('fo-dicom')
        ? { guess: 'fo-dicom', confidence: 'high', reason: `implementation class uid ${q(uid(rq))}, version ${q(version(rq))}` }
        : null,
  },
  {
    id: 'clearcanvas',
    match: (rq) =>
      uid(rq).startsWith('1.3.6.1.4.1.25403.')
        ? { guess: 'ClearCanvas', confidence: 'high', reason: `implementation class uid ${q(uid(rq))}` }
        : null,
  },
  {
    id: 'ruby-dicom',
    match: (rq) =>
      uid(rq).startsWith('1.2.826.0.1.3680043.8.641') || /^RUBY[-_]D/.test(version(rq))
        ? { guess: 'ruby-dicom', confidence: 'high', reason: `implementation class uid ${q(uid(rq))}, version ${q(version(rq))}` }
        : null,
  },
];

export function guessClient(rq: AssociateRq): ClientGuess {
  for (const rule of KNOWN_CLIENTS) {
    const m = rule.match(rq);
    if (m !== null) return { guess: m.guess, id: rule.id, confidence: m.confidence, reason: m.reason };
  }
  if (rq.implClassUid === null) {
    return { guess: null, id: null, confidence: null, reason: 'no implementation class uid: a hand-built or non-conformant client' };
  }
  return { guess: null, id: null, confidence: null, reason: `implementation class uid ${q(uid(rq))} is not in the known-client table` };
}
