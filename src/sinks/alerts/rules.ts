/**
 * Which events become alerts. Each rule names its alert kind (the values of WEBHOOK_EVENTS), a severity, a
 * one-line title built from typed fields, and a subject: what makes two alerts "the same" for deduplication
 * (one honeytoken from one address, one fingerprint, one C-MOVE destination from one address …).
 */
import { clip } from '../../core/events/bounded.ts';
import type { EventOf, HawkEvent } from '../../core/events/catalogue.ts';

export const ALERT_KINDS = ['honeytoken_triggered', 'honey_credential_login', 'executable_upload', 'move_unknown_ae', 'new_client_fingerprint'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export function isAlertKind(s: string): s is AlertKind {
  return (ALERT_KINDS as readonly string[]).includes(s);
}

export type Severity = 'critical' | 'high' | 'medium';

export interface Alert {
  kind: AlertKind;
  severity: Severity;
  /** One human line; attacker text in it is quoted and clipped. */
  title: string;
  /** Deduplication key within the kind (never shown as a key anywhere: it is data). */
  subject: string;
  event: Readonly<HawkEvent>;
}

/** Remembers client fingerprints across restarts; `firstSeen` records the fingerprint and says whether it was new. */
export interface FingerprintMemory {
  firstSeen(fp: string): boolean;
}

/** DIMSE status of a C-MOVE whose destination AE is unknown (PS3.4 C.4.2.1.5, 0xA801). */
export const MOVE_DESTINATION_UNKNOWN = 0xa801;

/**
 * File names with an executable or script extension (the upload events carry no content type): the same test the
 * threat score applies to web uploads.
 */
const EXECUTABLE_NAME = /\.(exe|dll|scr|com|msi|cpl|sys|elf|so|dylib|bin|run|sh|bash|ps1|psm1|bat|cmd|vbs|vbe|js|jse|wsf|hta|jar|war|apk|php|phtml|aspx?|jsp|py|pl)$/i;

export function isExecutableName(name: string): boolean {
  return EXECUTABLE_NAME.test(name.trim());
}

/** Attacker text inside a title: JSON-quoted (control characters escaped) and clipped. */
function q(s: string, max = 64): string {
  const c = clip(s, max);
  return JSON.stringify(c.value) + (c.truncated ? '…' : '');
}

function from(e: Readonly<HawkEvent>): string {
  return e.src_ip ?? 'unknown address';
}

function honeytoken(e: EventOf<'dicomhawk.honeytoken.triggered'>): Alert {
  return {
    kind: 'honeytoken_triggered',
    severity: 'critical',
    title: `Honeytoken ${e.kind ?? 'token'} triggered from ${e.requester_ip ?? from(e)}${e.issued_session ? ` (issued to session ${e.issued_session})` : ''}`,
    subject: `${e.token}|${e.requester_ip ?? e.src_ip ?? ''}`,
    event: e,
  };
}

function credential(e: EventOf<'dicomhawk.web.login.success'>): Alert | null {
  if (e.credential_kind !== 'honey' && e.credential_kind !== 'leaked') return null;
  return {
    kind: 'honey_credential_login',
    severity: 'high',
    title: `${e.credential_kind === 'honey' ? 'Honey' : 'Leaked'} credentials used: login as ${q(e.username)} from ${from(e)}`,
    subject: `${e.credential_kind}|${e.username}|${e.src_ip ?? ''}`,
    event: e,
  };
}

/** What the sensor found in uploaded bytes (contentInfo in the catalogue); absent on older events and refused parts. */
interface ContentInfo {
  kind: string;
  polyglot: boolean;
  executable: boolean;
}

function dangerous(c: ContentInfo | undefined, name: string | null): boolean {
  if (c && (c.executable || c.polyglot)) return true;
  // Without a content verdict, an executable or script file name is the evidence (as the threat score counts it).
  return !c && name !== null && isExecutableName(name);
}

function describe(c: ContentInfo | undefined): string {
  if (!c) return 'executable name';
  return c.polyglot ? `polyglot ${c.kind}` : c.kind;
}

/**
 * Executable content uploaded through any surface: a C-STORE, a STOW-RS part or a portal upload whose bytes are an
 * executable or a polyglot (e.g. a PE in a DICOM preamble), or, without a content verdict, a file with an executable name.
 */
function upload(e: EventOf<'dicomhawk.web.upload'> | EventOf<'dicomhawk.dimse.store'> | EventOf<'dicomhawk.dicomweb.store'>): Alert | null {
  const items: Array<{ name: string | null; sha256: string | null; content?: ContentInfo }> =
    e.eventid === 'dicomhawk.web.upload'
      ? e.files.map((f) => ({ name: f.name, sha256: f.sha256, content: f.content }))
      : e.eventid === 'dicomhawk.dimse.store'
        ? [{ name: null, sha256: e.sha256, content: e.content }]
        : e.instances.map((i) => ({ name: null, sha256: i.sha256, content: i.content }));
  const bad = items.filter((i) => dangerous(i.content, i.name));
  if (bad.length === 0) return null;
  const first = bad[0]!;
  const via = e.eventid === 'dicomhawk.web.upload' ? 'portal upload' : e.eventid === 'dicomhawk.dimse.store' ? 'C-STORE' : 'STOW-RS';
  return {
    kind: 'executable_upload',
    severity: 'high',
    title: `Executable content (${describe(first.content)}) uploaded by ${via} from ${from(e)}${first.name !== null ? `: ${q(first.name)}` : ''}${bad.length > 1 ? ` and ${bad.length - 1} more` : ''}`,
    subject: bad
      .map((f) => f.sha256 ?? f.name ?? '')
      .sort()
      .join(','),
    event: e,
  };
}

function move(e: EventOf<'dicomhawk.dimse.move'>): Alert | null {
  if (e.status !== MOVE_DESTINATION_UNKNOWN) return null;
  return {
    kind: 'move_unknown_ae',
    severity: 'high',
    title: `C-MOVE to unknown AE ${q(e.destination_ae.text, 16)} from ${from(e)}`,
    subject: `${e.destination_ae.hex}|${e.src_ip ?? ''}`,
    event: e,
  };
}

function fingerprint(e: EventOf<'dicomhawk.association.request'>, memory: FingerprintMemory): Alert | null {
  if (!memory.firstSeen(e.client_fp)) return null;
  return {
    kind: 'new_client_fingerprint',
    severity: 'medium',
    title: `New DICOM client fingerprint ${e.client_fp} from ${from(e)}${e.client_guess ? ` (looks like ${e.client_guess})` : ''}`,
    subject: e.client_fp,
    event: e,
  };
}

/**
 * The alert an event raises, if any, among the kinds wanted. The fingerprint memory is only consulted (and
 * written) when new fingerprints are wanted.
 */
export function alertFor(e: Readonly<HawkEvent>, wanted: ReadonlySet<AlertKind>, memory: FingerprintMemory): Alert | null {
  let a: Alert | null;
  switch (e.eventid) {
    case 'dicomhawk.honeytoken.triggered':
      a = honeytoken(e);
      break;
    case 'dicomhawk.web.login.success':
      a = credential(e);
      break;
    case 'dicomhawk.web.upload':
    case 'dicomhawk.dimse.store':
    case 'dicomhawk.dicomweb.store':
      a = upload(e);
      break;
    case 'dicomhawk.dimse.move':
      a = move(e);
      break;
    case 'dicomhawk.association.request':
      a = wanted.has('new_client_fingerprint') ? fingerprint(e, memory) : null;
      break;
    default:
      return null;
  }
  return a && wanted.has(a.kind) ? a : null;
}
