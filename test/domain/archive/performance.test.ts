import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Archive } from '../../../src/domain/archive/index.ts';
import { IndexWriter } from '../../../src/domain/archive/indexer.ts';
import type { DicomHeader } from '../../../src/domain/archive/reader.ts';
import { findAll, k } from './helpers.ts';

const SURNAMES = ['Jensen', 'Nielsen', 'Hansen', 'Pedersen', 'Andersen', 'Christensen', 'Larsen', 'Sørensen', 'Rasmussen', 'Jørgensen', 'Petersen', 'Madsen', 'Kristensen', 'Olsen', 'Thomsen', 'Christiansen', 'Poulsen', 'Johansen', 'Møller', 'Mortensen'];
const GIVEN = ['Anne', 'Kirsten', 'Mette', 'Hanne', 'Peter', 'Jens', 'Lars', 'Michael', 'Søren', 'Åse', 'Ærtebølle', 'Bent'];
const MODALITIES = ['CT', 'MR', 'US', 'DX', 'CR'];

function header(values: Record<string, string>): DicomHeader {
  return { part10: true, transferSyntax: '1.2.840.10008.1.2.1', datasetOffset: 300, size: 1024, mediaStorageSopClassUid: '', mediaStorageSopInstanceUid: '', specificCharacterSet: 'ISO_IR 100', values: new Map(Object.entries(values)) };
}

describe('index of 20 000 instances', () => {
  let dir: string;
  let archive: Archive;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dh-archive-perf-'));
    archive = Archive.open({ indexDir: join(dir, 'index'), archiveRoot: join(dir, 'archive') });
    // 1 000 patients × 1 study × 4 series × 5 instances, written straight through the index writer.
    const lease = archive.acquire();
    const writer = new IndexWriter(lease.db);
    lease.db.transaction(() => {
      for (let p = 0; p < 1000; p++) {
        const study = `1.2.826.0.1.3680043.10.543.9.${p}`;
        for (let s = 0; s < 4; s++) {
          for (let i = 0; i < 5; i++) {
            const sop = `${study}.${s}.${i}`;
            writer.index({
              ownerIp: null,
              path: `x/${sop}.dcm`,
              sha256: null,
              mtimeMs: 0,
              header: header({
                '00100010': `${SURNAMES[p % SURNAMES.length]}^${GIVEN[p % GIVEN.length]}`,
                '00100020': `${1000000000 + p}`,
                '00100030': `19${String(30 + (p % 70)).padStart(2, '0')}0101`,
                '00080020': `20${String(10 + (p % 15)).padStart(2, '0')}${String(1 + (p % 12)).padStart(2, '0')}15`,
                '00080050': `ACC${p}`,
                '0020000D': study,
                '0020000E': `${study}.${s}`,
                '00080060': MODALITIES[(p + s) % MODALITIES.length] as string,
                '00080018': sop,
                '00080016': '1.2.840.10008.5.1.4.1.1.2',
                '00200013': String(i + 1),
              }),
            });
          }
        }
        writer.flush();
      }
    })();
    lease.release();
  });
  after(() => {
    archive.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rate = (label: string, n: number, fn: () => number): number => {
    const started = process.hrtime.bigint();
    let matches = 0;
    for (let i = 0; i < n; i++) matches = fn();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`  ${label}: ${(n / (ms / 1000)).toFixed(0)} queries/s, ${matches} matches each`);
    return ms / n;
  };

  it('answers STUDY-level wild card queries from maintained counts, fast', () => {
    const keys = [k('PatientName', 'Sø*'), k('PatientID'), k('StudyInstanceUID'), k('StudyDate'), k('ModalitiesInStudy'), k('NumberOfStudyRelatedInstances'), k('NumberOfStudyRelatedSeries')];
    const first = findAll(archive, { level: 'STUDY', keys });
    assert.equal(first.length, 50);
    assert.ok(first.every((r) => r.elements.find((e) => e.keyword === 'NumberOfStudyRelatedInstances')?.value === '20'));
    const prefix = rate('STUDY PatientName=Sø* (indexed prefix)', 300, () => findAll(archive, { level: 'STUDY', keys }).length);
    const infix = rate('STUDY PatientName=*sen^* (scan)', 100, () => findAll(archive, { level: 'STUDY', keys: [k('PatientName', '*sen^*'), ...keys.slice(1)] }).length);
    const range = rate('STUDY StudyDate=20200101-20201231', 100, () => findAll(archive, { level: 'STUDY', keys: [k('StudyDate', '20200101-20201231'), ...keys.slice(1)] }).length);
    const uid = rate('STUDY StudyInstanceUID=<uid>', 500, () => findAll(archive, { level: 'STUDY', keys: [k('StudyInstanceUID', '1.2.826.0.1.3680043.10.543.9.500'), k('PatientName')] }).length);
    assert.ok(prefix < 10, `prefix query took ${prefix} ms`);
    assert.ok(infix < 100, `scanning query took ${infix} ms`);
    assert.ok(range < 50, `range query took ${range} ms`);
    assert.ok(uid < 5, `unique key query took ${uid} ms`);
  });

  it('resolves a series and a study for retrieval quickly', () => {
    const ms = rate('retrieve STUDY by UID', 300, () => archive.resolveInstances({ model: 'study-root', level: 'STUDY', keys: [k('StudyInstanceUID', '1.2.826.0.1.3680043.10.543.9.321')], requesterIp: null }).instances.length);
    assert.ok(ms < 5, `retrieve took ${ms} ms`);
  });
});
