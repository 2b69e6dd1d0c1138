/**
 * One human line per event, built from typed fields and never parsed back. Attacker text is quoted with
 * JSON.stringify so that it cannot pose as structure. The table is total: a test walks every eventid.
 */
import type { EventFields, EventId } from './catalogue.ts';

type Fmt<Id extends EventId> = (f: EventFields<Id>) => string;
const q = (s: string | null | undefined): string => JSON.stringify(s ?? null);

export const MESSAGES: { [Id in EventId]: Fmt<Id> } = {
  'dicomhawk.session.connect': (f) => `connection on port ${f.listener_port}`,
  'dicomhawk.session.closed': (f) => `connection closed (${f.close_reason}) after ${f.duration_ms} ms, ${f.bytes_in} bytes in, ${f.bytes_out} out`,
  'dicomhawk.association.request': (f) =>
    `A-ASSOCIATE-RQ from ${q(f.calling_ae.text)} to ${q(f.called_ae.text)}, ${f.contexts.length} contexts, client ${f.client_guess ?? 'unknown'} (${f.client_fp})`,
  'dicomhawk.association.accept': (f) => `association accepted, ${f.contexts.filter((c) => c.result === 0).length}/${f.contexts.length} contexts`,
  'dicomhawk.association.reject': (f) => `association rejected: ${f.reason_name}`,
  'dicomhawk.association.release': (f) => `association released by ${f.by}`,
  'dicomhawk.association.abort': (f) => `association aborted by ${f.by}: ${f.reason_name}`,
  'dicomhawk.pdu.malformed': (f) => `malformed PDU${f.pdu_type === null ? '' : ` type 0x${f.pdu_type.toString(16).padStart(2, '0')}`} at ${f.offset}: ${f.reason}`,
  'dicomhawk.limit.refused': (f) => `refused: ${f.limit} (limit ${f.value})`,
  'dicomhawk.dimse.echo': (f) => `C-ECHO, status 0x${f.status.toString(16).padStart(4, '0')}`,
  'dicomhawk.dimse.find': (f) =>
    `C-FIND ${f.model} ${f.level ?? '?'} [${f.keys.map((k) => `${k.keyword ?? k.tag}=${q(k.value)}`).join(' ')}] → ${f.matches} matches`,
  'dicomhawk.dimse.get': (f) => `C-GET ${f.level ?? '?'}: ${f.completed} sent, ${f.failed} failed, ${f.bytes} bytes`,
  'dicomhawk.dimse.move': (f) => `C-MOVE ${f.level ?? '?'} to ${q(f.destination_ae.text)}: ${f.completed} sent, status 0x${f.status.toString(16).padStart(4, '0')}`,
  'dicomhawk.dimse.store': (f) => `C-STORE ${f.sop_class} ${f.size} bytes, status 0x${f.status.toString(16).padStart(4, '0')}`,
  'dicomhawk.dimse.cancel': (f) => `C-CANCEL of message ${f.message_id}`,
  'dicomhawk.dimse.malformed': (f) => `malformed DIMSE message at ${f.offset}: ${f.reason}`,
  'dicomhawk.web.request': (f) => `${f.method} ${q(f.path)} → ${f.status}`,
  'dicomhawk.web.login.success': (f) => `login as ${q(f.username)} (${f.credential_kind} credentials)`,
  'dicomhawk.web.login.failed': (f) => `failed login as ${q(f.username)}: ${f.reason}`,
  'dicomhawk.web.hidden': (f) => `hidden resource ${f.resource} read${f.token ? ' (admin token handed out)' : ''}`,
  'dicomhawk.web.download': (f) => `download of ${f.count} ${f.level} object(s), ${f.bytes} bytes`,
  'dicomhawk.web.upload': (f) => `upload of ${f.files.length} file(s)`,
  'dicomhawk.dicomweb.query': (f) => `QIDO-RS ${f.level} → ${f.matches} matches`,
  'dicomhawk.dicomweb.retrieve': (f) => `WADO-RS ${f.level}: ${f.count} objects, ${f.bytes} bytes`,
  'dicomhawk.dicomweb.store': (f) => `STOW-RS of ${f.instances.length} instance(s), status ${f.status}`,
  'dicomhawk.dicomweb.auth': (f) => `DICOMweb ${f.scheme} authentication${f.username !== null && f.username !== undefined ? ` as ${q(f.username)}` : ''}: ${f.outcome}`,
  'dicomhawk.honeytoken.issued': (f) => `honeytoken ${f.kind} issued`,
  'dicomhawk.honeytoken.triggered': (f) => `honeytoken triggered${f.issued_session ? ` (issued to session ${f.issued_session})` : ''}`,
  'dicomhawk.intel.result': (f) => `${f.service} on ${f.ip}: ${f.ok ? 'ok' : `failed (${f.error ?? 'unknown'})`}${f.cached ? ' (cached)' : ''}`,
  'dicomhawk.score.update': (f) => `threat ${f.threat_score}, abuse ${f.abuse_score ?? '-'}, malicious ${f.malicious_score ?? '-'}`,
  'dicomhawk.scanner.identified': (f) => `known scanner ${q(f.name)} by ${f.how}${f.blocked ? ', blocked' : ''}`,
  'dicomhawk.integrity.violation': (f) => `archive file ${f.change}: ${q(f.path)}${f.restored ? ' (restored)' : ''}`,
  'dicomhawk.tcia.sync.start': (f) => `TCIA sync started for ${f.modalities.join(',')}`,
  'dicomhawk.tcia.sync.done': (f) => `TCIA sync done: ${f.series} series, ${f.instances} instances, ${f.bytes} bytes`,
  'dicomhawk.tcia.sync.failed': (f) => `TCIA sync failed: ${f.reason}`,
  'dicomhawk.sensor.start': (f) => `sensor started (${f.surfaces.join(', ')})`,
  'dicomhawk.sensor.stop': (f) => `sensor stopped (${f.reason})`,
};

export function messageFor<Id extends EventId>(id: Id, fields: EventFields<Id>): string {
  const line = (MESSAGES[id] as Fmt<Id>)(fields);
  return line.length > 16384 ? `${line.slice(0, 16383)}…` : line;
}
