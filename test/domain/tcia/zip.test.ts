import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';
import { isSafeEntryName, unzipSeries, ZipError } from '../../../src/domain/tcia/zip.ts';

function zip(entries: [string, Buffer][]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, data] of entries) z.addBuffer(data, name);
  z.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

describe('bounded series ZIP extraction', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dh-zip-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('numbers the files, keeps LICENSE apart, and never uses entry names as paths', async () => {
    const path = join(dir, 'ok.zip');
    writeFileSync(path, await zip([['Coll/Subj/1-1.dcm', Buffer.from('one')], ['Coll/Subj/1-2.dcm', Buffer.from('two')], ['LICENSE', Buffer.from('CC BY 4.0')]]));
    const out = join(dir, 'ok');
    const u = await unzipSeries(path, out, { maxEntries: 10, maxBytes: 1000 });
    assert.deepEqual(readdirSync(out).sort(), ['000001.dcm', '000002.dcm', 'LICENSE']);
    assert.equal(readFileSync(u.license ?? '', 'utf8'), 'CC BY 4.0');
    assert.deepEqual(u.files.map((f) => readFileSync(f, 'utf8')), ['one', 'two']);
  });

  it('rejects an entry name that leaves the directory (patched into a real ZIP)', async () => {
    const good = await zip([['aa/b.dcm', Buffer.from('x')]]);
    const evil = Buffer.from(good.toString('latin1').split('aa/b.dcm').join('../b.dcm'), 'latin1');
    const path = join(dir, 'evil.zip');
    writeFileSync(path, evil);
    await assert.rejects(unzipSeries(path, join(dir, 'evil'), { maxEntries: 10, maxBytes: 1000 }), ZipError);
    assert.equal(existsSync(join(dir, 'b.dcm')), false);
    for (const name of ['../x', '/etc/passwd', 'a/../../x', 'C:/x', 'a\\..\\x', '']) assert.equal(isSafeEntryName(name), false, name);
    assert.equal(isSafeEntryName('Coll/Subj/1-1.dcm'), true);
  });

  it('enforces the entry count and the uncompressed size', async () => {
    const path = join(dir, 'many.zip');
    writeFileSync(path, await zip(Array.from({ length: 5 }, (_, i) => [`f${i}.dcm`, Buffer.alloc(400, 1)] as [string, Buffer])));
    await assert.rejects(unzipSeries(path, join(dir, 'many'), { maxEntries: 4, maxBytes: 10_000 }), /entries/);
    await assert.rejects(unzipSeries(path, join(dir, 'big'), { maxEntries: 10, maxBytes: 1000 }), /exceed/);
  });

  it('rejects a file that is not a ZIP, and one whose data fails its CRC', async () => {
    const junk = join(dir, 'junk.zip');
    writeFileSync(junk, Buffer.from('not a zip at all, just text'));
    await assert.rejects(unzipSeries(junk, join(dir, 'junk'), { maxEntries: 10, maxBytes: 1000 }), ZipError);
    const z = new yazl.ZipFile();
    z.addBuffer(Buffer.from('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 'a.dcm', { compress: false });
    z.end();
    const chunks: Buffer[] = [];
    await new Promise<void>((r) => {
      z.outputStream.on('data', (c: Buffer) => chunks.push(c));
      z.outputStream.on('end', () => r());
    });
    const bytes = Buffer.concat(chunks);
    const at = bytes.indexOf('AAAA');
    bytes[at + 3] = 0x42; // one stored byte changed: only the CRC can tell
    const bad = join(dir, 'crc.zip');
    writeFileSync(bad, bytes);
    await assert.rejects(unzipSeries(bad, join(dir, 'crc'), { maxEntries: 10, maxBytes: 1000 }), /CRC/);
  });
});
