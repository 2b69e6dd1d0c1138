/**
 * Downloads: one instance as DICOM, a series or a study as a streamed, bounded ZIP. Each is
 * `dicomhawk.web.download` naming what was taken (when the transfer ends), and every honeytoken-bearing
 * object sent is issued to the session. Concurrent transfers per address are limited (429).
 */
import { pipeline, Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QueryRetrieveError } from '../../../domain/archive/index.ts';
import type { ResolvedInstance } from '../../../domain/archive/retrieve.ts';
import type { Portal } from '../context.ts';
import { route, sendError } from '../http/errors.ts';
import { instanceStream, planZip, zipInstances } from '../portal/zipStream.ts';
import { requirePortal } from './guard.ts';
import { UID_RE } from './search.ts';

const MAX_UIDS = 1000;
const MAX_INSTANCES = 20_000;

type Level = 'STUDY' | 'SERIES' | 'IMAGE';

export function registerDownloadRoutes(app: FastifyInstance, portal: Portal): void {
  const resolve = (req: FastifyRequest, level: Level, uids: { study: string; series?: string; sop?: string }): readonly ResolvedInstance[] => {
    const keys = [{ tag: '0020000D', vr: 'UI', value: uids.study }];
    if (uids.series !== undefined) keys.push({ tag: '0020000E', vr: 'UI', value: uids.series });
    if (uids.sop !== undefined) keys.push({ tag: '00080018', vr: 'UI', value: uids.sop });
    try {
      return portal.data.archive.resolveInstances({ model: 'study-root', level, keys, requesterIp: portal.state(req).peer.ip, limit: MAX_INSTANCES }).instances;
    } catch (err) {
      if (err instanceof QueryRetrieveError) return [];
      throw err;
    }
  };

  const transfer = (req: FastifyRequest, reply: FastifyReply, level: Level, uids: { study: string; series?: string; sop?: string }) => {
    const s = requirePortal(portal, req, reply);
    if (!s) return reply;
    if (![uids.study, uids.series, uids.sop].every((u) => u === undefined || UID_RE.test(u))) return sendError(reply, portal.brand, 404);
    const found = resolve(req, level, uids);
    if (found.length === 0) return sendError(reply, portal.brand, 404, 'The requested images were not found in the archive.');
    const st = portal.state(req);
    const release = portal.transfers.take(st.peer.ip);
    if (!release) return sendError(reply.header('retry-after', '30'), portal.brand, 429, 'Another download from your workstation is still running. Please wait until it has finished.');
    const log = st.shared.log;
    const sent: string[] = [];
    let count = 0;
    let bytes = 0;
    let reported = false;
    const opened = (i: ResolvedInstance) => {
      count++;
      if (sent.length < MAX_UIDS) sent.push(i.sopInstanceUid);
      portal.data.honeytokens.issue(i.sopInstanceUid, log, (err) => portal.diag.error({ err }, 'honeytoken issue failed'));
    };
    const report = (complete: boolean) => {
      if (reported) return;
      reported = true;
      release();
      log.emit('dicomhawk.web.download', { level, study: uids.study, series: uids.series ?? null, uids: sent, ...(count > MAX_UIDS ? { uids_truncated: true } : {}), count, bytes, complete });
    };
    let body;
    if (level === 'IMAGE') {
      const i = found[0]!;
      opened(i);
      body = instanceStream(i);
      reply.header('content-type', 'application/dicom').header('content-disposition', `attachment; filename="${i.sopInstanceUid}.dcm"`);
      if (i.part10) reply.header('content-length', String(i.size));
    } else {
      const plan = planZip(found, portal.config.apiDownloadMaxBytes);
      if (plan.included.length === 0) {
        report(false);
        return sendError(reply, portal.brand, 413, 'The selection is too large to be downloaded from the web client. Use a DICOM node to retrieve it.');
      }
      const folder = level === 'STUDY' ? 'DICOM' : 'SERIES';
      body = zipInstances(folder, plan.included, opened);
      const name = level === 'STUDY' ? `study_${uids.study}.zip` : `series_${uids.series}.zip`;
      reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename="${name}"`);
    }
    // Count what is handed to the socket (a data listener on `body` itself would start it flowing too early).
    const counted = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        cb(null, chunk);
      },
    });
    pipeline(body, counted, (err) => {
      if (err && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') portal.diag.error({ err }, 'download stream failed');
    });
    counted.once('end', () => report(true));
    reply.raw.once('close', () => report(counted.readableEnded));
    return reply.header('cache-control', 'no-store').send(counted);
  };

  route(app, portal, '/download/studies/:study', {
    GET: (req, reply) => transfer(req, reply, 'STUDY', req.params as { study: string }),
  });
  route(app, portal, '/download/studies/:study/series/:series', {
    GET: (req, reply) => transfer(req, reply, 'SERIES', req.params as { study: string; series: string }),
  });
  route(app, portal, '/download/studies/:study/series/:series/instances/:sop', {
    GET: (req, reply) => transfer(req, reply, 'IMAGE', req.params as { study: string; series: string; sop: string }),
  });
}
