/**
 * QIDO-RS (PS3.18 §10.6, Search Transaction): `/studies`, `/series`, `/instances` and their study- and
 * series-scoped forms, answered from the archive's C-FIND matching (relational, study root) as a DICOM JSON
 * array (Annex F.2). Each result carries the default return attributes of its level (PS3.18 Tables
 * 10.6.3-3 to -5), what `includefield` asked for, and its RetrieveURL. No match is 204 No Content; more
 * matches than DICOMWEB_MAX_RESULTS are cut with a Warning header (page with limit and offset).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ATTRIBUTES, levelIn, levelRank, type QrLevel } from '../../domain/archive/dictionary.ts';
import { QueryRetrieveError } from '../../domain/archive/plan.ts';
import type { QueryKey } from '../../domain/archive/matching.ts';
import { acceptsAny, parseAccept } from './accept.ts';
import { requesterIp, serviceBase, type RouteContext } from './context.ts';
import { DICOM_JSON, textAttribute, type JsonDataset } from './dicomJson.ts';
import { checkUid, HttpError } from './httpError.ts';
import { eventParamsOf, parseQidoParams, type QidoParams } from './qidoParams.ts';

type Resource = 'studies' | 'series' | 'instances';

const STUDY_DEFAULTS = ['00080005', '00080020', '00080030', '00080050', '00080056', '00080061', '00080090', '00100010', '00100020', '00100030', '00100040', '0020000D', '00200010', '00201206', '00201208'];
const SERIES_DEFAULTS = ['00080005', '00080060', '0008103E', '0020000E', '00200011', '00201209', '00400244', '00400245'];
const INSTANCE_DEFAULTS = ['00080005', '00080016', '00080018', '00080056', '00200013', '00280010', '00280011', '00280008'];

const LEVEL: Record<Resource, QrLevel> = { studies: 'STUDY', series: 'SERIES', instances: 'IMAGE' };
const QUERY_RETRIEVE_LEVEL = '00080052';
const RETRIEVE_AE_TITLE = '00080054';
const RETRIEVE_URL = '00081190';
const ARCHIVE_TAGS = new Set(ATTRIBUTES.map((a) => a.tag));

interface Scope {
  readonly study: string | null;
  readonly series: string | null;
}

/** Default return attributes (PS3.18 §10.6.3.3.1): a search not scoped to a study also gets study attributes. */
function defaults(resource: Resource, scope: Scope): string[] {
  if (resource === 'studies') return STUDY_DEFAULTS;
  if (resource === 'series') return scope.study === null ? [...STUDY_DEFAULTS, ...SERIES_DEFAULTS] : SERIES_DEFAULTS;
  if (scope.series !== null) return INSTANCE_DEFAULTS;
  return scope.study === null ? [...STUDY_DEFAULTS, ...SERIES_DEFAULTS, ...INSTANCE_DEFAULTS] : [...SERIES_DEFAULTS, ...INSTANCE_DEFAULTS];
}

/** `includefield=all`: every attribute the archive answers at or above the level. */
function everything(level: QrLevel): string[] {
  const rank = levelRank(level);
  return ATTRIBUTES.filter((a) => {
    if (a.level === null) return a.tag === '00080056' || a.tag === '00080005';
    const l = levelIn('study-root', a);
    return l !== null && levelRank(l) <= rank;
  }).map((a) => a.tag);
}

function retrieveUrl(base: string, level: QrLevel, ds: JsonDataset): string | null {
  const uid = (tag: string): string | null => {
    const v = ds[tag]?.Value?.[0];
    return typeof v === 'string' ? v : null;
  };
  const study = uid('0020000D');
  if (study === null) return null;
  if (level === 'STUDY') return `${base}/studies/${study}`;
  const series = uid('0020000E');
  if (series === null) return null;
  if (level === 'SERIES') return `${base}/studies/${study}/series/${series}`;
  const sop = uid('00080018');
  return sop === null ? null : `${base}/studies/${study}/series/${series}/instances/${sop}`;
}

function queryKeys(params: QidoParams, scope: Scope, level: QrLevel): QueryKey[] {
  const keys: QueryKey[] = [];
  const have = new Set<string>();
  const add = (tag: string, vr: string, value: string): void => {
    if (have.has(tag)) return;
    have.add(tag);
    keys.push({ tag, vr, value });
  };
  if (scope.study !== null) add('0020000D', 'UI', scope.study);
  if (scope.series !== null) add('0020000E', 'UI', scope.series);
  for (const k of params.keys) {
    if (have.has(k.tag)) throw new HttpError(400, `${k.tag === '0020000D' ? 'StudyInstanceUID' : 'SeriesInstanceUID'} is already given by the path`);
    add(k.tag, k.vr, k.value);
  }
  // Return keys: the UIDs down to the level (for RetrieveURL), the defaults, and includefield.
  const uids = ['0020000D', '0020000E', '00080018'].slice(0, levelRank(level));
  const wanted = [...uids, ...defaults(level === 'STUDY' ? 'studies' : level === 'SERIES' ? 'series' : 'instances', scope)];
  wanted.push(...(params.includes === 'all' ? everything(level) : params.includes.map((a) => a.tag)));
  for (const tag of wanted) {
    const a = ATTRIBUTES.find((x) => x.tag === tag);
    if (a !== undefined) add(tag, a.vr, '');
  }
  return keys;
}

async function search(ctx: RouteContext, req: FastifyRequest, reply: FastifyReply, resource: Resource, path: UidParams): Promise<FastifyReply> {
  const log = ctx.deps.logFor(req);
  const level = LEVEL[resource];
  const eventLevel = `${path.study === undefined ? '' : path.series === undefined ? 'study/' : 'series/'}${resource}`;
  let params: QidoParams | null = null;
  const emit = (status: number, matches: number, detail?: string): void =>
    log.emit('dicomhawk.dicomweb.query', {
      level: eventLevel,
      params: params?.eventParams ?? eventParamsOf(req.url),
      keys: params?.eventKeys ?? [],
      limit: params?.limit ?? null,
      offset: params?.offset ?? 0,
      fuzzy: params?.fuzzy ?? false,
      matches,
      status,
      ...(detail !== undefined ? { detail: detail.slice(0, 16384) } : {}),
    });
  try {
    if (!acceptsAny(parseAccept(req.headers.accept), [DICOM_JSON, 'application/json'])) {
      throw new HttpError(406, 'QIDO-RS answers application/dicom+json only');
    }
    const scope: Scope = {
      study: path.study === undefined ? null : checkUid(path.study, 'StudyInstanceUID'),
      series: path.series === undefined ? null : checkUid(path.series, 'SeriesInstanceUID'),
    };
    params = parseQidoParams(req.url);
    const keys = queryKeys(params, scope, level);
    const max = ctx.deps.config.dicomwebMaxResults;
    const take = params.limit === null ? max : Math.min(params.limit, max);
    const base = serviceBase(req, ctx.prefix);
    const results: JsonDataset[] = [];
    let skipped = 0;
    let more = false;
    const gen = ctx.deps.data.archive.find({
      model: 'study-root',
      level,
      keys,
      requesterIp: requesterIp(log),
      retrieveAeTitle: ctx.deps.config.dicomAeTitle,
      relational: true,
      caseInsensitivePN: params.fuzzy,
      limit: params.offset + take + 1,
    });
    try {
      for (const r of gen) {
        if (skipped < params.offset) {
          skipped++;
          continue;
        }
        if (results.length >= take) {
          more = true;
          break;
        }
        const ds: JsonDataset = {};
        for (const e of r.elements) {
          if (e.tag === QUERY_RETRIEVE_LEVEL || e.tag === RETRIEVE_AE_TITLE) continue;
          if (!ARCHIVE_TAGS.has(e.tag)) continue;
          if (e.tag === '00080005' && e.value === '') continue;
          ds[e.tag] = textAttribute(e.vr, e.value);
        }
        ds['00080054'] = textAttribute('AE', ctx.deps.config.dicomAeTitle);
        const url = retrieveUrl(base, level, ds);
        if (url !== null) ds[RETRIEVE_URL] = { vr: 'UR', Value: [url] };
        results.push(Object.fromEntries(Object.entries(ds).sort(([a], [b]) => (a < b ? -1 : 1))));
      }
    } finally {
      gen.return(undefined as never);
    }
    if (results.length === 0) {
      emit(204, 0);
      return reply.code(204).send();
    }
    if (more && (params.limit === null || params.limit > max)) {
      reply.header('Warning', '299 DICOMweb: "The number of results exceeded the maximum supported by the server. Additional results can be requested."');
    }
    emit(200, results.length);
    return reply.code(200).type(DICOM_JSON).send(JSON.stringify(results));
  } catch (err) {
    if (err instanceof QueryRetrieveError) {
      emit(400, 0, err.comment);
      throw new HttpError(400, `invalid query: ${err.comment}`);
    }
    if (err instanceof HttpError) emit(err.status, 0, err.message);
    throw err;
  }
}

interface UidParams {
  study?: string;
  series?: string;
}

export function registerQido(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/studies', (req, reply) => search(ctx, req, reply, 'studies', {}));
  app.get('/series', (req, reply) => search(ctx, req, reply, 'series', {}));
  app.get('/instances', (req, reply) => search(ctx, req, reply, 'instances', {}));
  app.get<{ Params: UidParams }>('/studies/:study/series', (req, reply) => search(ctx, req, reply, 'series', req.params));
  app.get<{ Params: UidParams }>('/studies/:study/instances', (req, reply) => search(ctx, req, reply, 'instances', req.params));
  app.get<{ Params: UidParams }>('/studies/:study/series/:series/instances', (req, reply) => search(ctx, req, reply, 'instances', req.params));
}
