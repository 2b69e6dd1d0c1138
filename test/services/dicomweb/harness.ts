/**
 * A DICOMweb origin server for tests: the plugin registered under /dicom-web on a small fastify app over an
 * archive of real DICOM files (dump2dcm), a quarantine and a honeytoken registry in a temporary directory,
 * with a bus-backed `logFor` (one session per request, the real peer address) whose events are collected
 * and checked against the catalogue's schema.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { uuidv7 } from '../../../src/core/ids.ts';
import { dicomwebPlugin } from '../../../src/services/dicomweb/plugin.ts';
import { HONEY_SOP, HONEY_TOKEN, openDecoyFixture, type DecoyFixture } from '../../helpers/decoyFixture.ts';
import { PATIENTS } from '../../helpers/qrServer.ts';

export { HONEY_SOP, HONEY_TOKEN, PATIENTS };

export interface DicomwebServer extends DecoyFixture {
  readonly url: string;
  readonly base: string;
  readonly app: FastifyInstance;
  stop(): Promise<void>;
}

export async function startDicomweb(env: Record<string, string> = {}): Promise<DicomwebServer> {
  const f = await openDecoyFixture({ prefix: 'dh-dicomweb-', env, honeyHost: '198.51.100.7' });
  const { bus, config, data } = f;
  const app = Fastify({ logger: false });
  await app.register(
    dicomwebPlugin({
      data,
      config,
      logFor: (req) =>
        bus.forSession({
          session: uuidv7(),
          protocol: 'dicomweb',
          src_ip: req.socket.remoteAddress ?? null,
          src_port: req.socket.remotePort ?? null,
          dst_ip: req.socket.localAddress ?? null,
          dst_port: req.socket.localPort ?? null,
        }),
    }),
    { prefix: '/dicom-web' },
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    ...f,
    url,
    base: `${url}/dicom-web`,
    app,
    async stop() {
      await app.close();
      f.close();
    },
  };
}

/** A multipart body parsed by the test (RFC 2046), independent of the server's reader. */
export function parseMultipart(contentType: string, body: Buffer): { headers: Record<string, string>; body: Buffer }[] {
  const m = /boundary="?([^";]+)"?/i.exec(contentType);
  if (m === null) throw new Error(`no boundary in ${contentType}`);
  const delim = Buffer.from(`--${m[1]}`);
  const parts: { headers: Record<string, string>; body: Buffer }[] = [];
  let pos = body.indexOf(delim);
  if (pos !== 0) throw new Error('body does not start with the boundary');
  for (;;) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts;
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') throw new Error('no CRLF after the boundary');
    const headEnd = body.indexOf('\r\n\r\n', pos);
    const headers: Record<string, string> = {};
    for (const line of body.subarray(pos + 2, headEnd).toString('latin1').split('\r\n')) {
      const c = line.indexOf(':');
      headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
    }
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headEnd + 4);
    if (next === -1) throw new Error('unterminated part');
    parts.push({ headers, body: body.subarray(headEnd + 4, next) });
    pos = next + 2;
  }
}

/** A multipart/related body of DICOM parts, as a STOW-RS client builds it. */
export function stowBody(parts: readonly (Buffer | { type: string; body: Buffer })[], boundary = 'stowBoundary42'): { contentType: string; body: Buffer } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const type = Buffer.isBuffer(p) ? 'application/dicom' : p.type;
    const bytes = Buffer.isBuffer(p) ? p : p.body;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${type}\r\n\r\n`), bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`, body: Buffer.concat(chunks) };
}
