/**
 * The honeytoken tracking endpoint `/t/<token>` (the default HONEY_URL): answers like a harmless image (or
 * the PDF a canary report links to) and records `dicomhawk.honeytoken.triggered` with the token, the
 * session it was issued to, and who asked. Unknown tokens get the ordinary 404.
 */
import type { FastifyInstance } from 'fastify';
import { buildMinimalPdf } from '../../../domain/dataset/honeytokens/minimalPdf.ts';
import type { Portal } from '../context.ts';
import { route, sendError } from '../http/errors.ts';
import { selectedHeaders } from '../http/requestRecord.ts';
import { PIXEL_PNG } from './static.ts';

const TOKEN_RE = /^[0-9a-f]{24}$/;

export function registerTrackingRoutes(app: FastifyInstance, portal: Portal): void {
  const pdf = buildMinimalPdf({ title: 'Document', lines: ['The requested document is no longer available.', 'Contact the issuing department for a new copy.'], creationDate: "D:20240105101500+01'00'", producer: 'Microsoft: Print To PDF' });
  route(app, portal, '/t/:token', {
    GET: (req, reply) => {
      const raw = (req.params as { token: string }).token;
      const token = raw.replace(/\.(png|gif|pdf|jpg)$/i, '').toLowerCase();
      const st = portal.state(req);
      let rec;
      try {
        rec = TOKEN_RE.test(token) ? portal.data.honeytokens.get(token) : undefined;
      } catch (err) {
        portal.diag.error({ err }, 'honeytoken lookup failed');
      }
      if (!rec) return sendError(reply, portal.brand, 404);
      const issues = portal.data.honeytokens.issues(token);
      st.shared.log.emit(
        'dicomhawk.honeytoken.triggered',
        { token, kind: rec.kind, issued_session: issues.length > 0 ? issues[issues.length - 1]!.session : null, requester_ip: st.peer.ip, headers: selectedHeaders(req.raw) },
        ['honeytoken'],
      );
      reply.header('cache-control', 'no-store, max-age=0');
      if (rec.kind === 'pdf') return reply.header('content-type', 'application/pdf').header('content-disposition', 'inline; filename="document.pdf"').send(pdf);
      return reply.header('content-type', 'image/png').send(PIXEL_PNG);
    },
  });
}
