/**
 * `npm run bench -- web`: requests/s and p99 latency of the decoy portal's sign-in page and of a QIDO-RS
 * study search (/dicom-web/studies) at concurrency 32 (autocannon), next to two references measured in
 * the same run on the same machine: a bare fastify route and a bare node:http handler answering "hello".
 * Each server runs in its own child process; the client (autocannon) runs here. The portal child uses the
 * test harness's small archive, with events stamped and serialised but no sink (the sinks have their own bench).
 *
 * Environment: BENCH_SECONDS (per measurement, default 5), BENCH_CONNECTIONS (default 32).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The part of autocannon's API used here (the package ships no types). */
interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (o: { url: string; connections: number; duration: number; headers?: Record<string, string> }) => Promise<AutocannonResult>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

interface Measured {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function measure(name: string, url: string, headers: Record<string, string> = {}): Promise<Measured> {
  // Warm-up (JIT, SQLite statement cache), then the measurement.
  await autocannon({ url, connections: CONNECTIONS, duration: 1, headers });
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

function startChild(mode: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'bench-child', mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^URL (\S+)$/m.exec(out);
      if (m) resolve({ url: m[1]!, child });
    });
    child.once('exit', (code) => reject(new Error(`${mode} child exited (${code}) before serving`)));
  });
}

async function serveChild(mode: string): Promise<void> {
  if (mode === 'node-http') {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address() as { port: number };
    console.log(`URL http://127.0.0.1:${a.port}`);
    return;
  }
  if (mode === 'fastify') {
    const { default: fastify } = await import('fastify');
    const app = fastify({ logger: false });
    app.get('/', async () => 'hello');
    console.log(`URL ${await app.listen({ host: '127.0.0.1', port: 0 })}`);
    return;
  }
  const { startWeb } = await import('../test/services/web/harness.ts');
  const s = await startWeb({}, { collect: false, manyStudies: 200 });
  console.log(`URL ${s.url}`);
}

export async function run(): Promise<void> {
  const targets: Array<{ mode: string; paths: Array<[string, string, Record<string, string>]> }> = [
    { mode: 'node-http', paths: [['node:http hello (reference)', '/', {}]] },
    { mode: 'fastify', paths: [['bare fastify hello (reference)', '/', {}]] },
    {
      mode: 'portal',
      paths: [
        ['portal GET /login', '/login', {}],
        ['QIDO-RS GET /dicom-web/studies?PatientName=Many*&limit=25', '/dicom-web/studies?PatientName=Many*&limit=25', { accept: 'application/dicom+json' }],
      ],
    },
  ];
  const results: Measured[] = [];
  for (const t of targets) {
    const { url, child } = await startChild(t.mode);
    try {
      for (const [name, path, headers] of t.paths) results.push(await measure(name, url + path, headers));
    } finally {
      child.kill('SIGTERM');
    }
  }
  const ref = results.find((r) => r.name.startsWith('bare fastify'))!;
  const node = results.find((r) => r.name.startsWith('node:http'))!;
  console.log(`concurrency ${CONNECTIONS}, ${SECONDS} s per measurement, load average ${loadavg()[0]!.toFixed(1)}`);
  console.log('target'.padEnd(62), 'req/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'vs fastify'.padStart(11), 'vs node'.padStart(8), ' non-2xx/errors');
  for (const r of results) {
    console.log(
      r.name.padEnd(62),
      r.rps.toFixed(0).padStart(9),
      String(r.p50).padStart(8),
      String(r.p99).padStart(8),
      (r.rps / ref.rps).toFixed(2).padStart(11),
      (r.rps / node.rps).toFixed(2).padStart(8),
      ` ${r.non2xx}/${r.errors}`,
    );
  }
}

if (process.argv[2] === 'bench-child') await serveChild(process.argv[3] ?? 'portal');
