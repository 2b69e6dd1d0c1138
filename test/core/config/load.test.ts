import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, describeConfig, loadConfig } from '../../../src/core/config/load.ts';
import { SETTINGS } from '../../../src/core/config/settings.ts';

const cwd = mkdtempSync(join(tmpdir(), 'dh-config-'));
const load = (env: Record<string, string>, configFile?: string) => loadConfig({ env, cwd, configFile });

function problems(env: Record<string, string>, configFile?: string): string[] {
  try {
    load(env, configFile);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return [...err.problems];
  }
  assert.fail('expected a configuration error');
}

describe('configuration from the seed variables', () => {
  test('embedded defaults', () => {
    const { config } = load({});
    assert.equal(config.prod, false);
    assert.deepEqual(config.dicomPorts, [11112]);
    assert.equal(config.dicomHost, '0.0.0.0');
    assert.equal(config.apiPort, 3000);
    assert.equal(config.consolePort, 5000);
    assert.equal(config.consoleHost, '127.0.0.1');
    assert.equal(config.consoleEnabled, true);
    assert.equal(config.blockScanners, false);
    assert.equal(config.integrityCheck, false);
    assert.equal(config.tciaActivated, false);
    assert.deepEqual(config.modalities, ['CT', 'MR', 'US', 'DX']);
    assert.equal(config.dataDir, './data');
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.eventsStdout, true, 'stdout events are on when not PROD');
  });

  test('every seed variable is read with its meaning', () => {
    const { config } = load({
      PROD: 'yes',
      FLASK_ACTIVATED: 'no',
      BLOCK_SCANNERS: 'true',
      INTEGRITY_CHECK: '1',
      TCIA_ACTIVATED: 'YES',
      TCIA_USER_NAME: 'alice',
      TCIA_PASSWORD: 's3cret',
      TCIA_PERIOD_UNIT: 'minutes',
      TCIA_PERIOD: '30',
      MODALITIES: '["CT","MR"]',
      MINIMUM_TCIA_FILES_IN_SERIE: '10',
      MAXIMUM_TCIA_FILES_IN_SERIE: '20',
      DICOM_PORT: '104,11112',
      DICOM_SERVER_HOST: '127.0.0.1',
      HONEY_URL: 'https://canary.example.org/t/',
      ABUSE_IP_API_KEY: 'k1',
      IP_QUALITY_SCORE_API_KEY: 'k2',
      VIRUS_TOTAL_API_KEY: 'k3',
      DATA_DIR: '/var/lib/dicomhawk',
      API_PORT: '8080',
      CONSOLE_PORT: '5001',
      CONSOLE_HOST: '0.0.0.0',
      REDIS_URL: 'redis://:pw@10.0.0.5:6379/0',
      SENSOR_NAME: 'dk-sensor-1',
      LOG_LEVEL: 'debug',
    });
    assert.equal(config.prod, true);
    assert.equal(config.consoleEnabled, false);
    assert.equal(config.blockScanners, true);
    assert.equal(config.integrityCheck, true);
    assert.equal(config.tciaActivated, true);
    assert.equal(config.tciaUserName, 'alice');
    assert.equal(config.tciaPassword, 's3cret');
    assert.equal(config.tciaPeriodUnit, 'minutes');
    assert.equal(config.tciaPeriod, 30);
    assert.deepEqual(config.modalities, ['CT', 'MR']);
    assert.equal(config.tciaMinFiles, 10);
    assert.equal(config.tciaMaxFiles, 20);
    assert.deepEqual(config.dicomPorts, [104, 11112]);
    assert.equal(config.dicomHost, '127.0.0.1');
    assert.equal(config.honeyUrl, 'https://canary.example.org/t');
    assert.equal(config.abuseIpApiKey, 'k1');
    assert.equal(config.ipQualityScoreApiKey, 'k2');
    assert.equal(config.virusTotalApiKey, 'k3');
    assert.equal(config.dataDir, '/var/lib/dicomhawk');
    assert.equal(config.apiPort, 8080);
    assert.equal(config.consolePort, 5001);
    assert.equal(config.consoleHost, '0.0.0.0');
    assert.equal(config.redisUrl, 'redis://:pw@10.0.0.5:6379/0');
    assert.equal(config.sensorName, 'dk-sensor-1');
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.eventsStdout, false, 'PROD turns stdout events off');
  });

  test('booleans accept yes/no/true/false/1/0 in any case', () => {
    for (const [raw, want] of [['yes', true], ['No', false], ['TRUE', true], ['false', false], ['1', true], ['0', false]] as const)
      assert.equal(load({ PROD: raw }).config.prod, want, raw);
  });

  test('MODALITIES accepts a comma list too', () => {
    assert.deepEqual(load({ MODALITIES: 'CT, MR,US' }).config.modalities, ['CT', 'MR', 'US']);
  });

  test('CONSOLE_ENABLED wins over its alias FLASK_ACTIVATED', () => {
    assert.equal(load({ CONSOLE_ENABLED: 'yes', FLASK_ACTIVATED: 'no' }).config.consoleEnabled, true);
  });
});

describe('configuration errors: one line per problem, naming variable, value and what is allowed', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ PROD: 'maybe' }, /^PROD="maybe": expected yes\/no, true\/false or 1\/0$/],
    [{ DICOM_PORT: 'abc' }, /^DICOM_PORT="abc": expected a port from 1 to 65535 or a comma list/],
    [{ DICOM_PORT: '104,104' }, /^DICOM_PORT="104,104": the same port is listed twice/],
    [{ DICOM_PORT: '70000' }, /^DICOM_PORT="70000": expected a port/],
    [{ API_PORT: '0' }, /^API_PORT="0": expected a whole number from 1 to 65535/],
    [{ CONSOLE_PORT: '5.5' }, /^CONSOLE_PORT="5.5": expected a whole number/],
    [{ TCIA_PERIOD_UNIT: 'month' }, /^TCIA_PERIOD_UNIT="month": expected one of minutes, hour, day, week/],
    [{ TCIA_PERIOD: '-1' }, /^TCIA_PERIOD="-1": expected a whole number from 1/],
    [{ MODALITIES: '["CT",' }, /^MODALITIES=.*: expected a JSON list like/],
    [{ MODALITIES: 'CT,computer' }, /^MODALITIES="CT,computer": expected DICOM modality codes .*not computer/],
    [{ MINIMUM_TCIA_FILES_IN_SERIE: '50', MAXIMUM_TCIA_FILES_IN_SERIE: '10' }, /^MINIMUM_TCIA_FILES_IN_SERIE=50 is larger than MAXIMUM_TCIA_FILES_IN_SERIE=10/],
    [{ HONEY_URL: 'ftp://x' }, /^HONEY_URL="ftp:\/\/x": expected an absolute http/],
    [{ REDIS_URL: 'http://x' }, /^REDIS_URL="\*\*\*": expected redis:\/\//],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL="loud": expected one of fatal/],
    [{ API_PORT: '11112' }, /^API_PORT=11112: already used by DICOM_PORT/],
    [{ EVENTS_JSONL_MAX_BYTES: '10X' }, /^EVENTS_JSONL_MAX_BYTES="10X": expected a size/],
    [{ DICOM_AE_TITLE: 'WAY-TOO-LONG-AE-TITLE' }, /^DICOM_AE_TITLE=.*expected an AE title of 1 to 16/],
    [{ FLASK_ACTIVATED: 'perhaps' }, /^FLASK_ACTIVATED="perhaps": expected yes\/no/],
  ];
  for (const [env, want] of cases) {
    test(`${JSON.stringify(env)}`, () => {
      const p = problems(env);
      assert.equal(p.length, 1, p.join('\n'));
      assert.match(p[0]!, want);
    });
  }

  test('several bad values are all reported at once', () => {
    const p = problems({ PROD: 'x', DICOM_PORT: 'y', TCIA_PERIOD: 'z' });
    assert.equal(p.length, 3);
  });

  test('a secret is never echoed in an error', () => {
    const p = problems({ REDIS_URL: 'http://user:hunter2@x' });
    assert.ok(!p.join('').includes('hunter2'));
  });
});

describe('configuration file', () => {
  test('file values sit between defaults and the environment, with provenance', () => {
    const file = join(cwd, 'custom.yaml');
    writeFileSync(file, 'DICOM_PORT: "104"\nAPI_PORT: 8081\nMODALITIES: [CT, DX]\n');
    const loaded = load({ API_PORT: '9090' }, file);
    assert.deepEqual(loaded.config.dicomPorts, [104]);
    assert.equal(loaded.config.apiPort, 9090);
    assert.deepEqual(loaded.config.modalities, ['CT', 'DX']);
    assert.equal(loaded.sources.dicomPorts.source, 'file');
    assert.equal(loaded.sources.apiPort.source, 'env');
    assert.equal(loaded.sources.consolePort.source, 'default');
  });

  test('unknown keys, bad YAML and a missing --config file are errors', () => {
    const file = join(cwd, 'bad.yaml');
    writeFileSync(file, 'DICOM_PROT: 104\n');
    assert.match(problems({}, file)[0]!, /DICOM_PROT is not a DICOMHawk setting/);
    writeFileSync(file, 'a: [\n');
    assert.match(problems({}, file)[0]!, /cannot be read as YAML/);
    assert.match(problems({}, join(cwd, 'nope.yaml'))[0]!, /no such file/);
  });

  test('./dicomhawk.yaml is read when present', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dh-config-cwd-'));
    writeFileSync(join(dir, 'dicomhawk.yaml'), 'SENSOR_NAME: from-file\n');
    assert.equal(loadConfig({ env: {}, cwd: dir }).config.sensorName, 'from-file');
  });
});

describe('dicomhawk config output', () => {
  test('secrets are masked, including the Redis password', () => {
    const rows = describeConfig(load({ TCIA_PASSWORD: 'tcia-pw', ABUSE_IP_API_KEY: 'abuse-key', REDIS_URL: 'redis://:redis-pw@host:6379' }));
    const text = JSON.stringify(rows);
    for (const secret of ['tcia-pw', 'abuse-key', 'redis-pw']) assert.ok(!text.includes(secret), secret);
    assert.ok(text.includes('redis://:***@host:6379'));
  });

  test('the README documents every setting', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const s of Object.values(SETTINGS)) assert.ok(readme.includes(`\`${s.env}\``), `${s.env} missing from README`);
  });
});
