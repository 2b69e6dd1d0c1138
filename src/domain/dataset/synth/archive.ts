/**
 * Generates the synthetic decoy archive on disk.
 *
 * Layout (what a PACS export or a vendor archive folder looks like):
 *   <outDir>/<PatientID>/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm
 * PatientID is the patient's CPR number (10 digits). Files are Part-10, Explicit VR Little Endian,
 * text in the installation's character set, file meta with the caller's implementation identity and the
 * scanner's AE title as SourceApplicationEntityTitle.
 *
 * Determinism: every byte derives from (installSecret, seed, options). The root rng is
 * createRng(installSecret, seed); patients, studies, slices and noise use labelled forks of it; UIDs come
 * from UidFactory(installSecret, "synth/<seed>"); the hospital from createSite(installSecret). The only
 * input from the clock is `referenceDate` (default: today, UTC) — pass it to get byte-identical reruns.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Secret } from '../rng.ts';
import { createRng } from '../rng.ts';
import { UidFactory } from '../uids.ts';
import type { Site } from '../site.ts';
import { createSite } from '../site.ts';
import type { Charset } from '../dicom/charset.ts';
import { DEFAULT_CHARSET } from '../dicom/charset.ts';
import type { Implementation } from '../dicom/part10Writer.ts';
import { DEFAULT_IMPLEMENTATION, writePart10 } from '../dicom/part10Writer.ts';
import { getString } from '../dicom/dataset.ts';
import { isValidDA, todayDA } from '../dicom/dates.ts';
import type { SynthModality } from '../equipment.ts';
import type { StudyContext } from './context.ts';
import { STUDY_GENERATORS, UnsupportedModalityError, isSynthModality } from './generators.ts';
import { planArchive } from './plan.ts';

export interface GenerateArchiveOptions {
  readonly outDir: string;
  readonly installSecret: Secret;
  readonly seed: string;
  /** Modalities to generate, round-robin over the studies (e.g. ["CT", "MR", "DX", "US"]). */
  readonly modalities: readonly string[];
  readonly patients: number;
  /** A count, or an inclusive [min, max] range drawn per patient. */
  readonly studiesPerPatient: number | readonly [number, number];
  /** 1 = clinical matrix sizes and slice counts; 0.25 gives 128×128 CT for tests. Default 1. */
  readonly scale?: number;
  readonly charset?: Charset;
  readonly implementation?: Implementation;
  /** Studies fall in the four years before this date (DA). Default: today (UTC). */
  readonly referenceDate?: string;
  /** The hospital; default createSite(installSecret). */
  readonly site?: Site;
  /** What to do with modalities that have no generator: throw (default) or skip them. */
  readonly onUnsupported?: 'throw' | 'skip';
  readonly onProgress?: (progress: ArchiveProgress) => void;
}

export interface ArchiveProgress {
  readonly studiesDone: number;
  readonly studiesTotal: number;
  readonly instancesWritten: number;
  readonly bytesWritten: number;
  /** The file just written (relative to outDir). */
  readonly file: string;
}

export interface ArchiveFile {
  /** Path relative to outDir, with "/" separators. */
  readonly path: string;
  readonly patientId: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  readonly modality: string;
  readonly bytes: number;
}

export interface ArchiveSummary {
  readonly patients: number;
  readonly studies: number;
  readonly series: number;
  readonly instances: number;
  readonly bytes: number;
  readonly skippedModalities: readonly string[];
  readonly files: readonly ArchiveFile[];
}

export async function generateArchive(options: GenerateArchiveOptions): Promise<ArchiveSummary> {
  const requested = [...new Set(options.modalities.map((m) => m.trim().toUpperCase()).filter((m) => m !== ''))];
  const unsupported = requested.filter((m) => !isSynthModality(m));
  if (unsupported.length > 0 && (options.onUnsupported ?? 'throw') === 'throw') throw new UnsupportedModalityError(unsupported);
  const modalities = requested.filter(isSynthModality) as SynthModality[];
  if (modalities.length === 0) throw new UnsupportedModalityError(requested.length > 0 ? requested : ['(none)']);
  if (!Number.isInteger(options.patients) || options.patients < 0) throw new RangeError('patients must be a non-negative integer');
  const scale = options.scale ?? 1;
  if (!(scale > 0 && scale <= 1)) throw new RangeError('scale must be in (0, 1]');
  const referenceDate = options.referenceDate ?? todayDA();
  if (!isValidDA(referenceDate)) throw new RangeError(`referenceDate ${referenceDate} is not a DICOM date`);
  const charset = options.charset ?? DEFAULT_CHARSET;
  const implementation = options.implementation ?? DEFAULT_IMPLEMENTATION;

  const site = options.site ?? createSite(options.installSecret);
  const root = createRng(options.installSecret, options.seed);
  const uids = new UidFactory(options.installSecret, `synth/${options.seed}`);
  const plan = planArchive(root.fork('plan'), site, {
    patients: options.patients,
    studiesPerPatient: options.studiesPerPatient,
    modalities,
    referenceDate,
  });

  const files: ArchiveFile[] = [];
  const seriesSeen = new Set<string>();
  const studiesTotal = plan.reduce((n, p) => n + p.studies.length, 0);
  let studiesDone = 0;
  let bytes = 0;
  for (const patient of plan) {
    for (const study of patient.studies) {
      const uidPath = ['patient', patient.index, 'study', study.studyIndex] as const;
      const ctx: StudyContext = {
        rng: root.fork('patient', patient.index, 'study', study.studyIndex),
        patientRng: root.fork('patient', patient.index, 'body'),
        uids,
        uidPath,
        site,
        hospital: study.hospital,
        scanner: study.scanner,
        patient: patient.identity,
        modality: study.modality,
        studyDate: study.studyDate,
        startSeconds: study.startSeconds,
        studyUid: uids.uid(...uidPath),
        accession: study.accession,
        studyId: study.studyId,
        referring: study.referring,
        reader: study.reader,
        operator: study.operator,
        scale,
      };
      for (const ds of STUDY_GENERATORS[study.modality](ctx)) {
        const seriesUid = getString(ds, 'SeriesInstanceUID');
        const sopUid = getString(ds, 'SOPInstanceUID');
        const bytesOut = writePart10(ds, { charset, implementation, sourceAeTitle: study.scanner.aeTitle });
        const dir = join(options.outDir, patient.identity.patientId, ctx.studyUid, seriesUid);
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, `${sopUid}.dcm`), bytesOut);
        const rel = [patient.identity.patientId, ctx.studyUid, seriesUid, `${sopUid}.dcm`].join('/');
        files.push({
          path: rel,
          patientId: patient.identity.patientId,
          studyInstanceUid: ctx.studyUid,
          seriesInstanceUid: seriesUid,
          sopInstanceUid: sopUid,
          sopClassUid: getString(ds, 'SOPClassUID'),
          modality: study.modality,
          bytes: bytesOut.length,
        });
        seriesSeen.add(seriesUid);
        bytes += bytesOut.length;
        options.onProgress?.({ studiesDone, studiesTotal, instancesWritten: files.length, bytesWritten: bytes, file: rel });
      }
      studiesDone++;
    }
  }
  return {
    patients: plan.length,
    studies: studiesTotal,
    series: seriesSeen.size,
    instances: files.length,
    bytes,
    skippedModalities: unsupported,
    files,
  };
}
