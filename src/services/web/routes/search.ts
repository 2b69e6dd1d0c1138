/** Search, study detail and series detail (signed-in portal users only). */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { attributeByKeyword } from '../../../domain/archive/dictionary.ts';
import { QueryRetrieveError } from '../../../domain/archive/index.ts';
import type { QueryKey } from '../../../domain/archive/matching.ts';
import type { Portal } from '../context.ts';
import { route, sendError } from '../http/errors.ts';
import { searchPage, seriesPage, studyPage } from '../pages/search.ts';
import { parseSearchForm, query, search, type SearchResult } from '../portal/search.ts';
import { requirePortal } from './guard.ts';

export const UID_RE = /^[0-9][0-9.]{0,63}$/;

function send(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

const STUDY_KEYS = ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyDate', 'StudyTime', 'AccessionNumber', 'StudyDescription', 'ReferringPhysicianName', 'InstitutionName', 'StudyInstanceUID'];
const SERIES_KEYS = ['SeriesNumber', 'Modality', 'SeriesDescription', 'BodyPartExamined', 'SeriesDate', 'NumberOfSeriesRelatedInstances', 'SeriesInstanceUID', 'StudyInstanceUID'];
const IMAGE_KEYS = ['InstanceNumber', 'SOPClassUID', 'Rows', 'Columns', 'SOPInstanceUID', 'SeriesInstanceUID', 'StudyInstanceUID'];

function keysOf(keywords: string[], values: Record<string, string>): QueryKey[] {
  return keywords.map((k) => {
    const a = attributeByKeyword(k)!;
    return { tag: a.tag, vr: a.vr, value: values[k] ?? '' };
  });
}

export function registerSearchRoutes(app: FastifyInstance, portal: Portal): void {
  route(app, portal, '/search', {
    GET: (req, reply) => {
      const s = requirePortal(portal, req, reply);
      if (!s) return reply;
      const q = req.query as Record<string, unknown>;
      const f = parseSearchForm(q);
      const asked = Object.keys(q).length > 0;
      let result: SearchResult | null = null;
      let error: string | null = null;
      if (asked) {
        try {
          result = search(portal.data.archive, f, portal.state(req).peer.ip);
        } catch (err) {
          if (!(err instanceof QueryRetrieveError)) throw err;
          error = `The search could not be run: ${err.comment}`;
        }
      }
      return send(reply, error ? 400 : 200, searchPage(portal.brand, s.user!, s.csrf, f, result, error).text);
    },
  });

  route(app, portal, '/studies/:study', {
    GET: (req, reply) => {
      const s = requirePortal(portal, req, reply);
      if (!s) return reply;
      const { study } = req.params as { study: string };
      if (!UID_RE.test(study)) return sendError(reply, portal.brand, 404);
      const ip = portal.state(req).peer.ip;
      const st = query(portal.data.archive, 'study-root', 'STUDY', keysOf(STUDY_KEYS, { StudyInstanceUID: study }), ip, { take: 1, limit: 1 });
      if (st.rows.length === 0) return sendError(reply, portal.brand, 404, 'The study was not found in the archive.');
      const series = query(portal.data.archive, 'study-root', 'SERIES', keysOf(SERIES_KEYS, { StudyInstanceUID: study }), ip, { limit: 2000 });
      return send(reply, 200, studyPage(portal.brand, s.user!, s.csrf, st.rows[0]!, series.rows).text);
    },
  });

  route(app, portal, '/studies/:study/series/:series', {
    GET: (req, reply) => {
      const s = requirePortal(portal, req, reply);
      if (!s) return reply;
      const { study, series } = req.params as { study: string; series: string };
      if (!UID_RE.test(study) || !UID_RE.test(series)) return sendError(reply, portal.brand, 404);
      const ip = portal.state(req).peer.ip;
      const se = query(portal.data.archive, 'study-root', 'SERIES', keysOf(SERIES_KEYS, { StudyInstanceUID: study, SeriesInstanceUID: series }), ip, { take: 1, limit: 1 });
      if (se.rows.length === 0) return sendError(reply, portal.brand, 404, 'The series was not found in the archive.');
      const images = query(portal.data.archive, 'study-root', 'IMAGE', keysOf(IMAGE_KEYS, { StudyInstanceUID: study, SeriesInstanceUID: series }), ip, { limit: 5000 });
      return send(reply, 200, seriesPage(portal.brand, s.user!, s.csrf, study, se.rows[0]!, images.rows).text);
    },
  });
}
