import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, startCli } from '../helpers/cli.ts';
import { freePort, waitFor } from '../helpers/net.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'dh-cli-'));

describe('dicomhawk CLI', () => {
  test('--help lists the commands, and each command has its own --help', () => {
    const r = runCli(['--help']);
    assert.equal(r.code, 0);
    for (const c of ['serve', 'config', 'events', 'import', 'seed', 'verify']) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
    for (const c of [['serve'], ['config'], ['events'], ['events', 'tail'], ['events', 'query'], ['seed'], ['verify']]) {
      const h = runCli([...c, '--help']);
      assert.equal(h.code, 0, c.join(' '));
      assert.match(h.stdout, /Usage: dicomhawk/);
    }
  });

  test('a bad configuration stops start-up with exit 2 and one line per problem', () => {
    const r = runCli(['serve'], { DATA_DIR: tmp(), DICOM_PORT: 'abc', PROD: 'maybe' });
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines[0], 'dicomhawk: invalid configuration');
    assert.equal(lines.length, 3);
    assert.ok(lines.some((l) => l.includes('DICOM_PORT="abc"')));
    assert.ok(lines.some((l) => l.includes('PROD="maybe"')));
  });

  test('config prints the effective values, masks secrets and names each source', () => {
    const r = runCli(['config'], { DATA_DIR: '/tmp/x', VIRUS_TOTAL_API_KEY: 'vt-secret-key', FLASK_ACTIVATED: 'no' });
    assert.equal(r.code, 0);
    assert.ok(!r.stdout.includes('vt-secret-key'));
    assert.match(r.stdout, /VIRUS_TOTAL_API_KEY\s+\*\*\*\s+env VIRUS_TOTAL_API_KEY/);
    assert.match(r.stdout, /CONSOLE_ENABLED\s+false\s+env FLASK_ACTIVATED/);
    assert.match(r.stdout, /DICOM_PORT\s+11112\s+default/);
    const j = JSON.parse(runCli(['config', '--json'], { DATA_DIR: '/tmp/x' }).stdout) as { settings: Array<{ name: string }> };
    assert.ok(j.settings.some((s) => s.name === 'DATA_DIR'));
  });

  test('serve generates secrets (0600) on first start, and SIGTERM flushes sinks: events query shows start and stop', async () => {
    const dataDir = tmp();
    // SEED_PATIENTS=0: no first-start seeding here (test/cli/honeytokens.test.ts covers it).
    const env = { DATA_DIR: dataDir, PROD: 'yes', CONSOLE_ENABLED: 'no', SENSOR_NAME: 'cli-test', LOG_LEVEL: 'warn', DICOM_PORT: String(await freePort()), API_PORT: String(await freePort()), SEED_PATIENTS: '0' };
    const child = startCli(['serve'], env);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(() => existsSync(join(dataDir, 'dicomhawk.db')) && stderr.includes('console token'), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 0);
    assert.equal(statSync(join(dataDir, 'secrets.json')).mode & 0o777, 0o600);
    const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
    assert.ok(stderr.includes(secrets.consoleToken!), 'the console token is printed once on first start');

    const q = runCli(['events', 'query', '--eventid', 'dicomhawk.sensor.*'], { DATA_DIR: dataDir });
    assert.equal(q.code, 0, q.stderr);
    const events = q.stdout.trim().split('\n').map((l) => JSON.parse(l) as { eventid: string; sensor: string; reason?: string });
    assert.deepEqual(events.map((e) => e.eventid), ['dicomhawk.sensor.start', 'dicomhawk.sensor.stop']);
    assert.equal(events[1]!.reason, 'SIGTERM');
    assert.equal(events[0]!.sensor, 'cli-test');
    const jsonl = readFileSync(join(dataDir, 'logs', 'events.jsonl'), 'utf8').trim().split('\n');
    assert.equal(jsonl.length, 2, 'the JSONL sink got the same events');
    for (const s of Object.values(secrets)) assert.ok(!q.stdout.includes(s) && !jsonl.join('').includes(s), 'no secret in events');

    // A second start does not print the token again.
    const again = startCli(['serve'], env);
    let stderr2 = '';
    again.stderr!.on('data', (d: Buffer) => (stderr2 += d.toString()));
    await new Promise((r) => setTimeout(r, 2500));
    again.kill('SIGTERM');
    await new Promise((r) => again.once('exit', r));
    assert.ok(!stderr2.includes(secrets.consoleToken!));

    const tail = runCli(['events', 'tail', '-n', '1'], { DATA_DIR: dataDir });
    assert.equal(JSON.parse(tail.stdout.trim()).eventid, 'dicomhawk.sensor.stop');
    const none = runCli(['events', 'query', '--since', '2000-01-01T00:00:00Z', '--until', '2000-01-02T00:00:00Z'], { DATA_DIR: dataDir });
    assert.equal(none.stdout, '');
  });

  test('a port already in use stops start-up with one clear line and exit 1', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '0.0.0.0', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const r = runCli(['serve'], { DATA_DIR: tmp(), DICOM_PORT: String(port), API_PORT: String(await freePort()), PROD: 'yes', CONSOLE_ENABLED: 'no', SEED_PATIENTS: '0' });
    blocker.close();
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`dicomhawk: cannot start: 0\\.0\\.0\\.0:${port} is already in use`));
    assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace in PROD');
  });

  test('events query explains bad filters and a missing store', () => {
    const dataDir = tmp();
    const missing = runCli(['events', 'query'], { DATA_DIR: dataDir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no event store at/);
    const bad = runCli(['events', 'query', '--eventid', 'dicomhawk.nope'], { DATA_DIR: dataDir });
    assert.match(bad.stderr, /not a known event id/);
    const badTime = runCli(['events', 'query', '--since', 'yesterday'], { DATA_DIR: dataDir });
    assert.match(badTime.stderr, /is not a time/);
  });
});
