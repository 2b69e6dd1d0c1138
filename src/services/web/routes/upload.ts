/**
 * The import page: multipart upload of DICOM files (and whatever else is sent) into the quarantine shared
 * with C-STORE and STOW-RS (channel `web`), each file accepted or rejected by DICOM validity as read by the
 * bounded Part-10 reader; `dicomhawk.web.upload` lists every file with its hash. Limits: files and bytes
 * per request (413), concurrent transfers (429) and the quarantine quota per address (507).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { clip, LIMITS } from '../../../core/events/bounded.ts';
import { readDicomBuffer } from '../../../domain/archive/reader.ts';
import { contentKind, type ContentInfo } from '../../../domain/quarantine/contentKind.ts';
import type { Portal } from '../context.ts';
import { route, sendError } from '../http/errors.ts';
import { uploadPage, type FileOutcome } from '../pages/upload.ts';
import { csrfOk, requirePortal } from './guard.ts';

/** Multipart framing allowed on top of the file bytes before a request is refused by its length alone. */
const OVERHEAD = 256 * 1024;

interface Recorded {
  name: string;
  size: number;
  sha256: string;
  quarantine_id: string | null;
  accepted: boolean;
  reason: string | null;
  /** What the file's bytes are (an executable or polyglot raises the threat score). */
  content: ContentInfo;
}

function send(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

/** Why a file is not an acceptable DICOM object, or null (with its UIDs) when it is. */
export function judge(buf: Buffer): { ok: true; sopClass: string; sopInstance: string; transferSyntax: string } | { ok: false; reason: string } {
  if (buf.length === 0) return { ok: false, reason: 'empty file' };
  const r = readDicomBuffer(buf);
  if (!r.ok) return { ok: false, reason: /preamble|DICM|Part.?10|meta/i.test(r.reason) ? 'not a DICOM Part 10 file' : `invalid DICOM: ${r.reason}` };
  const sopClass = r.header.values.get('00080016') || r.header.mediaStorageSopClassUid;
  const sopInstance = r.header.values.get('00080018') || r.header.mediaStorageSopInstanceUid;
  if (!sopClass || !sopInstance) return { ok: false, reason: 'invalid DICOM: missing SOP Class or SOP Instance UID' };
  return { ok: true, sopClass, sopInstance, transferSyntax: r.header.transferSyntax };
}

export function registerUploadRoutes(app: FastifyInstance, portal: Portal): void {
  const c = portal.config;
  route(app, portal, '/upload', {
    GET: (req, reply) => {
      const s = requirePortal(portal, req, reply);
      if (!s) return reply;
      return send(reply, 200, uploadPage(portal.brand, s.user!, s.csrf, c.apiUploadMaxFiles, c.apiUploadMaxBytes, null, null).text);
    },
    POST: async (req, reply) => {
      const s = requirePortal(portal, req, reply);
      if (!s) return reply;
      const page = (status: number, results: FileOutcome[] | null, error: string | null) => send(reply, status, uploadPage(portal.brand, s.user!, s.csrf, c.apiUploadMaxFiles, c.apiUploadMaxBytes, results, error).text);
      const declared = Number(req.headers['content-length'] ?? '0');
      if (Number.isFinite(declared) && declared > c.apiUploadMaxBytes + OVERHEAD) {
        reply.header('connection', 'close');
        return sendError(reply, portal.brand, 413);
      }
      if (!req.isMultipart()) return sendError(reply, portal.brand, 415, 'Files must be sent as multipart/form-data.');
      const st = portal.state(req);
      const release = portal.transfers.take(st.peer.ip);
      if (!release) return sendError(reply.header('retry-after', '30'), portal.brand, 429, 'Another import from your workstation is still running.');
      const recorded: Recorded[] = [];
      const outcomes: FileOutcome[] = [];
      let status = 200;
      let error: string | null = null;
      let csrf = false;
      let total = 0;
      try {
        for await (const part of req.parts()) {
          if (part.type === 'field') {
            if (part.fieldname === '_csrf' && csrfOk(s, part.value)) csrf = true;
            continue;
          }
          if (!csrf) {
            status = 403;
            error = 'Your form has expired. Please reload the page and try again.';
            break;
          }
          const buf = await part.toBuffer();
          total += buf.length;
          const name = clip(part.filename ?? '', LIMITS.medium).value;
          const sha256 = createHash('sha256').update(buf).digest('hex');
          const content = contentKind(buf);
          if (total > c.apiUploadMaxBytes) {
            status = 413;
            recorded.push({ name, size: buf.length, sha256, quarantine_id: null, accepted: false, reason: 'request_too_large', content });
            break;
          }
          const v = judge(buf);
          const put = portal.data.quarantine.put(buf, {
            session: st.shared.log.identity.session,
            srcIp: st.peer.ip,
            channel: 'web',
            sopClass: v.ok ? v.sopClass : null,
            sopInstance: v.ok ? v.sopInstance : null,
            transferSyntax: v.ok ? v.transferSyntax : null,
            filename: name,
          });
          if (!put.ok) {
            status = 507;
            recorded.push({ name, size: buf.length, sha256, quarantine_id: null, accepted: false, reason: put.reason, content });
            outcomes.push({ name, size: buf.length, accepted: false, reason: 'storage quota exceeded', sopInstance: null });
            continue;
          }
          recorded.push({ name, size: buf.length, sha256, quarantine_id: put.sha256, accepted: v.ok, reason: v.ok ? null : v.reason, content });
          outcomes.push({ name, size: buf.length, accepted: v.ok, reason: v.ok ? null : v.reason, sopInstance: v.ok ? v.sopInstance : null });
          if (v.ok && c.uploadsVisibleToUploader) void portal.data.archive.addQuarantinedUpload({ ownerIp: st.peer.ip, path: put.path, sha256: put.sha256 });
        }
        if (!csrf && status === 200) {
          status = 403;
          error = 'Your form has expired. Please reload the page and try again.';
        }
      } catch (err) {
        const e = err as { statusCode?: number; message?: string };
        status = e.statusCode === 413 ? 413 : 400;
        error = status === 413 ? `The import exceeds the limit of ${c.apiUploadMaxFiles} files or ${Math.floor(c.apiUploadMaxBytes / 1048576)} MB.` : 'The upload could not be read (malformed request).';
        reply.header('connection', 'close');
      } finally {
        release();
      }
      st.shared.log.emit('dicomhawk.web.upload', { files: recorded });
      if (status === 200 && outcomes.length > 0 && outcomes.every((o) => !o.accepted)) status = 400;
      if (status === 200 && outcomes.length === 0) {
        status = 400;
        error = 'No files were selected.';
      }
      if (status === 403) return sendError(reply, portal.brand, 403, error ?? undefined);
      return page(status, outcomes.length > 0 ? outcomes : null, error ?? (status === 507 ? 'The storage quota for your workstation has been reached.' : null));
    },
  });
}
