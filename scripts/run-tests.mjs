#!/usr/bin/env node
// Runs node's test runner through tsx over every *.test.ts under the given folders (default: test/).
// Node 20's `node --test` neither expands globs nor finds .ts files, so we list them ourselves.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passthrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
}
for (const r of roots.length ? roots : ['test']) {
  if (statSync(r).isDirectory()) walk(r);
  else files.push(r);
}
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
// Files named *.serial.test.ts measure latency or memory of a server in their own process: they run
// after the others, one at a time, so that no other test file competes with them for the two cores.
const serial = files.filter((f) => f.endsWith('.serial.test.ts'));
const parallel = files.filter((f) => !f.endsWith('.serial.test.ts'));
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
let status = 0;
for (const [group, conc] of [[parallel, concurrency], [serial, '1']]) {
  if (group.length === 0) continue;
  const res = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${conc}`, '--test-reporter=spec', ...passthrough, ...group],
    { stdio: 'inherit' },
  );
  if ((res.status ?? 1) !== 0) status = res.status ?? 1;
}
process.exit(status);
