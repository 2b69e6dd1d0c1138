import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildMinimalPdf } from '../../../src/domain/dataset/honeytokens/minimalPdf.ts';
import { buildCanaryPdfDataset, defaultCanaryPdf, ENCAPSULATED_PDF_STORAGE } from '../../../src/domain/dataset/honeytokens/canaryPdf.ts';
import type { CanaryPdfOptions } from '../../../src/domain/dataset/honeytokens/canaryPdf.ts';
import { writePart10 } from '../../../src/domain/dataset/dicom/part10Writer.ts';
import { createRng } from '../../../src/domain/dataset/rng.ts';
import { createPatient } from '../../../src/domain/dataset/identity.ts';
import { hospitalByCode } from '../../../src/domain/dataset/hospitals.ts';
import { UidFactory } from '../../../src/domain/dataset/uids.ts';
import { dcmdump, problems, run, tempDir } from './dcmtk.ts';

const tmp = tempDir('canary');
after(() => tmp.remove());

/** Checks the cross-reference table: every offset points at "n 0 obj" and startxref at "xref". */
function assertWellFormedPdf(pdf: Buffer): void {
  const text = pdf.toString('latin1');
  assert.ok(text.startsWith('%PDF-1.4\n'));
  assert.match(text, /%%EOF\n+$/);
  assert.equal(pdf.length % 2, 0, 'even length survives DICOM padding');
  const startxref = Number(/startxref\n(\d+)\n/.exec(text)?.[1]);
  assert.equal(text.slice(startxref, startxref + 4), 'xref');
  const table = /xref\n0 (\d+)\n([\s\S]*?)trailer/.exec(text.slice(startxref));
  assert.ok(table);
  const entries = table[2]!.trim().split('\n').slice(1);
  assert.equal(entries.length, Number(table[1]) - 1);
  entries.forEach((entry, i) => {
    const offset = Number(entry.slice(0, 10));
    assert.equal(text.slice(offset, offset + `${i + 1} 0 obj`.length), `${i + 1} 0 obj`);
  });
  const length = Number(/\/Length (\d+) >>\nstream\n/.exec(text)?.[1]);
  const start = text.indexOf('stream\n') + 'stream\n'.length;
  assert.equal(text.slice(start + length, start + length + '\nendstream'.length), '\nendstream');
}

function options(canaryUrl?: string): CanaryPdfOptions {
  const patient = createPatient(createRng('canary', 'p'), { region: 'H', birthDate: '19560214', sex: 'F' });
  const uids = new UidFactory('canary', 'test');
  return {
    patient,
    hospital: hospitalByCode('RH')!,
    studyInstanceUid: uids.uid('study'),
    seriesInstanceUid: uids.uid('series'),
    sopInstanceUid: uids.uid('instance'),
    studyDate: '20240312',
    studySeconds: 9.5 * 3600,
    accession: 'RH24012345',
    studyId: '48213',
    referring: 'Søndergaard^Jørgen',
    studyDescription: 'CT af thorax',
    ...(canaryUrl ? { canaryUrl } : {}),
  };
}

describe('canary PDF', () => {
  it('writes a well-formed PDF with Danish text and the canary link', () => {
    const pdf = defaultCanaryPdf(options('https://portal.example.dk/r/abc123'));
    assertWellFormedPdf(pdf);
    const text = pdf.toString('latin1');
    assert.ok(pdf.includes(Buffer.from('Undersøgelse', 'latin1')));
    assert.match(text, /\/S \/URI \/URI \(https:\/\/portal\.example\.dk\/r\/abc123\)/);
    assert.match(text, /\/OpenAction 8 0 R/);
    assert.match(text, /\/Subtype \/Link/);
    assertWellFormedPdf(buildMinimalPdf({ title: 'x (a) \\ b', lines: ['odd'], creationDate: 'D:20240101000000Z' }));
  });

  it('wraps it as Encapsulated PDF Storage that dcm2pdf turns back into the same bytes', () => {
    for (const [name, template] of [
      ['default', undefined],
      ['template', buildMinimalPdf({ title: 'Epikrise', lines: ['Røntgen af thorax: normale forhold.'], creationDate: 'D:20240312093000+01\'00\'' })],
    ] as const) {
      const o = { ...options('https://portal.example.dk/r/xyz'), ...(template ? { pdf: template } : {}) };
      const pdf = template ?? defaultCanaryPdf(o);
      const ds = buildCanaryPdfDataset(o);
      const file = join(tmp.path, `${name}.dcm`);
      writeFileSync(file, writePart10(ds, { charset: 'ISO_IR 100' }));
      const strict = dcmdump(file, '-dc');
      assert.equal(strict.status, 0, strict.stderr);
      assert.deepEqual(problems(strict), []);
      const dump = dcmdump(file);
      assert.match(dump.stdout, new RegExp(`\\(0008,0016\\) UI =EncapsulatedPDFStorage|${ENCAPSULATED_PDF_STORAGE.replace(/\./g, '\\.')}`));
      assert.match(dump.stdout, /\(0042,0012\) LO \[application\/pdf\]/);
      const out = join(tmp.path, `${name}.pdf`);
      const r = run('dcm2pdf', [file, out]);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(readFileSync(out).equals(pdf), 'dcm2pdf returns the template byte for byte');
    }
  });
});
