/**
 * WADO-RS (PS3.18 §10.4, Retrieve Transaction): studies, series and instances as
 * `multipart/related; type="application/dicom"` with each object's stored bytes streamed from disk one
 * after the other (memory stays at a read buffer per request), their metadata as DICOM JSON, and the
 * top-level bulk data the metadata points to. The archive decides which instances a requester may see
 * (its own uploads, never anyone else's); objects that carry a honeytoken issue it to the session.
 * An Accept header asking for anything we cannot send unchanged (another transfer syntax, XML, rendered
 * media) is 406 Not Acceptable.
 */
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { QrLevel } from '../../domain/archive/dictionary.ts';
import { QueryRetrieveError } from '../../domain/archive/plan.ts';
import type { ResolvedInstance } from '../../domain/archive/retrieve.ts';
import { fileMetaBytes } from '../../domain/dicom/part10.ts';
import type { SessionLog } from '../../core/events/sessionLog.ts';
import { loadPersona } from '../../domain/dicom/persona.ts';
import { walkDataset, type WalkElement } from '../../domain/dicom/walker.ts';
import { covers, parseAccept, type MediaRange } from './accept.ts';
import { requesterIp, serviceBase, type RouteContext } from './context.ts';
import { DICOM_JSON } from './dicomJson.ts';
import { checkUid, HttpError } from './httpError.ts';
import { datasetToJson } from './metadata.ts';

interface UidParams {
  study: string;
  series?: string;
  instance?: string;
  tag?: string;
}

/** Largest stored object read whole for its metadata or bulk data. */
const MAX_METADATA_FILE = 256 * 1024 * 1024;
const CHUNK = 64 * 1024;

function boundary(): string {
  return `DICOMwebBoundary_${randomBytes(12).toString('hex')}`;
}

/**
 * What a multipart/related; type="application/dicom" Accept allows: null when the header rules it out,
 * else the acceptable transfer syntaxes (`*` any).
 */
function dicomAccept(ranges: readonly MediaRange[]): Set<string> | null {
  const out = new Set<string>();
  let ok = false;
  for (const r of ranges) {
    if (r.type === '*/*' || r.type === 'multipart/*') {
      ok = true;
      out.add('*');
    } else if (r.type === 'multipart/related') {
      const type = (r.params.get('type') ?? 'application/dicom').toLowerCase();
      if (!covers(type, 'application/dicom')) continue;
      ok = true;
      // Without transfer-syntax the stored syntax is sent (as most archives do rather than transcode).
      out.add(r.params.get('transfer-syntax') ?? '*');
    }
  }
  return ok ? out : null;
}

interface Selection {
  readonly level: QrLevel;
  readonly uids: string[];
  readonly instances: readonly ResolvedInstance[];
  readonly truncated: boolean;
}

function select(ctx: RouteContext, log: SessionLog, p: UidParams): Selection {
  const keys = [{ tag: '0020000D', vr: 'UI', value: checkUid(p.study, 'StudyInstanceUID') }];
  let level: QrLevel = 'STUDY';
  if (p.series !== undefined) {
    keys.push({ tag: '0020000E', vr: 'UI', value: checkUid(p.series, 'SeriesInstanceUID') });
    level = 'SERIES';
  }
  if (p.instance !== undefined) {
    keys.push({ tag: '00080018', vr: 'UI', value: checkUid(p.instance, 'SOPInstanceUID') });
    level = 'IMAGE';
  }
  let r;
  try {
    r = ctx.deps.data.archive.resolveInstances({ model: 'study-root', level, keys, requesterIp: requesterIp(log), limit: ctx.deps.config.dicomwebMaxInstances });
  } catch (err) {
    if (err instanceof QueryRetrieveError) throw new HttpError(400, err.comment);
    throw err;
  }
  const what = level === 'STUDY' ? 'study' : level === 'SERIES' ? 'series' : 'instance';
  if (r.instances.length === 0) throw new HttpError(404, `no such ${what}: ${keys[keys.length - 1]!.value}`);
  return { level, uids: keys.map((k) => k.value), instances: r.instances, truncated: r.truncated };
}

function instanceUrl(base: string, i: ResolvedInstance): string {
  return `${base}/studies/${i.studyInstanceUid}/series/${i.seriesInstanceUid}/instances/${i.sopInstanceUid}`;
}

/** Implementation Class UID of each persona named in the configuration (read once). */
const implementationUids = new Map<string, string>();

/** A Part-10 header for an object stored as a bare data set (a C-STORE upload shown back to its uploader). */
function metaFor(ctx: RouteContext, i: ResolvedInstance): Buffer {
  const persona = ctx.deps.config.dicomPersona;
  let implementationClassUid = implementationUids.get(persona);
  if (implementationClassUid === undefined) {
    implementationClassUid = loadPersona(persona).implementation.classUid;
    implementationUids.set(persona, implementationClassUid);
  }
  const meta = fileMetaBytes({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, transferSyntaxUid: i.transferSyntax, implementationClassUid });
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), meta]);
}

/** The bytes of a stored object, read in chunks (the whole file for a Part-10 object). */
async function* fileChunks(path: string, start: number): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  try {
    let pos = start;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (bytesRead === 0) return;
      pos += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

async function readWhole(i: ResolvedInstance): Promise<Buffer> {
  if (i.size > MAX_METADATA_FILE) throw new Error(`stored object larger than ${MAX_METADATA_FILE} bytes`);
  const fh = await open(i.path, 'r');
  try {
    const buf = Buffer.allocUnsafe(i.size);
    let got = 0;
    while (got < i.size) {
      const { bytesRead } = await fh.read(buf, got, i.size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

type Emit = (status: number, count: number, bytes: number, detail?: string) => void;

function emitter(log: SessionLog, req: FastifyRequest, level: string, uids: () => string[]): Emit {
  return (status, count, bytes, detail) =>
    log.emit('dicomhawk.dicomweb.retrieve', {
      level,
      uids: uids(),
      accept: req.headers.accept === undefined ? null : req.headers.accept.slice(0, 2048),
      count,
      bytes,
      status,
      ...(detail !== undefined ? { detail: detail.slice(0, 16384) } : {}),
    });
}

async function retrieve(ctx: RouteContext, req: FastifyRequest<{ Params: UidParams }>, reply: FastifyReply): Promise<FastifyReply> {
  const log = ctx.deps.logFor(req);
  const rawUids = [req.params.study, req.params.series, req.params.instance].filter((u): u is string => u !== undefined).map((u) => u.slice(0, 64));
  const level = req.params.instance !== undefined ? 'instance' : req.params.series !== undefined ? 'series' : 'study';
  const emit = emitter(log, req, level, () => rawUids.filter((u) => /^[0-9.]{1,64}$/.test(u)));
  try {
    const sel = select(ctx, log, req.params);
    const syntaxes = dicomAccept(parseAccept(req.headers.accept));
    if (syntaxes === null) throw new HttpError(406, 'WADO-RS sends multipart/related; type="application/dicom" only');
    if (!syntaxes.has('*') && !sel.instances.every((i) => syntaxes.has(i.transferSyntax))) {
      throw new HttpError(406, `the requested transfer syntax is not available (stored as ${[...new Set(sel.instances.map((i) => i.transferSyntax))].join(', ')})`);
    }
    const b = boundary();
    let bytes = 0;
    let count = 0;
    const issue = (uid: string): void => void ctx.deps.data.honeytokens.issue(uid, log);
    const body = async function* (): AsyncGenerator<Buffer> {
      let status = 200;
      try {
        for (const i of sel.instances) {
          const head = Buffer.from(`--${b}\r\nContent-Type: application/dicom; transfer-syntax=${i.transferSyntax}\r\nContent-Location: ${instanceUrl(serviceBase(req, ctx.prefix), i)}\r\n\r\n`, 'latin1');
          const parts: AsyncGenerator<Buffer> = fileChunks(i.path, i.part10 ? 0 : i.datasetOffset);
          yield head;
          if (!i.part10) {
            const meta = metaFor(ctx, i);
            bytes += meta.length;
            yield meta;
          }
          for await (const chunk of parts) {
            bytes += chunk.length;
            yield chunk;
          }
          yield Buffer.from('\r\n', 'latin1');
          count++;
          issue(i.sopInstanceUid);
        }
        yield Buffer.from(`--${b}--\r\n`, 'latin1');
      } catch (err) {
        status = 500;
        throw err;
      } finally {
        emit(count === sel.instances.length ? status : 499, count, bytes, sel.truncated ? `only the first ${sel.instances.length} instances were sent` : undefined);
      }
    };
    return reply
      .code(200)
      .header('Content-Type', `multipart/related; type="application/dicom"; boundary=${b}`)
      .send(Readable.from(body(), { objectMode: false }));
  } catch (err) {
    if (err instanceof HttpError) emit(err.status, 0, 0, err.message);
    throw err;
  }
}

async function metadata(ctx: RouteContext, req: FastifyRequest<{ Params: UidParams }>, reply: FastifyReply): Promise<FastifyReply> {
  const log = ctx.deps.logFor(req);
  const rawUids = [req.params.study, req.params.series, req.params.instance].filter((u): u is string => u !== undefined).map((u) => u.slice(0, 64));
  const level = `${req.params.instance !== undefined ? 'instance' : req.params.series !== undefined ? 'series' : 'study'}_metadata`;
  const emit = emitter(log, req, level, () => rawUids.filter((u) => /^[0-9.]{1,64}$/.test(u)));
  try {
    const ranges = parseAccept(req.headers.accept);
    if (!ranges.some((r) => covers(r.type, DICOM_JSON) || covers(r.type, 'application/json'))) {
      throw new HttpError(406, 'metadata is available as application/dicom+json only');
    }
    const sel = select(ctx, log, req.params);
    const base = serviceBase(req, ctx.prefix);
    let count = 0;
    let bytes = 0;
    const failures: string[] = [];
    const body = async function* (): AsyncGenerator<string> {
      try {
        yield '[';
        for (const i of sel.instances) {
          let json: string;
          try {
            const file = await readWhole(i);
            const r = datasetToJson(file.subarray(i.datasetOffset), i.transferSyntax, instanceUrl(base, i));
            if (!r.ok) {
              failures.push(`${i.sopInstanceUid}: ${r.reason}`);
              continue;
            }
            json = JSON.stringify(r.dataset);
          } catch (err) {
            failures.push(`${i.sopInstanceUid}: ${(err as Error).message}`);
            continue;
          }
          const piece = count === 0 ? json : `,${json}`;
          bytes += piece.length;
          count++;
          ctx.deps.data.honeytokens.issue(i.sopInstanceUid, log);
          yield piece;
        }
        yield ']';
      } finally {
        emit(200, count, bytes, failures.length > 0 ? failures.join('; ') : undefined);
      }
    };
    return reply.code(200).type(DICOM_JSON).send(Readable.from(body()));
  } catch (err) {
    if (err instanceof HttpError) emit(err.status, 0, 0, err.message);
    throw err;
  }
}

/** A top-level binary value of a stored object (the BulkDataURI of its metadata). */
async function bulkdata(ctx: RouteContext, req: FastifyRequest<{ Params: UidParams }>, reply: FastifyReply): Promise<FastifyReply> {
  const log = ctx.deps.logFor(req);
  const rawUids = [req.params.study, req.params.series, req.params.instance].filter((u): u is string => u !== undefined).map((u) => u.slice(0, 64));
  const emit = emitter(log, req, 'bulkdata', () => rawUids.filter((u) => /^[0-9.]{1,64}$/.test(u)));
  try {
    const tagText = req.params.tag ?? '';
    if (!/^[0-9A-Fa-f]{8}$/.test(tagText)) throw new HttpError(400, `not a tag: ${JSON.stringify(tagText.slice(0, 32))}`);
    const ranges = parseAccept(req.headers.accept);
    if (!ranges.some((r) => r.type === '*/*' || r.type === 'multipart/*' || (r.type === 'multipart/related' && covers((r.params.get('type') ?? 'application/octet-stream').toLowerCase(), 'application/octet-stream')))) {
      throw new HttpError(406, 'bulk data is sent as multipart/related; type="application/octet-stream" only');
    }
    const sel = select(ctx, log, req.params);
    const i = sel.instances[0]!;
    const tag = parseInt(tagText, 16) >>> 0;
    const file = await readWhole(i);
    const ds = file.subarray(i.datasetOffset);
    let found: WalkElement | null = null;
    let end = 0;
    walkDataset(ds, i.transferSyntax, {}, {
      element(e) {
        if (e.depth === 0 && e.tag === tag) found = e;
      },
      elementEnd(e, valueEnd) {
        if (e === found) end = valueEnd;
      },
    });
    const el = found as WalkElement | null;
    if (el === null) throw new HttpError(404, `the instance has no attribute ${tagText.toUpperCase()}`);
    const value = ds.subarray(el.valueOffset, el.length === null ? end : el.valueOffset + el.length);
    const b = boundary();
    ctx.deps.data.honeytokens.issue(i.sopInstanceUid, log);
    emit(200, 1, value.length);
    return reply
      .code(200)
      .header('Content-Type', `multipart/related; type="application/octet-stream"; boundary=${b}`)
      .send(Buffer.concat([Buffer.from(`--${b}\r\nContent-Type: application/octet-stream\r\n\r\n`, 'latin1'), value, Buffer.from(`\r\n--${b}--\r\n`, 'latin1')]));
  } catch (err) {
    if (err instanceof HttpError) emit(err.status, 0, 0, err.message);
    throw err;
  }
}

/** Top-level attributes a frame split needs, and where Pixel Data lies. */
interface PixelLayout {
  rows: number;
  columns: number;
  samples: number;
  bitsAllocated: number;
  frames: number;
  /** Native pixel data: [offset, length] in the data set; encapsulated: its fragments. */
  native: [number, number] | null;
  fragments: [number, number][] | null;
}

const MAX_FRAMES_PER_REQUEST = 256;

function pixelLayout(ds: Buffer, transferSyntax: string): PixelLayout | null {
  const ints = new Map<number, number>();
  const wanted = new Set([0x00280010, 0x00280011, 0x00280002, 0x00280100, 0x00280008]);
  let native: [number, number] | null = null;
  let encapsulated: number | null = null;
  let le = true;
  const walked = walkDataset(ds, transferSyntax, {}, {
    element(e) {
      if (e.depth !== 0) return;
      le = e.encoding.littleEndian;
      if (wanted.has(e.tag) && e.length !== null) {
        const v = ds.subarray(e.valueOffset, e.valueOffset + e.length);
        if (e.tag === 0x00280008) ints.set(e.tag, Number(v.toString('latin1').replace(/[\0 ]/g, '')) || 1);
        else if (v.length >= 2) ints.set(e.tag, le ? v.readUInt16LE(0) : v.readUInt16BE(0));
      }
      if (e.tag === 0x7fe00010) {
        if (e.length === null) encapsulated = e.valueOffset;
        else native = [e.valueOffset, e.length];
      }
    },
  });
  if (!walked.ok) return null;
  let fragments: [number, number][] | null = null;
  if (encapsulated !== null) {
    // Items after the Basic Offset Table, up to the sequence delimiter (the walker checked their lengths).
    fragments = [];
    let pos: number = encapsulated;
    let first = true;
    while (pos + 8 <= ds.length) {
      const tag = ((ds.readUInt16LE(pos) << 16) | ds.readUInt16LE(pos + 2)) >>> 0;
      const len = ds.readUInt32LE(pos + 4);
      if (tag !== 0xfffee000) break;
      if (!first) fragments.push([pos + 8, len]);
      first = false;
      pos += 8 + len;
    }
  }
  return {
    rows: ints.get(0x00280010) ?? 0,
    columns: ints.get(0x00280011) ?? 0,
    samples: ints.get(0x00280002) ?? 1,
    bitsAllocated: ints.get(0x00280100) ?? 16,
    frames: ints.get(0x00280008) ?? 1,
    native,
    fragments,
  };
}

/** Frames of an instance (PS3.18 §10.4.1.1.3): native pixel data split per frame, or one fragment per frame. */
async function frames(ctx: RouteContext, req: FastifyRequest<{ Params: UidParams & { frames?: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const log = ctx.deps.logFor(req);
  const rawUids = [req.params.study, req.params.series, req.params.instance].filter((u): u is string => u !== undefined).map((u) => u.slice(0, 64));
  const emit = emitter(log, req, 'frames', () => rawUids.filter((u) => /^[0-9.]{1,64}$/.test(u)));
  try {
    const list = (req.params.frames ?? '').split(',');
    if (list.length > MAX_FRAMES_PER_REQUEST || !list.every((f) => /^[1-9]\d{0,8}$/.test(f))) {
      throw new HttpError(400, `frame list must be 1-based frame numbers separated by commas: ${JSON.stringify((req.params.frames ?? '').slice(0, 80))}`);
    }
    const numbers = list.map(Number);
    const ranges = parseAccept(req.headers.accept);
    const any = ranges.some((r) => r.type === '*/*' || r.type === 'multipart/*' || (r.type === 'multipart/related' && (r.params.get('transfer-syntax') === '*' || covers((r.params.get('type') ?? 'application/octet-stream').toLowerCase(), 'application/octet-stream'))));
    if (!any) throw new HttpError(406, 'frames are sent as multipart/related; type="application/octet-stream" only');
    const sel = select(ctx, log, req.params);
    const i = sel.instances[0]!;
    const file = await readWhole(i);
    const ds = file.subarray(i.datasetOffset);
    const layout = pixelLayout(ds, i.transferSyntax);
    if (layout === null || (layout.native === null && layout.fragments === null)) throw new HttpError(404, 'the instance has no pixel data');
    const values: Buffer[] = [];
    for (const n of numbers) {
      if (n > layout.frames) throw new HttpError(404, `frame ${n} does not exist (the instance has ${layout.frames})`);
      if (layout.native !== null) {
        const size = Math.floor((layout.rows * layout.columns * layout.samples * layout.bitsAllocated) / 8);
        const [off, len] = layout.native;
        const start = off + (n - 1) * size;
        if (size <= 0 || start + size > off + len) throw new HttpError(404, `frame ${n} lies outside the stored pixel data`);
        values.push(ds.subarray(start, start + size));
      } else {
        const frag = layout.fragments![n - 1];
        if (frag === undefined) throw new HttpError(404, `frame ${n} has no fragment`);
        values.push(ds.subarray(frag[0], frag[0] + frag[1]));
      }
    }
    const b = boundary();
    const type = layout.native !== null ? 'application/octet-stream' : `application/octet-stream; transfer-syntax=${i.transferSyntax}`;
    const chunks: Buffer[] = [];
    for (const v of values) chunks.push(Buffer.from(`--${b}\r\nContent-Type: ${type}\r\n\r\n`, 'latin1'), v, Buffer.from('\r\n', 'latin1'));
    chunks.push(Buffer.from(`--${b}--\r\n`, 'latin1'));
    ctx.deps.data.honeytokens.issue(i.sopInstanceUid, log);
    emit(200, values.length, values.reduce((n, v) => n + v.length, 0));
    return reply.code(200).header('Content-Type', `multipart/related; type="application/octet-stream"; boundary=${b}`).send(Buffer.concat(chunks));
  } catch (err) {
    if (err instanceof HttpError) emit(err.status, 0, 0, err.message);
    throw err;
  }
}

export function registerWado(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Params: UidParams & { frames?: string } }>('/studies/:study/series/:series/instances/:instance/frames/:frames', (req, reply) => frames(ctx, req, reply));
  app.get<{ Params: UidParams }>('/studies/:study', (req, reply) => retrieve(ctx, req, reply));
  app.get<{ Params: UidParams }>('/studies/:study/series/:series', (req, reply) => retrieve(ctx, req, reply));
  app.get<{ Params: UidParams }>('/studies/:study/series/:series/instances/:instance', (req, reply) => retrieve(ctx, req, reply));
  app.get<{ Params: UidParams }>('/studies/:study/metadata', (req, reply) => metadata(ctx, req, reply));
  app.get<{ Params: UidParams }>('/studies/:study/series/:series/metadata', (req, reply) => metadata(ctx, req, reply));
  app.get<{ Params: UidParams }>('/studies/:study/series/:series/instances/:instance/metadata', (req, reply) => metadata(ctx, req, reply));
  app.get<{ Params: UidParams }>('/studies/:study/series/:series/instances/:instance/bulkdata/:tag', (req, reply) => bulkdata(ctx, req, reply));
}
