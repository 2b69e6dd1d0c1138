/** Shared set-up for the archive tests: a fixture archive indexed in a temporary data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attributeByKeyword } from '../../../src/domain/archive/dictionary.ts';
import { Archive } from '../../../src/domain/archive/index.ts';
import type { QueryKey } from '../../../src/domain/archive/matching.ts';
import type { FindRequest, FindResponse } from '../../../src/domain/archive/query.ts';
import { writeFixtureArchive } from '../../fixtures/archive/fixtureArchive.ts';

/** A key by keyword (`k('PatientName', 'Hansen*')`), or by tag and VR for tags the archive does not know. */
export function k(keyword: string, value = ''): QueryKey {
  const a = attributeByKeyword(keyword);
  if (a === undefined) throw new Error(`unknown keyword ${keyword}`);
  return { tag: a.tag, vr: a.vr, value };
}

export interface TestArchive {
  readonly dir: string;
  readonly archiveRoot: string;
  readonly indexDir: string;
  readonly files: string[];
  readonly archive: Archive;
  cleanup(): void;
}

export async function fixtureArchive(): Promise<TestArchive> {
  const dir = mkdtempSync(join(tmpdir(), 'dh-archive-'));
  const archiveRoot = join(dir, 'archive');
  const indexDir = join(dir, 'archive-index');
  const files = writeFixtureArchive(archiveRoot);
  const archive = Archive.open({ indexDir, archiveRoot });
  await archive.ensureBuilt();
  return {
    dir,
    archiveRoot,
    indexDir,
    files,
    archive,
    cleanup() {
      archive.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const BASE: Omit<FindRequest, 'level' | 'keys'> = {
  model: 'study-root',
  requesterIp: '198.51.100.7',
  retrieveAeTitle: 'PACS',
  relational: false,
  caseInsensitivePN: true,
};

/** Run a find and collect the responses. */
export function findAll(archive: Archive, req: Partial<FindRequest> & Pick<FindRequest, 'level' | 'keys'>): FindResponse[] {
  return [...archive.find({ ...BASE, ...req })];
}

/** Value of a keyword in a response ('' when zero length; undefined when absent). */
export function val(r: FindResponse, keyword: string): string | undefined {
  const a = attributeByKeyword(keyword);
  return r.elements.find((e) => e.tag === a?.tag)?.value;
}

/** One keyword's values across responses, sorted. */
export function values(rs: readonly FindResponse[], keyword: string): string[] {
  return rs.map((r) => val(r, keyword) ?? '<absent>').sort();
}
