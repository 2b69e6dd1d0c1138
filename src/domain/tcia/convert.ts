/**
 * Turns one downloaded TCIA series into archive files of this installation:
 *
 *  1. every file is validated by the bounded reader first (Part-10, every element length checked, not big
 *     endian, and of the series it was downloaded for) — only then does dcmjs parse it;
 *  2. the dataset pipeline re-identifies it (Danish identity per source patient, tells removed, UIDs remapped,
 *     dates shifted: domain/dataset/reidentify.ts);
 *  3. the first object of a share of the series carries a honey URL (RetrieveURL and ImageComments);
 *  4. it is written in the installation's character set with the persona's implementation identity, at
 *     `<PatientID>/<StudyUID>/<SeriesUID>/<SOPUID>.dcm` under the set directory;
 *  5. the written bytes (everything before the pixel data) are searched for what would betray the source —
 *     the original patient name and ID, the collection name, "TCIA", "Cancer Imaging Archive", the original
 *     study/series/instance UIDs — and a file that still holds one is dropped;
 *  6. the series' licence is saved as `LICENSE` beside its files (never indexed, never served).
 */
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { archivePath } from '../archive/index.ts';
import { readDicomBuffer, TS_EXPLICIT_BE } from '../archive/reader.ts';
import type { Charset } from '../dataset/dicom/charset.ts';
import { getString, putTag } from '../dataset/dicom/dataset.ts';
import { readPart10 } from '../dataset/dicom/part10Reader.ts';
import { writePart10, type Implementation } from '../dataset/dicom/part10Writer.ts';
import { reidentifyDataset, type ReidentifyContext } from '../dataset/reidentify.ts';
import { deriveKey, type Secret } from '../dataset/rng.ts';
import type { HoneytokenRecord } from '../honeytokens/registry.ts';
import { honeyToken, honeyUrl } from '../honeytokens/tokens.ts';
import type { NbiaSeries } from './nbiaClient.ts';

export interface ConvertContext {
  readonly installSecret: Secret;
  readonly reidentify: ReidentifyContext;
  readonly charset: Charset;
  readonly implementation: Implementation;
  /** Name of the set being built (tokens are keyed by it). */
  readonly setName: string;
  readonly honeyUrlBase: string;
  /** Share of series whose first object carries a honey URL (HONEYTOKEN_SHARE). */
  readonly honeytokenShare: number;
}

export interface WrittenFile {
  /** Relative to the set directory. */
  readonly rel: string;
  readonly bytes: number;
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly sopUid: string;
  readonly patientId: string;
}

export interface SeriesConversion {
  readonly files: readonly WrittenFile[];
  readonly rejected: readonly { readonly file: string; readonly reason: string }[];
  /** Relative to the set directory. */
  readonly license: string | null;
  readonly tokens: readonly HoneytokenRecord[];
}

/** Strings that name the public source in general. */
export const SOURCE_TELLS = ['TCIA', 'Cancer Imaging Archive', 'cancerimagingarchive'];

const URL_COMMENT = 'Svar og tidligere undersøgelser: ';
const PIXEL_DATA_EXPLICIT = [Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42]), Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57])];

/** Whether the series gets a honey URL: a keyed draw, `share` of them. */
export function seriesCarriesToken(secret: Secret, setName: string, seriesUid: string, share: number): boolean {
  if (!(share > 0)) return false;
  const v = deriveKey(secret, 'dicomhawk/tcia-honeytoken/v1', setName, seriesUid).readUInt32BE(0) / 0x1_0000_0000;
  return v < share;
}

/** The written bytes a reader would see as text: everything before the top-level pixel data. */
function textPart(file: Buffer): string {
  let end = file.length;
  for (const marker of PIXEL_DATA_EXPLICIT) {
    const at = file.indexOf(marker, 132);
    if (at >= 0) end = Math.min(end, at);
  }
  return file.subarray(0, end).toString('latin1').toLowerCase();
}

/** The first tell of `tells` found in `file` (case-insensitive), or null. */
export function findSourceTell(file: Buffer, tells: readonly string[]): string | null {
  const text = textPart(file);
  for (const t of tells) if (t.length >= 3 && text.includes(t.toLowerCase())) return t;
  return null;
}

/** First pass (before any file of the rotation is converted): lets each patient's dates land before the reference date. */
export function noteSeriesFiles(files: readonly string[], ctx: ConvertContext): void {
  for (const f of files) {
    const r = readDicomBuffer(readFileSync(f));
    if (!r.ok) continue;
    const v = r.header.values;
    const key = (v.get('00100020') ?? '').trim() || (v.get('00100010') ?? '').trim() || `study:${v.get('0020000D') ?? ''}`;
    const date = (v.get('00080020') ?? '').trim();
    if (date !== '') ctx.reidentify.patients.noteStudy(key, date);
    return; // one file per series is enough: a series has one study date
  }
}

/** Converts a series file by file, yielding to the event loop between files (the listeners keep answering). */
export async function convertSeries(files: readonly string[], license: string | null, series: NbiaSeries, setDir: string, ctx: ConvertContext): Promise<SeriesConversion> {
  const written: WrittenFile[] = [];
  const rejected: { file: string; reason: string }[] = [];
  const tokens: HoneytokenRecord[] = [];
  const wantToken = seriesCarriesToken(ctx.installSecret, ctx.setName, series.seriesInstanceUid, ctx.honeytokenShare);
  const generalTells = [...SOURCE_TELLS, series.collection, series.patientId, series.studyInstanceUid, series.seriesInstanceUid].filter((t) => t.trim().length >= 3);
  let seriesDir: string | null = null;
  for (const file of files) {
    await new Promise((r) => setImmediate(r));
    const name = file.split(/[\\/]/).pop() ?? file;
    const reject = (reason: string): void => {
      rejected.push({ file: name, reason });
    };
    const buf = readFileSync(file);
    const checked = readDicomBuffer(buf);
    if (!checked.ok) {
      reject(checked.reason);
      continue;
    }
    const h = checked.header;
    if (!h.part10) {
      reject('not a Part-10 file');
      continue;
    }
    if (h.transferSyntax === TS_EXPLICIT_BE) {
      reject('Explicit VR Big Endian is not served');
      continue;
    }
    const v = h.values;
    if ((v.get('0020000E') ?? '') !== series.seriesInstanceUid) {
      reject(`belongs to series ${JSON.stringify(v.get('0020000E') ?? '')}, not the one downloaded`);
      continue;
    }
    const sourceSop = v.get('00080018') || h.mediaStorageSopInstanceUid;
    const tells = [...generalTells, v.get('00100010') ?? '', v.get('00100020') ?? '', v.get('0020000D') ?? '', sourceSop].filter((t) => t.trim().length >= 3);
    let out: Buffer;
    let ids: { study: string; series: string; sop: string; patient: string };
    try {
      const parsed = readPart10(buf);
      const ds = reidentifyDataset(parsed.dataset, ctx.reidentify);
      ids = { study: getString(ds, 'StudyInstanceUID'), series: getString(ds, 'SeriesInstanceUID'), sop: getString(ds, 'SOPInstanceUID'), patient: getString(ds, 'PatientID') };
      let token: HoneytokenRecord | null = null;
      if (wantToken && tokens.length === 0) {
        const t = honeyToken(ctx.installSecret, `tcia/${ctx.setName}`, 'url', ids.sop);
        const url = honeyUrl(ctx.honeyUrlBase, t);
        putTag(ds, '00081190', 'UR', url);
        putTag(ds, '00204000', 'LT', `${URL_COMMENT}${url}`);
        token = { token: t, kind: 'url', sopInstanceUid: ids.sop, studyInstanceUid: ids.study, path: null, url };
      }
      out = writePart10(ds, { charset: ctx.charset, implementation: ctx.implementation, transferSyntaxUid: parsed.transferSyntaxUid, validate: false });
      const tell = findSourceTell(out, tells);
      if (tell !== null) {
        reject(`a tell of the source survived re-identification (${tell.length > 20 ? 'an identifier' : JSON.stringify(tell)})`);
        continue;
      }
      if (ids.study === '' || ids.series === '' || ids.sop === '') {
        reject('missing a UID after re-identification');
        continue;
      }
      const rel = archivePath(ids.patient, ids.study, ids.series, ids.sop);
      if (token !== null) tokens.push({ ...token, path: rel });
      const dest = join(setDir, ...rel.split('/'));
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, out);
      seriesDir ??= dirname(dest);
      written.push({ rel, bytes: out.length, studyUid: ids.study, seriesUid: ids.series, sopUid: ids.sop, patientId: ids.patient });
    } catch (err) {
      reject(`cannot be re-identified: ${(err as Error).message.slice(0, 200)}`);
      continue;
    }
  }
  let licenseRel: string | null = null;
  if (seriesDir !== null) {
    const dest = join(seriesDir, 'LICENSE');
    // The licence as downloaded, unless it is something the archive would index (then our own note).
    if (license !== null && !readDicomBuffer(readFileSync(license)).ok) copyFileSync(license, dest);
    else writeFileSync(dest, licenseText(series));
    licenseRel = dest.slice(setDir.length + 1).split(/[\\/]/).join('/');
  }
  return { files: written, rejected, license: licenseRel, tokens };
}

/** The licence note written when the download carried none (from the series' listing). */
export function licenseText(series: NbiaSeries): string {
  return [
    `Source: The Cancer Imaging Archive (TCIA), collection ${series.collection || '(unknown)'}`,
    `Original SeriesInstanceUID: ${series.seriesInstanceUid}`,
    `License: ${series.licenseName || 'see the collection page'}`,
    ...(series.licenseUri ? [`License URI: ${series.licenseUri}`] : []),
    '',
  ].join('\n');
}
