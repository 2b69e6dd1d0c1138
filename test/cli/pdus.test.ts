import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

test('pdus: a session without a record exits 1 saying so; a bad --hex or a path is refused with a message', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dh-pdus-'));
  const missing = runCli(['pdus', '0190ffff-0000-7000-8000-000000000000'], { DATA_DIR: dataDir });
  assert.equal(missing.code, 1, missing.stderr);
  assert.match(missing.stderr, /no PDU record for session/);
  const badHex = runCli(['pdus', '0190ffff-0000-7000-8000-000000000000', '--hex', 'lots'], { DATA_DIR: dataDir });
  assert.notEqual(badHex.code, 0);
  assert.match(badHex.stderr, /--hex.*expected a whole number of bytes/);
  const path = runCli(['pdus', '../../etc/passwd'], { DATA_DIR: dataDir });
  assert.equal(path.code, 2, 'a path is not a session id');
});
