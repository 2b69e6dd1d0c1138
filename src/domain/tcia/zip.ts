/**
 * Unpacks a downloaded series ZIP, bounded: at most `maxEntries` entries, no entry and no total above
 * `maxBytes` uncompressed, every entry's CRC-32 and size checked, and entry names never used as paths (files
 * are numbered `000001.dcm` …), while a name that tries to leave the archive (absolute, `..`, a drive letter,
 * a backslash path) rejects the whole ZIP. A `LICENSE` (or `license.txt`) entry is kept as `LICENSE`; any
 * other file is a candidate DICOM object for the bounded reader. Corrupt or truncated ZIPs are reported as
 * a `ZipError`, never half-extracted into the caller's view (the caller discards the directory).
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';

export class ZipError extends Error {
  override name = 'ZipError';
}

export interface ZipLimits {
  readonly maxEntries: number;
  /** Largest uncompressed entry, and largest uncompressed total. */
  readonly maxBytes: number;
}

export interface Unzipped {
  /** Absolute paths of the extracted candidate files. */
  readonly files: readonly string[];
  /** Absolute path of the licence text, when the ZIP held one. */
  readonly license: string | null;
  readonly bytes: number;
}

const LICENSE_NAME = /^licen[cs]e(\.txt|\.md)?$/i;

/** Whether a ZIP entry name stays inside the directory it is unpacked into. */
export function isSafeEntryName(name: string): boolean {
  if (name === '' || name.length > 1024 || name.includes('\0')) return false;
  if (name.includes('\\') || name.startsWith('/') || /^[A-Za-z]:/.test(name)) return false;
  return !name.split('/').some((c) => c === '..');
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true, validateEntrySizes: true, decodeStrings: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) reject(new ZipError(`not a readable ZIP: ${err?.message ?? 'no archive'}`));
      else resolve(zip);
    });
  });
}

/** Extracts `zipPath` into `destDir` (created) within `limits`. */
export async function unzipSeries(zipPath: string, destDir: string, limits: ZipLimits): Promise<Unzipped> {
  const zip = await openZip(zipPath);
  mkdirSync(destDir, { recursive: true });
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new ZipError(`ZIP lists ${zip.entryCount} entries, more than the ${limits.maxEntries} allowed`);
  }
  const files: string[] = [];
  let license: string | null = null;
  let total = 0;
  let n = 0;
  return new Promise<Unzipped>((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      zip.close();
      reject(err instanceof ZipError ? err : new ZipError(`damaged ZIP: ${(err as Error).message}`));
    };
    zip.on('error', fail);
    zip.on('end', () => {
      if (settled) return;
      settled = true;
      resolve({ files, license, bytes: total });
    });
    zip.on('entry', (entry: yauzl.Entry) => {
      if (settled) return;
      const name = entry.fileName;
      if (!isSafeEntryName(name)) return fail(new ZipError(`ZIP entry name ${JSON.stringify(name.slice(0, 200))} leaves the archive`));
      if (name.endsWith('/')) return zip.readEntry(); // a directory
      if (entry.isEncrypted()) return fail(new ZipError(`ZIP entry ${JSON.stringify(name.slice(0, 200))} is encrypted`));
      if (entry.uncompressedSize > limits.maxBytes || total + entry.uncompressedSize > limits.maxBytes) {
        return fail(new ZipError(`ZIP contents exceed ${limits.maxBytes} bytes`));
      }
      const base = name.split('/').pop() ?? '';
      const isLicense = LICENSE_NAME.test(base);
      const dest = isLicense ? join(destDir, 'LICENSE') : join(destDir, `${String(++n).padStart(6, '0')}.dcm`);
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) return fail(err ?? new ZipError('cannot read a ZIP entry'));
        let crc = 0;
        let size = 0;
        const out = createWriteStream(dest);
        stream.on('data', (chunk: Buffer) => {
          crc = crc32(chunk, crc);
          size += chunk.length;
        });
        stream.on('error', (e) => {
          out.destroy();
          fail(e);
        });
        out.on('error', fail);
        out.on('finish', () => {
          if (settled) return;
          if (size !== entry.uncompressedSize || crc !== entry.crc32) return fail(new ZipError(`ZIP entry ${JSON.stringify(name.slice(0, 200))} fails its CRC/size check`));
          total += size;
          if (isLicense) license = dest;
          else files.push(dest);
          zip.readEntry();
        });
        stream.pipe(out);
      });
    });
    zip.readEntry();
  });
}
