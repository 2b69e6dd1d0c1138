// Where the scanner tests find their lists.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Excerpt kept in the repo (always present). */
export const FIXTURE_DIR = path.join(repoRoot, 'test', 'fixtures', 'scanners');
/** The full Maltrail list, vendored with the product (SCANNER_LISTS=builtin). */
export const FULL_LIST_DIR = path.join(repoRoot, 'data-files', 'maltrail');
