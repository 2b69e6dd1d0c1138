/**
 * The DICOMweb decoy (PS3.18) as one encapsulated fastify plugin, mounted by the portal under `/dicom-web`:
 * QIDO-RS (qido.ts), WADO-RS (wado.ts) and STOW-RS (stow.ts) over the shared archive and quarantine, with
 * optional HTTP authentication (auth.ts). Its own error and not-found handlers answer with a status and a
 * plain-text line, never the framework's JSON; request bodies reach the handlers as streams (STOW-RS reads
 * them bounded). The portal emits `dicomhawk.web.request` for every request; this plugin emits the
 * `dicomhawk.dicomweb.*` events through `deps.logFor(req)`.
 */
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { authHook } from './auth.ts';
import type { DicomwebDeps, RouteContext } from './context.ts';
import { HttpError, sendError } from './httpError.ts';
import { registerQido } from './qido.ts';
import { registerStow } from './stow.ts';
import { registerWado } from './wado.ts';

export type { DicomwebDeps } from './context.ts';

/** Resources and the methods they answer (anything else is 405 with an Allow header). */
const RESOURCES: readonly [string, readonly string[]][] = [
  ['/studies', ['GET', 'POST']],
  ['/series', ['GET']],
  ['/instances', ['GET']],
  ['/studies/:study', ['GET', 'POST']],
  ['/studies/:study/metadata', ['GET']],
  ['/studies/:study/series', ['GET']],
  ['/studies/:study/instances', ['GET']],
  ['/studies/:study/series/:series', ['GET']],
  ['/studies/:study/series/:series/metadata', ['GET']],
  ['/studies/:study/series/:series/instances', ['GET']],
  ['/studies/:study/series/:series/instances/:instance', ['GET']],
  ['/studies/:study/series/:series/instances/:instance/metadata', ['GET']],
  ['/studies/:study/series/:series/instances/:instance/bulkdata/:tag', ['GET']],
  ['/studies/:study/series/:series/instances/:instance/frames/:frames', ['GET']],
];
const OTHER_METHODS = ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

export function dicomwebPlugin(deps: DicomwebDeps): FastifyPluginAsync {
  return async (app) => {
    const ctx: RouteContext = { deps, prefix: app.prefix };
    // Bodies stay streams: STOW-RS reads its multipart body itself, bounded; other routes ignore theirs.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

    app.setErrorHandler((err: FastifyError, _req, reply) => {
      if (err instanceof HttpError) return sendError(reply, err.status, err.message, err.headers);
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status === 500) reply.log.error({ err }, 'dicomweb handler failed');
      return sendError(reply, status, status === 500 ? 'the server could not process the request' : 'bad request');
    });
    app.setNotFoundHandler((_req, reply) => sendError(reply, 404, 'no such resource'));
    app.addHook('onRequest', authHook(deps));

    registerQido(app, ctx);
    registerWado(app, ctx);
    registerStow(app, ctx);
    for (const [url, methods] of RESOURCES) {
      const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : [])].join(', ');
      app.route({
        method: OTHER_METHODS.filter((m) => !methods.includes(m)),
        url,
        handler: (req, reply) => sendError(reply, 405, `${req.method} is not allowed on this resource`, { Allow: allow }),
      });
    }
  };
}
