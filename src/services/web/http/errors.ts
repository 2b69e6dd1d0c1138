/**
 * Our own error pages for every status the portal answers with (no framework JSON), and the handlers
 * that produce them: not found, method not allowed, framework errors (bad URL, body too large, bad media
 * type, malformed multipart) and unexpected failures (500; the detail only outside PROD).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Portal } from '../context.ts';
import { errorPage, type Branding } from '../pages/layout.ts';
import { html } from '../pages/html.ts';

const TITLES: Record<number, [string, string]> = {
  400: ['Bad request', 'The request could not be understood by the server.'],
  401: ['Sign-in required', 'You must sign in to use this function.'],
  403: ['Access denied', 'You do not have permission to access this resource.'],
  404: ['Page not found', 'The page you requested does not exist or has been moved.'],
  405: ['Method not allowed', 'This function cannot be used in this way.'],
  406: ['Not acceptable', 'The requested representation is not available.'],
  408: ['Request timeout', 'The server timed out waiting for the request.'],
  411: ['Length required', 'The request must state its length.'],
  413: ['Upload too large', 'The files you sent exceed the maximum size accepted by the server.'],
  414: ['Address too long', 'The requested address is too long.'],
  415: ['Unsupported content', 'The content type of the request is not supported.'],
  429: ['Too many requests', 'Too many requests were made in a short time. Please wait and try again.'],
  431: ['Request headers too large', 'The request headers are too large.'],
  500: ['Internal error', 'An unexpected error occurred. The incident has been logged.'],
  503: ['Service unavailable', 'The service is temporarily unavailable. Please try again later.'],
  507: ['Storage quota exceeded', 'The storage quota for your location has been reached. Contact the PACS administrator.'],
};

export function titleFor(status: number): [string, string] {
  return TITLES[status] ?? TITLES[status >= 500 ? 500 : 400]!;
}

export function sendError(reply: FastifyReply, brand: Branding, status: number, detail?: string): FastifyReply {
  const [title, text] = titleFor(status);
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(errorPage(brand, status, title, detail ?? text).text);
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
type Method = (typeof METHODS)[number];
type Handler = (req: FastifyRequest, reply: FastifyReply) => unknown;

/**
 * Registers `handlers` on `url`, and every other method with 405 and an Allow header (HEAD follows GET).
 */
export function route(app: FastifyInstance, portal: Pick<Portal, 'brand'>, url: string, handlers: Partial<Record<'GET' | 'POST', Handler>>): void {
  const allowed = Object.keys(handlers) as Method[];
  for (const m of allowed) app.route({ method: m, url, handler: handlers[m as 'GET' | 'POST']! });
  const others = METHODS.filter((m) => !allowed.includes(m));
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
  if (others.length > 0) app.route({ method: [...others], url, handler: (_req, reply) => sendError(reply.header('allow', allow), portal.brand, 405) });
}

export function installErrorHandlers(app: FastifyInstance, portal: Pick<Portal, 'brand' | 'diag' | 'config'>): void {
  app.setNotFoundHandler((_req, reply) => sendError(reply, portal.brand, 404));
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    let status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    // Multipart parsing problems are the client's.
    if (status === 500 && typeof err.code === 'string' && err.code.startsWith('FST_')) status = 400;
    if (status >= 500) portal.diag.error({ err, url: req.url }, 'web portal request failed');
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    const detail = status >= 500 && !portal.config.prod ? html`${err.message}<br><code>${err.stack ?? ''}</code>`.text : undefined;
    if (detail !== undefined) {
      const [title] = titleFor(status);
      return reply.code(status).header('content-type', 'text/html; charset=utf-8').send(errorPage(portal.brand, status, title, '').text.replace('<p class="muted"></p>', `<pre class="muted detail">${detail}</pre>`));
    }
    return sendError(reply, portal.brand, status);
  });
}

/** The body fastify's raw client-error path would write: ours instead (no JSON). */
export function clientErrorResponse(status: number): string {
  const [title, text] = titleFor(status);
  const body = `<!DOCTYPE html><html><head><title>${status} ${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
  return `HTTP/1.1 ${status} ${title}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
