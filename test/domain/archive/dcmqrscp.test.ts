/**
 * The same C-FIND identifiers answered by DCMTK's dcmqrscp (a real Q/R SCP, on the same files) and by our
 * matching engine through `find()`: same matches, same returned keys and values.
 *
 * dcmqrscp is configured with one storage area indexed by `dcmqridx`, started on a free loopback port and
 * asked with `findscu -X` (responses saved as files, read back with our reader). It converts every answer
 * to UTF-8 (`-Cr +U8`), so values compare as text whatever the stored charset.
 *
 * Differences we accept (and check, so they stay deliberate):
 * - dcmqrscp omits keys it does not index (ModalitiesInStudy, Number of … Related …, private tags); we
 *   answer every requested key, zero-length when unknown.
 * - its `?` matches one byte, ours one character: `S?rensen` does not match UTF-8 "Sørensen" there.
 * - it refuses (0xC000) a Study Root query at PATIENT level; we answer it leniently (the original's docs).
 * - a hierarchical query missing a higher-level unique key fails there with 0xC000 (found while matching),
 *   here with 0xA900 (the identifier does not fit the model: found while validating).
 * - it needs a key at the query level (else 0xC000); we answer an identifier holding only the level.
 * - it answers a key below the query level (Modality at STUDY level) from one of the entity's instances;
 *   we answer it zero-length (ModalitiesInStudy is the study-level attribute).
 * - a `*` for a date or a UID matches nothing there (not a valid date; no wild cards in UIDs); we treat it
 *   as universal matching.
 * - its SpecificCharacterSet is the converted one (ISO_IR 192); ours is the stored one (not compared).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { attributeByKeyword } from '../../../src/domain/archive/dictionary.ts';
import { Archive } from '../../../src/domain/archive/index.ts';
import type { QueryKey } from '../../../src/domain/archive/matching.ts';
import type { FindResponse } from '../../../src/domain/archive/query.ts';
import { readDicomFile } from '../../../src/domain/archive/reader.ts';
import { PATIENTS, writeFixtureArchive } from '../../fixtures/archive/fixtureArchive.ts';
import { freePort, waitFor } from '../../helpers/net.ts';
import { pick } from './pick.ts';

const AE = 'ARCHIVE';
const hasDcmtk = spawnSync('dcmqrscp', ['--version']).status === 0 && spawnSync('findscu', ['--version']).status === 0;

const S = PATIENTS.flatMap((p) => p.studies);
const [P1] = pick(PATIENTS, 1);
const [S1, S2, , , , S6] = pick(S, 6);

type Model = 'study-root' | 'patient-root';
/** `Keyword=value` as findscu's -k takes it. */
type KeySpec = string;

interface Answer {
  /** 'Success', or the failure: findscu's wording for dcmqrscp, the status code for ours. */
  readonly status: string;
  /** Each response: keyword → value (SpecificCharacterSet left out), sorted by the unique key. */
  readonly responses: Record<string, string>[];
}

function toKey(spec: KeySpec): QueryKey {
  const eq = spec.indexOf('=');
  const keyword = eq === -1 ? spec : spec.slice(0, eq);
  const value = eq === -1 ? '' : spec.slice(eq + 1);
  const a = attributeByKeyword(keyword);
  if (a === undefined) throw new Error(`unknown keyword ${keyword}`);
  return { tag: a.tag, vr: a.vr, value };
}

const UNIQUE_ORDER = ['SOPInstanceUID', 'SeriesInstanceUID', 'StudyInstanceUID', 'PatientID'];

function sortResponses(rs: Record<string, string>[]): Record<string, string>[] {
  const key = (r: Record<string, string>): string => UNIQUE_ORDER.map((k) => r[k] ?? '').join('|');
  return rs.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function ours(archive: Archive, model: Model, level: string, keys: readonly KeySpec[]): Answer {
  try {
    const rs: FindResponse[] = [...archive.find({ model, level, keys: keys.map(toKey), requesterIp: '127.0.0.1', retrieveAeTitle: AE, relational: false, caseInsensitivePN: false })];
    return {
      status: 'Success',
      responses: sortResponses(rs.map((r) => Object.fromEntries(r.elements.filter((e) => e.tag !== '00080005').map((e) => [e.keyword ?? e.tag, e.value])))),
    };
  } catch (err) {
    return { status: `Failed: 0x${(err as { status: number }).status.toString(16).toUpperCase()}`, responses: [] };
  }
}

class Dcmqrscp {
  private proc: ChildProcess | null = null;
  port = 0;
  private n = 0;
  constructor(private readonly dir: string) {}

  async start(files: readonly string[]): Promise<void> {
    const storage = join(this.dir, 'storage');
    mkdirSync(storage, { recursive: true });
    this.port = await freePort();
    const cfg = join(this.dir, 'dcmqrscp.cfg');
    writeFileSync(
      cfg,
      [
        `NetworkTCPPort = ${this.port}`,
        'MaxPDUSize = 16384',
        'MaxAssociations = 16',
        'HostTable BEGIN',
        'HostTable END',
        'VendorTable BEGIN',
        'VendorTable END',
        'AETable BEGIN',
        `${AE} ${storage} RW (100, 64mb) ANY`,
        'AETable END',
        '',
      ].join('\n'),
    );
    const idx = spawnSync('dcmqridx', [storage, ...files], { encoding: 'utf8' });
    assert.equal(idx.status, 0, idx.stderr);
    this.proc = spawn('dcmqrscp', ['-c', cfg, '-Cr', '+U8', String(this.port)], { stdio: 'ignore' });
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const s = createConnection(this.port, '127.0.0.1');
          s.once('connect', () => {
            s.destroy();
            resolve(true);
          });
          s.once('error', () => resolve(false));
        }),
      10_000,
      25,
    );
  }

  private readonly answers = new Map<string, Promise<Answer>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  /** findscu against dcmqrscp (memoised, at most 6 at once: call it early for many queries to overlap them). */
  find(model: Model, level: string, keys: readonly KeySpec[]): Promise<Answer> {
    const id = JSON.stringify([model, level, keys]);
    let answer = this.answers.get(id);
    if (answer === undefined) {
      answer = this.limited(() => this.run(model, level, keys));
      this.answers.set(id, answer);
    }
    return answer;
  }

  private async limited<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= 6) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private async run(model: Model, level: string, keys: readonly KeySpec[]): Promise<Answer> {
    const out = join(this.dir, `rsp-${++this.n}`);
    mkdirSync(out);
    const args = ['-v', '-aec', AE, model === 'study-root' ? '-S' : '-P', '-k', `QueryRetrieveLevel=${level}`, '-k', 'SpecificCharacterSet=ISO_IR 192'];
    for (const k of keys) args.push('-k', k);
    args.push('-X', '-od', out, '127.0.0.1', String(this.port));
    const log = await new Promise<string>((resolve) => {
      const child = spawn('findscu', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (text += d.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve(`${text}\nexit ${code}`);
      });
    });
    const status = /Received Final Find Response \(([^)]*)\)/.exec(log)?.[1] ?? `findscu failed: ${log.slice(-200)}`;
    const responses = readdirSync(out)
      .sort()
      .map((f) => {
        const { result } = readDicomFile(join(out, f), { tags: 'all' });
        assert.ok(result.ok, !result.ok ? result.reason : '');
        const rec: Record<string, string> = {};
        for (const [tag, value] of result.header.values) {
          if (tag === '00080005') continue;
          rec[keywordOf(tag)] = value;
        }
        return rec;
      });
    return { status, responses: sortResponses(responses) };
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p === null || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }
}

function keywordOf(tag: string): string {
  return KEYWORDS.get(tag) ?? tag;
}

const KEYWORDS = new Map<string, string>(
  [
    'PatientName',
    'PatientID',
    'PatientBirthDate',
    'PatientSex',
    'IssuerOfPatientID',
    'StudyDate',
    'StudyTime',
    'AccessionNumber',
    'StudyID',
    'StudyInstanceUID',
    'ReferringPhysicianName',
    'StudyDescription',
    'Modality',
    'SeriesNumber',
    'SeriesInstanceUID',
    'InstanceNumber',
    'SOPInstanceUID',
    'QueryRetrieveLevel',
    'RetrieveAETitle',
  ].map((kw) => [attributeByKeyword(kw)?.tag as string, kw]),
);

/** Queries both sides answer the same way. */
const SAME: readonly { model: Model; level: string; keys: readonly KeySpec[] }[] = [
  { model: 'study-root', level: 'STUDY', keys: ['StudyInstanceUID', 'PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyDate', 'StudyTime', 'AccessionNumber', 'StudyID', 'StudyDescription', 'ReferringPhysicianName'] },
  { model: 'study-root', level: 'STUDY', keys: ['StudyInstanceUID', 'PatientName=S*', 'StudyDate=20200101-20201231'] },
  { model: 'study-root', level: 'STUDY', keys: ['StudyInstanceUID', 'StudyDate=-20191231', 'StudyDescription'] },
  { model: 'study-root', level: 'STUDY', keys: ['StudyInstanceUID', 'StudyDate=20220505-', 'PatientName'] },
  { model: 'study-root', level: 'STUDY', keys: [`StudyInstanceUID=${S1.uid}\\${S6.uid}\\1.2.3.4`, 'StudyDate'] },
  { model: 'study-root', level: 'STUDY', keys: ['StudyInstanceUID', 'PatientName=Ho?lm*'] },
  { model: 'study-root', level: 'STUDY', keys: ['StudyInstanceUID', 'PatientName=*%*'] },
  { model: 'study-root', level: 'STUDY', keys: ['StudyInstanceUID', 'StudyDescription=100%*'] },
  { model: 'study-root', level: 'STUDY', keys: ['StudyInstanceUID', 'PatientID=P4[*'] },
  { model: 'study-root', level: 'STUDY', keys: ['StudyInstanceUID', 'StudyTime=0800-1000'] },
  { model: 'study-root', level: 'STUDY', keys: ['StudyInstanceUID', 'PatientName=Sørensen*', 'StudyDescription'] },
  { model: 'study-root', level: 'STUDY', keys: ['StudyInstanceUID', 'PatientName=Ærø^Åse', 'ReferringPhysicianName'] },
  { model: 'study-root', level: 'STUDY', keys: ['StudyInstanceUID', 'StudyDescription=*knæ'] },
  { model: 'study-root', level: 'SERIES', keys: [`StudyInstanceUID=${S1.uid}`, 'SeriesInstanceUID', 'Modality', 'SeriesNumber'] },
  { model: 'study-root', level: 'SERIES', keys: [`StudyInstanceUID=${S6.uid}`, 'SeriesInstanceUID', 'Modality=CR', 'SeriesNumber=2'] },
  // A non-unique key above the level of a hierarchical query: answered, not matched.
  { model: 'study-root', level: 'SERIES', keys: [`StudyInstanceUID=${S1.uid}`, 'SeriesInstanceUID', 'PatientName=Nobody*', 'PatientID'] },
  { model: 'study-root', level: 'IMAGE', keys: [`StudyInstanceUID=${S1.uid}`, `SeriesInstanceUID=${S1.series[0]!.uid}`, 'SOPInstanceUID', 'InstanceNumber'] },
  {
    model: 'study-root',
    level: 'IMAGE',
    keys: [`StudyInstanceUID=${S2.uid}`, `SeriesInstanceUID=${S2.series[0]!.uid}`, `SOPInstanceUID=${S2.series[0]!.instances[1]!.sop}\\9.9.9`, 'InstanceNumber'],
  },
  { model: 'patient-root', level: 'PATIENT', keys: ['PatientID=*', 'PatientName', 'PatientBirthDate', 'PatientSex'] },
  { model: 'patient-root', level: 'PATIENT', keys: ['PatientID', 'PatientName=Hansen^Jens'] },
  { model: 'patient-root', level: 'PATIENT', keys: ['PatientID', 'PatientBirthDate=19500101-19600101', 'PatientName'] },
  { model: 'patient-root', level: 'STUDY', keys: [`PatientID=${P1.id}`, 'StudyInstanceUID', 'StudyDate', 'StudyDescription'] },
  { model: 'patient-root', level: 'SERIES', keys: [`PatientID=${P1.id}`, `StudyInstanceUID=${S2.uid}`, 'SeriesInstanceUID', 'Modality'] },
  { model: 'patient-root', level: 'IMAGE', keys: [`PatientID=${P1.id}`, `StudyInstanceUID=${S1.uid}`, `SeriesInstanceUID=${S1.series[1]!.uid}`, 'SOPInstanceUID', 'InstanceNumber'] },
];

/** Queries answered differently, on purpose (see the file comment); each has its test below. */
const DIFFERENT: readonly { model: Model; level: string; keys: readonly KeySpec[] }[] = [
  { model: 'study-root', level: 'STUDY', keys: ['StudyInstanceUID', `PatientID=${P1.id}`, 'ModalitiesInStudy', 'NumberOfStudyRelatedInstances'] },
  { model: 'study-root', level: 'STUDY', keys: ['StudyInstanceUID', 'PatientName=S?rensen*'] },
  { model: 'study-root', level: 'PATIENT', keys: ['PatientName'] },
  { model: 'study-root', level: 'SERIES', keys: ['SeriesInstanceUID', 'Modality=CT'] },
  { model: 'study-root', level: 'STUDY', keys: ['StudyInstanceUID', `PatientID=${P1.id}`, 'Modality'] },
];

describe('same answers as DCMTK dcmqrscp on the same files', { skip: hasDcmtk ? false : 'DCMTK (dcmqrscp, findscu) not installed' }, () => {
  let dir: string;
  let archive: Archive;
  let qr: Dcmqrscp;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dh-dcmqrscp-'));
    const files = writeFixtureArchive(join(dir, 'archive'));
    archive = Archive.open({ indexDir: join(dir, 'index'), archiveRoot: join(dir, 'archive') });
    await archive.ensureBuilt();
    qr = new Dcmqrscp(dir);
    await qr.start(files);
    // Ask dcmqrscp everything up front, several findscu at a time.
    await Promise.all([...SAME, ...DIFFERENT].map((q) => qr.find(q.model, q.level, q.keys)));
  });
  after(async () => {
    await qr?.stop();
    archive?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const q of SAME) {
    it(`${q.model} ${q.level} ${q.keys.filter((k) => k.includes('=')).join(' ') || '(universal)'}`, async () => {
      const theirs = await qr.find(q.model, q.level, q.keys);
      const mine = ours(archive, q.model, q.level, q.keys);
      assert.equal(theirs.status, 'Success');
      assert.ok(theirs.responses.length > 0 || q.keys.some((k) => k.includes('9.9.9')), 'the query matches something');
      assert.deepEqual(mine, theirs);
    });
  }

  it('documented difference: we also answer keys dcmqrscp does not index (zero-length when unknown)', async () => {
    const keys = DIFFERENT[0]!.keys;
    const theirs = await qr.find('study-root', 'STUDY', keys);
    const mine = ours(archive, 'study-root', 'STUDY', keys);
    assert.deepEqual(
      theirs.responses.map((r) => Object.keys(r).sort()),
      [
        ['PatientID', 'QueryRetrieveLevel', 'RetrieveAETitle', 'StudyInstanceUID'],
        ['PatientID', 'QueryRetrieveLevel', 'RetrieveAETitle', 'StudyInstanceUID'],
      ],
    );
    assert.deepEqual(
      mine.responses.map((r) => [r.ModalitiesInStudy, r.NumberOfStudyRelatedInstances]),
      [
        ['CT\\PR', '4'],
        ['MR', '2'],
      ],
    );
  });

  it('documented difference: ? is one character for us, one byte for dcmqrscp', async () => {
    const keys = DIFFERENT[1]!.keys;
    assert.equal((await qr.find('study-root', 'STUDY', keys)).responses.length, 0);
    assert.equal(ours(archive, 'study-root', 'STUDY', keys).responses.length, 2);
  });

  it('documented difference: a Study Root query at PATIENT level is refused there, answered here', async () => {
    assert.equal((await qr.find('study-root', 'PATIENT', ['PatientName'])).status, 'Failed: UnableToProcess');
    assert.equal(ours(archive, 'study-root', 'PATIENT', ['PatientName']).responses.length, PATIENTS.length);
  });

  it('both refuse a hierarchical SERIES query without the study unique key (dcmqrscp: 0xC000, ours: 0xA900)', async () => {
    assert.equal((await qr.find('study-root', 'SERIES', ['SeriesInstanceUID', 'Modality=CT'])).status, 'Failed: UnableToProcess');
    assert.equal(ours(archive, 'study-root', 'SERIES', ['SeriesInstanceUID', 'Modality=CT']).status, 'Failed: 0xA900');
  });

  it('documented difference: a key below the query level is answered from one instance there, zero-length here', async () => {
    const keys = DIFFERENT[4]!.keys;
    assert.deepEqual(
      (await qr.find('study-root', 'STUDY', keys)).responses.map((r) => r.Modality),
      ['CT', 'MR'],
    );
    assert.deepEqual(
      ours(archive, 'study-root', 'STUDY', keys).responses.map((r) => r.Modality),
      ['', ''],
    );
  });
});
