/**
 * STOW-RS (PS3.18 §10.5, Store Transaction): `POST /studies` and `POST /studies/{uid}` with a
 * `multipart/related; type="application/dicom"` body. Parts are read one at a time as they arrive; each
 * goes to the quarantine exactly as received (channel `stow`, content-addressed, evidence even when it
 * is not DICOM), then is judged with the bounded Part-10 reader. The answer is a DICOM JSON data set with
 * ReferencedSOPSequence and FailedSOPSequence (FailureReason 0xA700 out of resources — the per-address
 * quota —, 0xA900 data set does not match, 0xC000 cannot understand): 200 when every instance was stored,
 * 202 when some were, 409 when none was (507 when the quota refused them all). A body over
 * DICOMWEB_MAX_REQUEST_BYTES or with more than DICOMWEB_MAX_INSTANCES parts is 413; what arrived before the
 * limit stays in the quarantine.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readDicomBuffer } from '../../domain/archive/reader.ts';
import { splitPart10 } from '../../domain/dicom/part10.ts';
import { contentKind, type ContentInfo } from '../../domain/quarantine/contentKind.ts';
import { acceptsAny, parseAccept, parseMediaType } from './accept.ts';
import { requesterIp, serviceBase, type RouteContext } from './context.ts';
import { DICOM_JSON, textAttribute, type JsonDataset } from './dicomJson.ts';
import { checkUid, HttpError, sendError } from './httpError.ts';
import { MultipartError, MultipartReader, type Part } from './multipartReader.ts';

export const FailureReason = Object.freeze({
  OutOfResources: 0xa700,
  DataSetDoesNotMatch: 0xa900,
  CannotUnderstand: 0xc000,
});

interface StoredInstance {
  sop_class: string | null;
  sop_instance: string | null;
  size: number;
  sha256: string;
  quarantine_id: string | null;
  accepted: boolean;
  failure_reason: number | null;
  reason: string | null;
  /** For the answer: the instance's Retrieve URL when accepted. */
  url: string | null;
  /** What the part's bytes are (an executable or polyglot raises the threat score). */
  content: ContentInfo;
}

function uidOrNull(v: string | null | undefined): string | null {
  return v !== null && v !== undefined && /^[0-9.]{1,64}$/.test(v) ? v : null;
}

function sopItem(i: StoredInstance): JsonDataset {
  const item: JsonDataset = {
    '00081150': textAttribute('UI', i.sop_class ?? ''),
    '00081155': textAttribute('UI', i.sop_instance ?? ''),
  };
  if (i.url !== null) item['00081190'] = { vr: 'UR', Value: [i.url] };
  if (i.failure_reason !== null) item['00081197'] = { vr: 'US', Value: [i.failure_reason] };
  return item;
}

/** STOW-RS requests one address may have in flight (each may hold a part of up to DICOMWEB_MAX_REQUEST_BYTES). */
export const MAX_CONCURRENT_STORES_PER_IP = 2;
async function store(ctx: RouteContext, inFlight: Map<string, number>, req: FastifyRequest<{ Params: { study?: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const ip = requesterIp(ctx.deps.logFor(req)) ?? req.ip;
  const n = inFlight.get(ip) ?? 0;
  if (n >= MAX_CONCURRENT_STORES_PER_IP) {
    ctx.deps.logFor(req).emit('dicomhawk.dicomweb.store', {
      study: req.params.study === undefined ? null : req.params.study.slice(0, 256),
      content_type: req.headers['content-type']?.slice(0, 2048) ?? null,
      instances: [],
      status: 429,
      detail: `more than ${MAX_CONCURRENT_STORES_PER_IP} uploads in progress from this address`,
    });
    return sendError(reply, 429, 'too many uploads in progress from this address', { 'Retry-After': '5', Connection: 'close' });
  }
  inFlight.set(ip, n + 1);
  try {
    return await storeOne(ctx, req, reply);
  } finally {
    const left = (inFlight.get(ip) ?? 1) - 1;
    if (left <= 0) inFlight.delete(ip);
    else inFlight.set(ip, left);
  }
}

async function storeOne(ctx: RouteContext, req: FastifyRequest<{ Params: { study?: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const { deps } = ctx;
  const log = deps.logFor(req);
  const ip = requesterIp(log) ?? req.ip;
  const contentType = req.headers['content-type'] ?? null;
  const instances: StoredInstance[] = [];
  const emit = (status: number, detail?: string): void =>
    log.emit('dicomhawk.dicomweb.store', {
      study: req.params.study === undefined ? null : req.params.study.slice(0, 256),
      content_type: contentType === null ? null : contentType.slice(0, 2048),
      instances: instances.slice(0, 1000).map(({ url: _url, ...rest }) => rest),
      status,
      ...(detail !== undefined ? { detail: detail.slice(0, 16384) } : {}),
    });
  try {
    const study = req.params.study === undefined ? null : checkUid(req.params.study, 'StudyInstanceUID');
    const ct = parseMediaType(contentType ?? '');
    if (ct.type !== 'multipart/related') throw new HttpError(415, 'STOW-RS takes multipart/related; type="application/dicom"');
    // PS3.18 requires the type parameter; a request without one is read as application/dicom parts (lenient
    // like most archives), one that names another type (DICOM JSON or XML metadata + bulk data) is refused.
    const partType = (ct.params.get('type') ?? 'application/dicom').toLowerCase();
    if (partType !== 'application/dicom') {
      throw new HttpError(415, `only application/dicom instances can be stored (the request says type=${JSON.stringify(partType.slice(0, 64))})`);
    }
    const boundary = ct.params.get('boundary');
    if (boundary === undefined || boundary === '') throw new HttpError(400, 'the multipart/related Content-Type has no boundary');
    if (!acceptsAny(parseAccept(req.headers.accept), [DICOM_JSON, 'application/json'])) {
      throw new HttpError(406, 'the store response is available as application/dicom+json only');
    }
    const max = deps.config.dicomwebMaxRequestBytes;
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > max) throw new HttpError(413, `request body larger than ${max} bytes`, { Connection: 'close' });

    if (deps.data.quarantine.bytesFrom(ip) >= deps.config.quarantineMaxBytesPerIp) {
      throw new HttpError(507, 'upload quota of this address exhausted', { Connection: 'close' });
    }
    let reader: MultipartReader;
    try {
      reader = new MultipartReader(boundary, max);
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
    const base = serviceBase(req, ctx.prefix);
    const handle = (part: Part): void => {
      if (instances.length >= deps.config.dicomwebMaxInstances) {
        throw new HttpError(413, `more than ${deps.config.dicomwebMaxInstances} instances in one request`, { Connection: 'close' });
      }
      instances.push(storePart(ctx, part, { ip, session: log.identity.session, study, base }));
    };
    let total = 0;
    try {
      const stream = req.body instanceof Readable ? req.body : Readable.from([]);
      for await (const chunk of stream) {
        const buf = chunk as Buffer;
        total += buf.length;
        if (total > max) throw new HttpError(413, `request body larger than ${max} bytes`, { Connection: 'close' });
        for (const part of reader.push(buf)) handle(part);
      }
      reader.finish();
    } catch (err) {
      if (err instanceof MultipartError) throw new HttpError(400, `malformed multipart body: ${err.message}`);
      throw err;
    }
    if (instances.length === 0) throw new HttpError(400, 'the request holds no instance');

    const accepted = instances.filter((i) => i.accepted);
    const failed = instances.filter((i) => !i.accepted);
    const status =
      failed.length === 0 ? 200 : accepted.length > 0 ? 202 : failed.every((i) => i.failure_reason === FailureReason.OutOfResources) ? 507 : 409;
    const answer: JsonDataset = {};
    const studies = new Set(accepted.map((i) => i.url?.split('/series/')[0]).filter((u): u is string => u !== undefined));
    if (study !== null) answer['00081190'] = { vr: 'UR', Value: [`${base}/studies/${study}`] };
    else if (studies.size === 1) answer['00081190'] = { vr: 'UR', Value: [...studies] };
    if (failed.length > 0) answer['00081198'] = { vr: 'SQ', Value: failed.map(sopItem) };
    if (accepted.length > 0) answer['00081199'] = { vr: 'SQ', Value: accepted.map(sopItem) };
    emit(status);
    return reply.code(status).type(DICOM_JSON).send(JSON.stringify(answer));
  } catch (err) {
    if (err instanceof HttpError) emit(err.status, err.message);
    throw err;
  }
}

/** Quarantines one part and judges it. */
function storePart(ctx: RouteContext, part: Part, who: { ip: string; session: string; study: string | null; base: string }): StoredInstance {
  const { deps } = ctx;
  const body = part.body;
  const meta = splitPart10(body);
  const mediaType = parseMediaType(part.headers.get('content-type') ?? 'application/dicom').type;
  const put = deps.data.quarantine.put(body, {
    session: who.session,
    srcIp: who.ip,
    channel: 'stow',
    sopClass: meta?.sopClassUid?.slice(0, 256) ?? null,
    sopInstance: meta?.sopInstanceUid?.slice(0, 256) ?? null,
    transferSyntax: meta?.transferSyntaxUid?.slice(0, 256) ?? null,
    filename: null,
  });
  const base = { size: body.length, sha256: put.sha256, url: null, content: contentKind(body) };
  const refuse = (failure: number, reason: string, sopClass: string | null, sopInstance: string | null, stored: boolean): StoredInstance => ({
    ...base,
    sop_class: sopClass,
    sop_instance: sopInstance,
    quarantine_id: stored ? put.sha256 : null,
    accepted: false,
    failure_reason: failure,
    reason: reason.slice(0, 256),
  });
  const metaClass = uidOrNull(meta?.sopClassUid);
  const metaInstance = uidOrNull(meta?.sopInstanceUid);
  if (!put.ok) return refuse(FailureReason.OutOfResources, put.reason === 'quota_per_ip' ? 'upload quota of this address exhausted' : 'quarantine full', metaClass, metaInstance, false);
  if (mediaType !== 'application/dicom') return refuse(FailureReason.CannotUnderstand, `part is ${mediaType.slice(0, 64) || 'untyped'}, not application/dicom`, metaClass, metaInstance, true);
  if (meta === null) return refuse(FailureReason.CannotUnderstand, 'not a DICOM Part-10 object', null, null, true);
  const read = readDicomBuffer(body);
  if (!read.ok) return refuse(FailureReason.CannotUnderstand, read.reason, metaClass, metaInstance, true);
  const v = read.header.values;
  const sopClass = uidOrNull(v.get('00080016')) ?? metaClass;
  const sopInstance = uidOrNull(v.get('00080018')) ?? metaInstance;
  const studyUid = uidOrNull(v.get('0020000D'));
  const seriesUid = uidOrNull(v.get('0020000E'));
  if (sopClass === null || sopInstance === null) return refuse(FailureReason.DataSetDoesNotMatch, 'missing or invalid SOPClassUID / SOPInstanceUID', sopClass, sopInstance, true);
  if (studyUid === null || seriesUid === null) return refuse(FailureReason.DataSetDoesNotMatch, 'missing or invalid StudyInstanceUID / SeriesInstanceUID', sopClass, sopInstance, true);
  if (who.study !== null && studyUid !== who.study) {
    return refuse(FailureReason.DataSetDoesNotMatch, `StudyInstanceUID ${studyUid} is not the study of the request URL`, sopClass, sopInstance, true);
  }
  if (deps.config.uploadsVisibleToUploader) {
    try {
      deps.data.archive.addQuarantinedUpload({ ownerIp: who.ip, path: put.path, sha256: put.sha256 });
    } catch {
      // Stored all the same (quarantine and event); only the uploader's later view of it is lost.
    }
  }
  return {
    ...base,
    url: `${who.base}/studies/${studyUid}/series/${seriesUid}/instances/${sopInstance}`,
    sop_class: sopClass,
    sop_instance: sopInstance,
    quarantine_id: put.sha256,
    accepted: true,
    failure_reason: null,
    reason: null,
  };
}

export function registerStow(app: FastifyInstance, ctx: RouteContext): void {
  const inFlight = new Map<string, number>();
  app.post<{ Params: { study?: string } }>('/studies', (req, reply) => store(ctx, inFlight, req, reply));
  app.post<{ Params: { study?: string } }>('/studies/:study', (req, reply) => store(ctx, inFlight, req, reply));
}
