import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

test('console-token prints the operator token of DATA_DIR (creating the secrets once) and where the console is', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'dh-token-')), 'data');
  const first = runCli(['console-token'], { DATA_DIR: dataDir, CONSOLE_PORT: '5123' });
  assert.equal(first.code, 0, first.stderr);
  const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as { consoleToken: string };
  assert.equal(statSync(join(dataDir, 'secrets.json')).mode & 0o777, 0o600);
  assert.equal(first.stdout, `${secrets.consoleToken}\n`);
  assert.match(first.stderr, /http:\/\/127\.0\.0\.1:5123\//);
  const quiet = runCli(['console-token', '--quiet'], { DATA_DIR: dataDir });
  assert.equal(quiet.stdout, `${secrets.consoleToken}\n`, 'the same token every time');
  assert.equal(quiet.stderr, '');
});
