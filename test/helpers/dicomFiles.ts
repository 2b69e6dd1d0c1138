/** Small real DICOM files made with DCMTK's dump2dcm, for tests that need files on disk. */
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface DumpSpec {
  patientName: string;
  patientId: string;
  studyUid: string;
  seriesUid: string;
  sopUid: string;
  modality?: string;
  studyDate?: string;
  charset?: string;
  seriesNumber?: number;
  instanceNumber?: number;
  extra?: string[];
}

export function makeDicomFile(dir: string, name: string, s: DumpSpec): string {
  const dump = [
    '(0002,0001) OB 00\\01',
    '(0002,0002) UI =CTImageStorage',
    `(0002,0003) UI [${s.sopUid}]`,
    '(0002,0010) UI =LittleEndianExplicit',
    ...(s.charset ? [`(0008,0005) CS [${s.charset}]`] : []),
    '(0008,0016) UI =CTImageStorage',
    `(0008,0018) UI [${s.sopUid}]`,
    `(0008,0020) DA [${s.studyDate ?? '20240102'}]`,
    '(0008,0030) TM [101500]',
    '(0008,0050) SH [ACC123]',
    `(0008,0060) CS [${s.modality ?? 'CT'}]`,
    `(0010,0010) PN [${s.patientName}]`,
    `(0010,0020) LO [${s.patientId}]`,
    '(0010,0030) DA [19700101]',
    '(0010,0040) CS [F]',
    `(0020,000d) UI [${s.studyUid}]`,
    `(0020,000e) UI [${s.seriesUid}]`,
    '(0020,0010) SH [1]',
    `(0020,0011) IS [${s.seriesNumber ?? 1}]`,
    `(0020,0013) IS [${s.instanceNumber ?? 1}]`,
    '(0028,0002) US 1',
    '(0028,0004) CS [MONOCHROME2]',
    '(0028,0010) US 4',
    '(0028,0011) US 4',
    '(0028,0100) US 16',
    '(0028,0101) US 12',
    '(0028,0102) US 11',
    '(0028,0103) US 0',
    '(7fe0,0010) OW 0000\\0001\\0002\\0003\\0004\\0005\\0006\\0007\\0008\\0009\\000a\\000b\\000c\\000d\\000e\\000f',
    ...(s.extra ?? []),
  ].join('\n');
  const dumpPath = join(dir, `${name}.dump`);
  const out = join(dir, `${name}.dcm`);
  writeFileSync(dumpPath, dump, s.charset === 'ISO_IR 192' ? 'utf8' : 'latin1');
  execFileSync('dump2dcm', ['-q', '--write-xfer-little', dumpPath, out]);
  return out;
}

/** Many small Part 10 files written directly (no dump2dcm process per file): `count` studies of one instance. */
export async function makeManyStudies(dir: string, count: number): Promise<string[]> {
  const { writeIdentifier } = await import('../../src/services/dimse/dataset/identifier.ts');
  const { part10 } = await import('../../src/domain/dicom/part10.ts');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const study = `1.2.826.0.1.3680043.2.77.${i + 1}`;
    const sop = `${study}.1.1`;
    const ds = writeIdentifier(
      [
        { tag: '00080016', vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
        { tag: '00080018', vr: 'UI', value: sop },
        { tag: '00080020', vr: 'DA', value: '20240101' },
        { tag: '00080060', vr: 'CS', value: 'OT' },
        { tag: '00100010', vr: 'PN', value: `Many^Patient${i}` },
        { tag: '00100020', vr: 'LO', value: `MANY${i}` },
        { tag: '0020000D', vr: 'UI', value: study },
        { tag: '0020000E', vr: 'UI', value: `${study}.1` },
      ],
      '1.2.840.10008.1.2.1',
    );
    const path = join(dir, `m${i}.dcm`);
    writeFileSync(path, part10({ sopClassUid: '1.2.840.10008.5.1.4.1.1.7', sopInstanceUid: sop, transferSyntaxUid: '1.2.840.10008.1.2.1', implementationClassUid: '1.2.3.4' }, ds));
    out.push(path);
  }
  return out;
}

/** Every file below `root`, as sorted '/'-separated paths relative to it. */
export function listFilesBelow(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else out.push(relative(root, abs).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}
