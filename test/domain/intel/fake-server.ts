// A tiny HTTP server on 127.0.0.1 that records every request and answers from a per-test handler.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  /** Raw request target as received, e.g. "/api/v2/check?ipAddress=…". */
  target: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Send this text verbatim instead of JSON. */
  raw?: string;
  /** Wait this long before answering (timeouts). */
  delayMs?: number;
}

export interface FakeServer {
  baseUrl: string;
  requests: Recorded[];
  reply: (fn: (req: Recorded, n: number) => Reply) => void;
  close: () => Promise<void>;
}

export async function startFakeServer(): Promise<FakeServer> {
  const requests: Recorded[] = [];
  let handler: (req: Recorded, n: number) => Reply = () => ({ status: 200, body: {} });
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const rec: Recorded = { method: req.method ?? '', target: req.url ?? '', path: url.pathname, query: url.searchParams, headers: req.headers };
    requests.push(rec);
    const r = handler(rec, requests.length);
    const send = (): void => {
      const text = r.raw ?? JSON.stringify(r.body ?? {});
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...(r.headers ?? {}) });
      res.end(text);
    };
    if (r.delayMs) {
      const t = setTimeout(send, r.delayMs);
      timers.add(t);
    } else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    reply: (fn) => {
      handler = fn;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
