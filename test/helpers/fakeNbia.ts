/**
 * A fake NBIA REST API (the service behind TCIA) on loopback, for tests. It serves real Part-10 files
 * (made with DCMTK's dump2dcm, carrying the marks a TCIA download has: collection-style subject IDs, CTP's
 * private block, de-identification attributes, "TCIA"/"The Cancer Imaging Archive" text) zipped with a LICENSE,
 * and records every request. Under the API root (`url`):
 *
 *  POST oauth/token                   password and refresh_token grants (client_id NBIA)
 *  GET  services/v1/getCollectionValues, getSeries   public, no token;  services/v2/… need a valid bearer token
 *  GET  services/v1|v2/getImage       ?SeriesInstanceUID= → ZIP (Range: bytes=N- answered with 206)
 *
 * `mode(series, m, times)` makes a series' download fail (HTTP 500), stall (half the ZIP, then silence),
 * or arrive corrupt (bytes flipped) or truncated, for the next `times` downloads (default: every one).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';
import { makeDicomFile } from './dicomFiles.ts';

export interface FakeSeries {
  readonly collection: string;
  readonly patientId: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly modality: string;
  /** Files in the ZIP (Part-10). */
  readonly files: readonly Buffer[];
  /** ImageCount listed (default: the number of files). */
  readonly imageCount?: number;
  /** LICENSE text in the ZIP (null: no LICENSE entry). */
  readonly license?: string | null;
}

export type DownloadMode = 'ok' | 'fail' | 'stall' | 'corrupt' | 'truncated';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly authorization: string | null;
  readonly range: string | null;
  readonly form: Record<string, string> | null;
}

export interface FakeNbia {
  /** The API root to configure as TCIA_API_URL. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  series: FakeSeries[];
  mode(seriesUid: string, mode: DownloadMode, times?: number): void;
  /** Downloads of a series answered so far (any mode). */
  downloads(seriesUid: string): RecordedRequest[];
  /** Access tokens issued (password and refresh grants). */
  readonly grants: { kind: 'password' | 'refresh_token'; token: string }[];
  /** Makes every access token issued so far invalid (the next v2 call answers 401). */
  expireTokens(): void;
  stop(): Promise<void>;
}

export interface FakeNbiaOptions {
  readonly series: FakeSeries[];
  /** Accepted credentials (default alice / s3cret). */
  readonly username?: string;
  readonly password?: string;
  /** Access token lifetime in seconds (default 3600). */
  readonly tokenLifetimeS?: number;
}

export const LICENSE_TEXT = 'Creative Commons Attribution 4.0 International License (CC BY 4.0)\nData from The Cancer Imaging Archive (TCIA).\n';

/** Files of one TCIA-looking series: `count` CT-like images with every kind of tell. */
export function tciaSeriesFiles(s: { collection: string; patientId: string; studyUid: string; seriesUid: string; modality?: string; count: number; studyDate?: string }): Buffer[] {
  const dir = mkdtempSync(join(tmpdir(), 'dh-fake-nbia-'));
  try {
    const out: Buffer[] = [];
    for (let i = 1; i <= s.count; i++) {
      const path = makeDicomFile(dir, `f${i}`, {
        patientName: s.patientId,
        patientId: s.patientId,
        studyUid: s.studyUid,
        seriesUid: s.seriesUid,
        sopUid: `${s.seriesUid}.${i}`,
        modality: s.modality ?? 'CT',
        studyDate: s.studyDate ?? '20000101',
        instanceNumber: i,
        extra: [
          '(0008,0080) LO [The Cancer Imaging Archive]',
          `(0008,1030) LO [${s.collection} TCIA chest]`,
          `(0008,103e) LO [${s.collection} series]`,
          '(0012,0062) CS [YES]',
          '(0012,0063) LO [Per DICOM PS 3.15 AnnexE. Details in 0012,0064]',
          `(0012,0020) LO [${s.collection}]`,
          '(0013,0010) LO [CTP]',
          `(0013,1010) LO [${s.collection}]`,
          `(0013,1013) LO [${s.patientId}]`,
          '(0010,4000) LT [Cancer Imaging Archive project subject]',
          `(0008,1140) SQ (Sequence with undefined length #=1)`,
          '(fffe,e000) na (Item with undefined length #=2)',
          '(0008,1150) UI =CTImageStorage',
          `(0008,1155) UI [${s.seriesUid}.99]`,
          '(fffe,e00d) na (ItemDelimitationItem)',
          '(fffe,e0dd) na (SequenceDelimitationItem)',
        ],
      });
      out.push(readFileSync(path));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function zipOf(s: FakeSeries): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  s.files.forEach((f, i) => zip.addBuffer(f, `${s.collection}/${s.patientId}/${s.studyInstanceUid}/${s.seriesInstanceUid}/1-${String(i + 1).padStart(3, '0')}.dcm`, { compress: i % 2 === 0 }));
  if (s.license !== null) zip.addBuffer(Buffer.from(s.license ?? LICENSE_TEXT), 'LICENSE');
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

export async function startFakeNbia(opts: FakeNbiaOptions): Promise<FakeNbia> {
  const username = opts.username ?? 'alice';
  const password = opts.password ?? 's3cret';
  const lifetime = opts.tokenLifetimeS ?? 3600;
  const requests: RecordedRequest[] = [];
  const grants: FakeNbia['grants'] = [];
  const access = new Map<string, number>(); // token → expiry ms
  const refresh = new Set<string>();
  const modes = new Map<string, { mode: DownloadMode; times: number }>();
  const zips = new Map<string, Buffer>();
  const open = new Set<ServerResponse>();
  let n = 0;
  const state = { series: opts.series };

  const issue = (kind: 'password' | 'refresh_token'): Record<string, unknown> => {
    n++;
    const token = `at-${n}-${Math.random().toString(36).slice(2)}`;
    const rt = `rt-${n}-${Math.random().toString(36).slice(2)}`;
    access.set(token, Date.now() + lifetime * 1000);
    refresh.add(rt);
    grants.push({ kind, token });
    return { access_token: token, refresh_token: rt, expires_in: lifetime, token_type: 'bearer', scope: 'read' };
  };

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? '/', 'http://fake');
      const body = req.method === 'POST' ? await readBody(req) : '';
      const form = req.method === 'POST' ? Object.fromEntries(new URLSearchParams(body)) : null;
      const rec: RecordedRequest = {
        method: req.method ?? '',
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        authorization: req.headers.authorization ?? null,
        range: typeof req.headers.range === 'string' ? req.headers.range : null,
        form,
      };
      requests.push(rec);
      const path = u.pathname.replace(/^\/nbia-api/, '');
      if (path === '/oauth/token' && req.method === 'POST' && form) {
        if (form.client_id !== 'NBIA') return json(res, 401, { error: 'invalid_client' });
        if (form.grant_type === 'password') {
          if (form.username === username && form.password === password) return json(res, 200, issue('password'));
          return json(res, 401, { error: 'invalid_grant' });
        }
        if (form.grant_type === 'refresh_token' && form.refresh_token && refresh.has(form.refresh_token)) {
          refresh.delete(form.refresh_token);
          return json(res, 200, issue('refresh_token'));
        }
        return json(res, 400, { error: 'invalid_grant' });
      }
      const m = /^\/services\/(v1|v2)\/(getSeries|getImage|getCollectionValues)$/.exec(path);
      if (!m) return json(res, 404, { error: 'not found' });
      if (m[1] === 'v2') {
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        const exp = access.get(token);
        if (exp === undefined || exp < Date.now()) return json(res, 401, { error: 'invalid_token' });
      }
      if (m[2] === 'getCollectionValues') return json(res, 200, [...new Set(state.series.map((s) => s.collection))].map((c) => ({ Collection: c })));
      if (m[2] === 'getSeries') {
        const modality = u.searchParams.get('Modality');
        const collection = u.searchParams.get('Collection');
        const list = state.series
          .filter((s) => (!modality || s.modality === modality) && (!collection || s.collection === collection))
          .map((s) => ({
            Collection: s.collection,
            PatientID: s.patientId,
            StudyInstanceUID: s.studyInstanceUid,
            SeriesInstanceUID: s.seriesInstanceUid,
            Modality: s.modality,
            ImageCount: s.imageCount ?? s.files.length,
            FileSize: s.files.reduce((t, f) => t + f.length, 0),
            LicenseName: 'Creative Commons Attribution 4.0 International License',
            LicenseURI: 'https://creativecommons.org/licenses/by/4.0/',
          }));
        return json(res, 200, list);
      }
      const uid = u.searchParams.get('SeriesInstanceUID') ?? '';
      const s = state.series.find((x) => x.seriesInstanceUid === uid);
      if (!s) return json(res, 404, { error: 'no such series' });
      let zip = zips.get(uid);
      if (!zip) {
        zip = await zipOf(s);
        zips.set(uid, zip);
      }
      const mm = modes.get(uid);
      const mode = mm && mm.times > 0 ? mm.mode : 'ok';
      if (mm && mm.times > 0) mm.times--;
      if (mode === 'fail') return json(res, 500, { error: 'internal' });
      if (mode === 'stall') {
        open.add(res);
        res.on('close', () => open.delete(res));
        res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length });
        res.write(zip.subarray(0, zip.length >> 1));
        return; // …and nothing more
      }
      let payload = zip;
      if (mode === 'corrupt') {
        payload = Buffer.from(zip);
        for (let i = 60; i < payload.length - 200; i += 97) payload[i] = (payload[i] ?? 0) ^ 0x5a;
      } else if (mode === 'truncated') payload = zip.subarray(0, Math.floor(zip.length * 0.6));
      const range = /^bytes=(\d+)-$/.exec(rec.range ?? '');
      if (range && mode === 'ok' && Number(range[1]) < payload.length) {
        const from = Number(range[1]);
        res.writeHead(206, { 'content-type': 'application/zip', 'content-length': payload.length - from, 'content-range': `bytes ${from}-${payload.length - 1}/${payload.length}` });
        return res.end(payload.subarray(from));
      }
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': payload.length });
      res.end(payload);
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/nbia-api`,
    requests,
    grants,
    get series() {
      return state.series;
    },
    set series(v: FakeSeries[]) {
      state.series = v;
    },
    mode(seriesUid, mode, times = Infinity) {
      modes.set(seriesUid, { mode, times });
    },
    expireTokens() {
      access.clear();
    },
    downloads(seriesUid) {
      return requests.filter((r) => r.path.endsWith('/getImage') && r.query.SeriesInstanceUID === seriesUid);
    },
    async stop() {
      for (const r of open) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
