/**
 * The compose files validate with `docker-compose config` (Debian's docker-compose, no engine needed) and say what
 * the issue asks: a hardened sensor (non-root, read-only, no capabilities, limits, C-ECHO healthcheck), Redis only
 * with a password and never published in plaintext, NET_ADMIN only in the BLOCK_SCANNERS override; the monitoring
 * stack on loopback with Logstash starting after the template is loaded. The Dockerfile is checked for structure
 * (no engine here to build it).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY = `${ROOT}deploy/`;

interface Service {
  user?: string;
  read_only?: boolean;
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  mem_limit?: string | number;
  pids_limit?: number;
  tmpfs?: string[];
  ports?: Array<string | { published: number; target: number; host_ip?: string }>;
  environment?: Record<string, string>;
  command?: string[] | string;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: Array<string | { source: string; target: string }>;
  sysctls?: Record<string, string>;
}

function compose(dir: string, files: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) =>
    execFile('docker-compose', [...files.flatMap((f) => ['-f', f]), 'config'], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 60_000 }, (err, out, e) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: String(out), err: String(e) }),
    ),
  );
}

async function services(dir: string, files: string[], env: Record<string, string>): Promise<Record<string, Service>> {
  const r = await compose(dir, files, env);
  assert.equal(r.code, 0, r.err);
  return (parse(r.out) as { services: Record<string, Service> }).services;
}

function published(s: Service): string[] {
  return (s.ports ?? []).map((p) => (typeof p === 'string' ? p : `${p.host_ip ? `${p.host_ip}:` : ''}${p.published}:${p.target}`));
}

describe('sensor compose (deploy/docker-compose.yml)', () => {
  const env = { REDIS_PASSWORD: 'a-long-random-password' };

  test('validates; the honeypot is hardened and serves DICOM on 104 and 11112, the portal on 3000, the console on loopback only', async () => {
    const s = await services(DEPLOY, ['docker-compose.yml'], env);
    const hp = s.dicomhawk!;
    assert.ok(hp.user && !/^(0|root)(:|$)/.test(hp.user), `non-root user (${hp.user})`);
    assert.equal(hp.read_only, true);
    assert.deepEqual(hp.cap_drop, ['ALL']);
    assert.equal(hp.cap_add, undefined, 'no capability without the BLOCK_SCANNERS override');
    assert.ok(hp.security_opt?.includes('no-new-privileges:true'));
    assert.ok(hp.mem_limit && hp.pids_limit, 'memory and pids limits');
    assert.ok(hp.tmpfs?.some((t) => t.startsWith('/tmp')), '/tmp on tmpfs');
    assert.ok(hp.volumes?.some((v) => (typeof v === 'string' ? v : v.target).includes('/data')), 'DATA_DIR on a volume');
    assert.equal(hp.environment!.DATA_DIR, '/data');
    assert.equal(hp.environment!.DICOM_PORT, '104,11112');
    assert.equal(hp.sysctls?.['net.ipv4.ip_unprivileged_port_start'], '0', 'binds 104 without a capability');
    const ports = published(hp);
    for (const p of ['104:104', '11112:11112', '3000:3000']) assert.ok(ports.includes(p), p);
    const consolePort = ports.filter((p) => /:5000(\/tcp)?$/.test(p));
    assert.deepEqual(consolePort.map((p) => p.replace(/\/tcp$/, '')), ['127.0.0.1:5000:5000']);
    assert.ok(hp.healthcheck?.test.includes('healthcheck'), 'the healthcheck is dicomhawk healthcheck (a C-ECHO)');
    assert.match(hp.environment!.REDIS_URL!, /^redis:\/\/:a-long-random-password@redis:6379/);
  });

  test('Redis: requires the password, is not published, runs without capabilities', async () => {
    const s = await services(DEPLOY, ['docker-compose.yml'], env);
    const redis = s.redis!;
    assert.equal(redis.ports, undefined, 'no published port');
    assert.match(JSON.stringify(redis.command), /--requirepass/);
    assert.equal(redis.environment!.REDISCLI_AUTH, 'a-long-random-password');
    assert.deepEqual(redis.cap_drop, ['ALL']);
    const none = await compose(DEPLOY, ['docker-compose.yml'], {});
    assert.notEqual(none.code, 0, 'no REDIS_PASSWORD: docker-compose refuses');
    assert.match(none.err, /set REDIS_PASSWORD in deploy\/\.env/);
  });

  test('BLOCK_SCANNERS override adds NET_ADMIN (and only that) and sets BLOCK_SCANNERS=yes', async () => {
    const s = await services(DEPLOY, ['docker-compose.yml', 'docker-compose.block-scanners.yml'], env);
    assert.deepEqual(s.dicomhawk!.cap_add, ['NET_ADMIN']);
    assert.equal(s.dicomhawk!.environment!.BLOCK_SCANNERS, 'yes');
    assert.deepEqual(s.dicomhawk!.cap_drop, ['ALL']);
  });

  test('remote Logstash override publishes Redis over TLS only, still with the password', async () => {
    const s = await services(DEPLOY, ['docker-compose.yml', 'docker-compose.redis-tls.yml'], env);
    assert.deepEqual(published(s.redis!), ['6380:6380']);
    const cmd = JSON.stringify(s.redis!.command);
    assert.match(cmd, /--tls-port 6380/);
    assert.match(cmd, /--requirepass/);
  });
});

describe('monitoring compose (deploy/monitoring/docker-compose.yml)', () => {
  const env = { ELASTIC_PASSWORD: 'e', KIBANA_PASSWORD: 'k', LOGSTASH_PASSWORD: 'l', REDIS_PASSWORD: 'r' };

  test('validates; Elasticsearch and Kibana on loopback; Logstash starts after setup loaded the template; the pipeline is mounted', async () => {
    const s = await services(`${DEPLOY}monitoring`, ['docker-compose.yml'], env);
    assert.deepEqual(Object.keys(s).sort(), ['elasticsearch', 'kibana', 'logstash', 'setup']);
    for (const name of ['elasticsearch', 'kibana']) for (const p of published(s[name]!)) assert.match(p, /^127\.0\.0\.1:/, `${name} ${p}`);
    assert.equal(s.logstash!.depends_on?.setup?.condition, 'service_completed_successfully');
    assert.equal(s.logstash!.ports, undefined);
    assert.ok(s.logstash!.volumes?.some((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`).includes('/usr/share/logstash/pipeline')));
    assert.equal(s.logstash!.environment!.REDIS_PASSWORD, 'r');
    assert.equal(s.logstash!.environment!.ELASTICSEARCH_USER, 'dicomhawk_logstash', 'Logstash writes as a user limited to logs-dicomhawk.*');
    const none = await compose(`${DEPLOY}monitoring`, ['docker-compose.yml'], {});
    assert.notEqual(none.code, 0);
  });

  test('the same-host override joins the sensor network', async () => {
    const r = await compose(`${DEPLOY}monitoring`, ['docker-compose.yml', 'docker-compose.same-host.yml'], env);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /name: dicomhawk-events/);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(`${ROOT}Dockerfile`, 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  const stages = lines.map((l, i) => [l, i] as const).filter(([l]) => /^FROM\s/i.test(l));
  const last = lines.slice(stages[stages.length - 1]![1]);

  test('multi-stage: compilers only in the build stage; the runtime stage copies node_modules from it', () => {
    assert.ok(stages.length >= 2);
    assert.match(lines.slice(0, stages[1]![1]).join('\n'), /g\+\+/);
    assert.doesNotMatch(last.join('\n'), /g\+\+|python3|\bmake\b/);
    assert.ok(last.some((l) => /^COPY --from=build \/app\/node_modules/.test(l)));
  });

  test('runs as an unprivileged user with a C-ECHO healthcheck and dicomhawk serve', () => {
    const user = last.filter((l) => /^USER\s/.test(l)).pop();
    assert.ok(user && !/^USER\s+(0|root)\b/.test(user), user);
    assert.ok(last.some((l) => /HEALTHCHECK/.test(l)));
    assert.match(text, /CMD \["node", "\/app\/bin\/dicomhawk\.js", "healthcheck"/);
    assert.ok(last.some((l) => /^ENTRYPOINT \["node", "\/app\/bin\/dicomhawk\.js"\]/.test(l)));
    assert.ok(last.some((l) => /^CMD \["serve"\]/.test(l)));
  });

  test('everything it copies exists and is let through .dockerignore; tsx comes in at the lockfile version', () => {
    const ignore = readFileSync(`${ROOT}.dockerignore`, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    assert.equal(ignore[0], '*', '.dockerignore is a whitelist');
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    for (const l of lines.filter((x) => /^COPY\s/.test(x) && !/--from=/.test(x))) {
      const sources = l.replace(/^COPY\s+/, '').split(/\s+/).slice(0, -1);
      for (const src of sources) {
        assert.ok(existsSync(`${ROOT}${src}`), `${src} exists`);
        assert.ok(allowed.includes(src.replace(/\/$/, '')), `${src} is whitelisted in .dockerignore`);
      }
    }
    const lock = JSON.parse(readFileSync(`${ROOT}package-lock.json`, 'utf8')) as { packages: Record<string, { version?: string }> };
    assert.ok(lock.packages['node_modules/tsx']?.version, 'the lockfile pins tsx');
    assert.match(text, /packages\['node_modules\/tsx'\]\.version/);
  });
});
