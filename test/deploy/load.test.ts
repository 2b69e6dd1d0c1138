/**
 * deploy/monitoring/load.sh, the one command that loads the ILM policy, the index template and the dashboard: run with
 * real curl against fake Elasticsearch and Kibana servers on loopback that record what they are sent.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ILM_FILE, MONITORING_DIR, NDJSON_FILE, TEMPLATE_FILE } from '../../deploy/monitoring/tools/write.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

async function fake(answer: (s: Seen) => [number, string]): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      const [code, body] = answer(s);
      res.writeHead(code, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen, server };
}

function load(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) =>
    execFile('sh', [`${MONITORING_DIR}load.sh`], { env: { PATH: process.env.PATH ?? '', WAIT_SECONDS: '10', ...env }, timeout: 60_000 }, (err, _o, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr: String(stderr) }),
    ),
  );
}

const AUTH = `Basic ${Buffer.from('elastic:s3cret').toString('base64')}`;

test('load.sh puts the ILM policy and the index template, then imports the ndjson into Kibana, authenticated', async () => {
  const es = await fake(() => [200, '{"acknowledged":true}']);
  const kb = await fake((s) => (s.url === '/api/status' ? [200, '{}'] : [200, '{"success":true,"successCount":22}']));
  try {
    const r = await load({ ELASTICSEARCH_URL: es.url, KIBANA_URL: kb.url, ELASTIC_PASSWORD: 's3cret' });
    assert.equal(r.code, 0, r.stderr);
    const puts = es.seen.filter((s) => s.method === 'PUT');
    assert.deepEqual(
      puts.map((s) => s.url),
      ['/_ilm/policy/dicomhawk', '/_index_template/dicomhawk'],
    );
    for (const s of es.seen) assert.equal(s.headers.authorization, AUTH);
    assert.deepEqual(JSON.parse(puts[0]!.body.toString()), JSON.parse(readFileSync(ILM_FILE, 'utf8')));
    assert.deepEqual(JSON.parse(puts[1]!.body.toString()), JSON.parse(readFileSync(TEMPLATE_FILE, 'utf8')));
    const imp = kb.seen.find((s) => s.method === 'POST')!;
    assert.equal(imp.url, '/api/saved_objects/_import?overwrite=true');
    assert.equal(imp.headers['kbn-xsrf'], 'true');
    assert.match(String(imp.headers['content-type']), /^multipart\/form-data; boundary=/);
    assert.ok(imp.body.includes(readFileSync(NDJSON_FILE)), 'the ndjson is the uploaded file');
    assert.match(r.stderr, /Kibana dashboard DICOMHawk loaded/);
  } finally {
    es.server.close();
    kb.server.close();
  }
});

test('load.sh stops with the server\'s answer when Elasticsearch refuses the template, and when Kibana reports errors', async () => {
  const es = await fake((s) => (s.url.startsWith('/_index_template') ? [400, '{"error":"mapper_parsing_exception"}'] : [200, '{}']));
  try {
    const r = await load({ ELASTICSEARCH_URL: es.url, KIBANA_URL: 'none', ELASTIC_PASSWORD: 'x' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /PUT .*\/_index_template\/dicomhawk answered HTTP 400: .*mapper_parsing_exception/);
  } finally {
    es.server.close();
  }
  const es2 = await fake(() => [200, '{}']);
  const kb = await fake((s) => (s.url === '/api/status' ? [200, '{}'] : [200, '{"success":false,"errors":[{"id":"x"}]}']));
  try {
    const r = await load({ ELASTICSEARCH_URL: es2.url, KIBANA_URL: kb.url, ELASTIC_PASSWORD: 'x' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Kibana refused the saved objects/);
  } finally {
    es2.server.close();
    kb.server.close();
  }
  const none = await load({ ELASTICSEARCH_URL: 'http://127.0.0.1:9', KIBANA_URL: 'none' });
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /ELASTIC_PASSWORD/);
});
