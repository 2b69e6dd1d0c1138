// Where the scanner tests find their lists.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Excerpt kept in the repo (always present). */
export const FIXTURE_DIR = path.join(repoRoot, 'test', 'fixtures', 'scanners');
/** The full list CI copies beside the clone; tests that want it skip when it is absent. */
export const SHARED_DIR = path.resolve(repoRoot, '..', 'shared', 'data', 'maltrail');
export const hasShared = existsSync(path.join(SHARED_DIR, 'mass_scanner.txt'));
