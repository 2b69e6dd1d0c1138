/**
 * What a session did, counted from the events every surface already emits (the threat score's input). One
 * function folds one event into a session's BehaviourSummary; it reads only the event's typed fields, does work
 * proportional to the event's own size, and never throws.
 *
 * Mapping (DICOMweb counts like its DIMSE twin):
 *
 * | event                                        | counts as                                   |
 * |----------------------------------------------|---------------------------------------------|
 * | session.connect                              | connections                                 |
 * | association.request                          | associations                                |
 * | dimse.echo                                   | echoes                                      |
 * | dimse.find, dicomweb.query (QIDO-RS)         | finds (+ wildcardPhiQueries, see below)     |
 * | dimse.get, dimse.move, dicomweb.retrieve     | retrieves                                   |
 * | dimse.store, dicomweb.store (STOW-RS)        | stores (+ executableUploads, see below)     |
 * | web.request                                  | webRequests                                 |
 * | web.login.failed / .success                  | loginAttempts (/ + loginSuccesses)          |
 * |   … with credential_kind "honey"             | honeyCredentialUses                         |
 * | web.download                                 | downloads                                   |
 * | web.upload                                   | uploads (+ executableUploads, see below)    |
 * | honeytoken.triggered                         | honeytokenTriggers (of the requesting session) |
 *
 * Wildcard PHI harvesting: a C-FIND key or QIDO parameter on PatientName / PatientID (tag 00100010 / 00100020)
 * whose value contains `*`. Executable uploads: an uploaded file (C-STORE data set, STOW-RS part, web upload)
 * whose bytes are an executable or a polyglot — the `content` field the surfaces fill from contentKind()
 * (src/domain/quarantine/contentKind.ts), e.g. the PE/DICOM preamble polyglot — or, for a web upload, whose name
 * ends in an executable or script extension (a disguised web shell: `shell.php` that is a GIF).
 */
import type { HawkEvent } from '../../core/events/catalogue.ts';
import type { BehaviourSummary } from '../../domain/intel/scores.ts';
import type { ContentInfo } from '../../domain/quarantine/contentKind.ts';
import { isExecutableOrPolyglot } from '../../domain/quarantine/contentKind.ts';

type Counter = Exclude<keyof BehaviourSummary, 'knownScanner'>;

const PHI_TAGS = new Set(['00100010', '00100020']);
const PHI_PARAMS = new Set(['patientname', 'patientid', '00100010', '00100020']);
const EXECUTABLE_NAME = /\.(exe|dll|scr|com|msi|cpl|sys|elf|so|dylib|bin|run|sh|bash|ps1|psm1|bat|cmd|vbs|vbe|js|jse|wsf|hta|jar|war|apk|php|phtml|aspx?|jsp|py|pl)$/i;

function bump(b: BehaviourSummary, key: Counter, by = 1): void {
  b[key] = (b[key] ?? 0) + by;
}

/** True when a C-FIND key list asks for PatientName or PatientID with a `*` wildcard. */
export function findHarvestsPhi(keys: readonly { tag: string; value: string }[]): boolean {
  return keys.some((k) => PHI_TAGS.has(k.tag.toUpperCase()) && k.value.includes('*'));
}

/** The same for QIDO-RS parameters (keyword or tag, any case). */
export function qidoHarvestsPhi(params: readonly { name: string; value: string }[]): boolean {
  return params.some((p) => PHI_PARAMS.has(p.name.toLowerCase()) && p.value.includes('*'));
}

function dangerous(content: ContentInfo | undefined): boolean {
  return content !== undefined && isExecutableOrPolyglot(content);
}

export function isExecutableName(name: string): boolean {
  return EXECUTABLE_NAME.test(name.trim());
}

/** Folds one event into `b`. Returns true when the event counted for anything. */
export function observe(b: BehaviourSummary, e: Readonly<HawkEvent>): boolean {
  switch (e.eventid) {
    case 'dicomhawk.session.connect':
      bump(b, 'connections');
      return true;
    case 'dicomhawk.association.request':
      bump(b, 'associations');
      return true;
    case 'dicomhawk.dimse.echo':
      bump(b, 'echoes');
      return true;
    case 'dicomhawk.dimse.find':
      bump(b, 'finds');
      if (findHarvestsPhi(e.keys)) bump(b, 'wildcardPhiQueries');
      return true;
    case 'dicomhawk.dicomweb.query':
      bump(b, 'finds');
      if (qidoHarvestsPhi(e.params)) bump(b, 'wildcardPhiQueries');
      return true;
    case 'dicomhawk.dimse.get':
    case 'dicomhawk.dimse.move':
    case 'dicomhawk.dicomweb.retrieve':
      bump(b, 'retrieves');
      return true;
    case 'dicomhawk.dimse.store':
      bump(b, 'stores');
      if (dangerous(e.content)) bump(b, 'executableUploads');
      return true;
    case 'dicomhawk.dicomweb.store': {
      bump(b, 'stores');
      const executables = e.instances.filter((i) => dangerous(i.content)).length;
      if (executables > 0) bump(b, 'executableUploads', executables);
      return true;
    }
    case 'dicomhawk.web.request':
      bump(b, 'webRequests');
      return true;
    case 'dicomhawk.web.login.success':
      bump(b, 'loginAttempts');
      bump(b, 'loginSuccesses');
      if (e.credential_kind === 'honey') bump(b, 'honeyCredentialUses');
      return true;
    case 'dicomhawk.web.login.failed':
      bump(b, 'loginAttempts');
      if (e.credential_kind === 'honey') bump(b, 'honeyCredentialUses');
      return true;
    case 'dicomhawk.web.download':
      bump(b, 'downloads');
      return true;
    case 'dicomhawk.web.upload': {
      bump(b, 'uploads');
      const executables = e.files.filter((f) => dangerous(f.content) || isExecutableName(f.name)).length;
      if (executables > 0) bump(b, 'executableUploads', executables);
      return true;
    }
    case 'dicomhawk.honeytoken.triggered':
      bump(b, 'honeytokenTriggers');
      return true;
    default:
      return false;
  }
}
