/**
 * Plants honeytokens in a freshly generated synthetic archive (see generateArchive):
 *
 * - **Canary PDF**: a report object (Encapsulated PDF Storage, its own series) in each selected study. The
 *   PDF is the operator's template (e.g. a canarytokens.org PDF) embedded as-is, or by default a Danish
 *   referral letter whose link and open action point at `<honeyUrlBase>/<token>`.
 * - **Honey URL**: `<honeyUrlBase>/<token>` in RetrieveURL (0008,1190) and in ImageComments (0020,4000) of
 *   the first image of every series of each selected study, one token per object.
 *
 * Which studies carry tokens (`share` of them, at least one when share > 0) and every token and UID are pure
 * functions of (install secret, seed), so a re-seed reproduces the archive byte for byte.
 *
 * The canary needs the study's planned identity (patient, hospital, accession …): the plan is recomputed
 * exactly as generateArchive draws it, and checked against the generated files' study UIDs.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Secret } from '../dataset/rng.ts';
import { createRng, deriveKey } from '../dataset/rng.ts';
import { createSite } from '../dataset/site.ts';
import type { Site } from '../dataset/site.ts';
import { UidFactory } from '../dataset/uids.ts';
import type { Charset } from '../dataset/dicom/charset.ts';
import type { Implementation } from '../dataset/dicom/part10Writer.ts';
import { writePart10 } from '../dataset/dicom/part10Writer.ts';
import { readPart10 } from '../dataset/dicom/part10Reader.ts';
import { getString, put } from '../dataset/dicom/dataset.ts';
import type { DicomDataset } from '../dataset/dicom/dataset.ts';
import type { ArchiveFile, ArchiveSummary } from '../dataset/synth/archive.ts';
import { isSynthModality } from '../dataset/synth/generators.ts';
import type { PlannedPatient, PlannedStudy } from '../dataset/synth/plan.ts';
import { planArchive } from '../dataset/synth/plan.ts';
import type { SynthModality } from '../dataset/equipment.ts';
import { buildCanaryPdfDataset } from '../dataset/honeytokens/canaryPdf.ts';
import { setTopLevelElements } from './dicomEdit.ts';
import type { HoneytokenRecord } from './registry.ts';
import { honeyToken, honeyUrl } from './tokens.ts';

/** What generateArchive was called with (the parts the plan depends on). */
export interface GeneratedArchiveInput {
  readonly installSecret: Secret;
  readonly seed: string;
  readonly modalities: readonly string[];
  readonly patients: number;
  readonly studiesPerPatient: number | readonly [number, number];
  readonly referenceDate: string;
  readonly site?: Site;
}

export interface PlantOptions {
  readonly archiveDir: string;
  readonly generated: GeneratedArchiveInput;
  readonly summary: ArchiveSummary;
  /** Share of studies that carry honeytokens (0 to 1). */
  readonly share: number;
  /** HONEY_URL: tokens are appended as `/<token>`. */
  readonly honeyUrlBase: string;
  /** The operator's canary PDF, embedded as-is; default: a generated referral letter linking to the token URL. */
  readonly canaryPdf?: Buffer;
  readonly charset: Charset;
  readonly implementation: Implementation;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface PlantReport {
  readonly tokens: readonly HoneytokenRecord[];
  /** Canary objects written (archive-relative paths). */
  readonly canaryFiles: readonly string[];
  /** Image objects that got a honey URL (archive-relative paths). */
  readonly urlFiles: readonly string[];
  readonly studies: number;
}

/** The archive plan generateArchive drew for these inputs (same labels, same normalisation). */
export function replanArchive(g: GeneratedArchiveInput): PlannedPatient[] {
  const requested = [...new Set(g.modalities.map((m) => m.trim().toUpperCase()).filter((m) => m !== ''))];
  const modalities = requested.filter(isSynthModality) as SynthModality[];
  const site = g.site ?? createSite(g.installSecret);
  return planArchive(createRng(g.installSecret, g.seed).fork('plan'), site, {
    patients: g.patients,
    studiesPerPatient: g.studiesPerPatient,
    modalities,
    referenceDate: g.referenceDate,
  });
}

/** The studies that carry honeytokens: `share` of them (rounded, at least one when share > 0), chosen by keyed hash. */
export function selectStudies(installSecret: Secret, seed: string, studyUids: readonly string[], share: number): string[] {
  if (!(share > 0) || studyUids.length === 0) return [];
  const k = Math.min(studyUids.length, Math.max(1, Math.round(share * studyUids.length)));
  const keyed = studyUids.map((uid) => ({ uid, key: deriveKey(installSecret, 'dicomhawk/honeytoken-select/v1', seed, uid).toString('hex') }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.slice(0, k).map((s) => s.uid);
}

const URL_COMMENT = 'Svar og tidligere undersøgelser: ';

export async function plantHoneytokens(o: PlantOptions): Promise<PlantReport> {
  const g = o.generated;
  const byStudy = new Map<string, ArchiveFile[]>();
  for (const f of o.summary.files) {
    const list = byStudy.get(f.studyInstanceUid) ?? [];
    list.push(f);
    byStudy.set(f.studyInstanceUid, list);
  }
  const selected = selectStudies(g.installSecret, g.seed, [...byStudy.keys()], o.share);
  if (selected.length === 0) return { tokens: [], canaryFiles: [], urlFiles: [], studies: 0 };

  // The planned study behind each study UID (generateArchive: uids.uid('patient', p, 'study', s)).
  const synthUids = new UidFactory(g.installSecret, `synth/${g.seed}`);
  const planned = new Map<string, { patient: PlannedPatient; study: PlannedStudy }>();
  for (const patient of replanArchive(g)) {
    for (const study of patient.studies) planned.set(synthUids.uid('patient', patient.index, 'study', study.studyIndex), { patient, study });
  }
  const canaryUids = new UidFactory(g.installSecret, `honeytokens/${g.seed}`);
  const tokens: HoneytokenRecord[] = [];
  const canaryFiles: string[] = [];
  const urlFiles: string[] = [];
  let done = 0;
  for (const studyUid of selected) {
    const files = byStudy.get(studyUid) ?? [];
    const p = planned.get(studyUid);
    const first = files[0];
    if (!p || !first) throw new Error(`honeytokens: study ${studyUid} is not in the archive plan (generator and planner disagree)`);
    const firstDs = readPart10(await readFile(join(o.archiveDir, first.path))).dataset;
    if (getString(firstDs, 'PatientID') !== p.patient.identity.patientId || getString(firstDs, 'AccessionNumber') !== p.study.accession) {
      throw new Error(`honeytokens: study ${studyUid} does not match its plan (generator and planner disagree)`);
    }

    // Canary PDF report.
    const seriesUid = canaryUids.uid('canary', studyUid, 'series');
    const sopUid = canaryUids.uid('canary', studyUid, 'instance');
    const pdfToken = honeyToken(g.installSecret, g.seed, 'pdf', sopUid);
    const pdfUrl = o.canaryPdf ? null : honeyUrl(o.honeyUrlBase, pdfToken);
    const ds: DicomDataset = buildCanaryPdfDataset({
      patient: p.patient.identity,
      hospital: p.study.hospital.hospital,
      studyInstanceUid: studyUid,
      seriesInstanceUid: seriesUid,
      sopInstanceUid: sopUid,
      studyDate: p.study.studyDate,
      studySeconds: p.study.startSeconds,
      accession: p.study.accession,
      studyId: p.study.studyId,
      referring: p.study.referring,
      studyDescription: getString(firstDs, 'StudyDescription'),
      ...(o.canaryPdf ? { pdf: o.canaryPdf } : { canaryUrl: pdfUrl as string }),
    });
    // The document's real length (an odd-length template is padded to even in the element; dcm2pdf
    // and viewers cut the padding off by EncapsulatedDocumentLength).
    if (o.canaryPdf) put(ds, 'EncapsulatedDocumentLength', o.canaryPdf.length);
    const rel = [first.patientId, studyUid, seriesUid, `${sopUid}.dcm`].join('/');
    await mkdir(join(o.archiveDir, first.patientId, studyUid, seriesUid), { recursive: true });
    await writeFile(join(o.archiveDir, rel), writePart10(ds, { charset: o.charset, implementation: o.implementation }));
    canaryFiles.push(rel);
    tokens.push({ token: pdfToken, kind: 'pdf', sopInstanceUid: sopUid, studyInstanceUid: studyUid, path: rel, url: pdfUrl });

    // Honey URLs in the first image of every series.
    const seen = new Set<string>();
    for (const f of files) {
      if (seen.has(f.seriesInstanceUid)) continue;
      seen.add(f.seriesInstanceUid);
      const token = honeyToken(g.installSecret, g.seed, 'url', f.sopInstanceUid);
      const url = honeyUrl(o.honeyUrlBase, token);
      const abs = join(o.archiveDir, f.path);
      const edited = setTopLevelElements(
        await readFile(abs),
        { '00081190': { vr: 'UR', Value: [url] }, '00204000': { vr: 'LT', Value: [`${URL_COMMENT}${url}`] } },
        o.charset,
      );
      await writeFile(abs, edited);
      urlFiles.push(f.path);
      tokens.push({ token, kind: 'url', sopInstanceUid: f.sopInstanceUid, studyInstanceUid: studyUid, path: f.path, url });
    }
    o.onProgress?.(++done, selected.length);
  }
  return { tokens, canaryFiles, urlFiles, studies: selected.length };
}
