/**
 * MR of the brain: axial T2 TSE, T1 SE, FLAIR and diffusion (b=1000 trace) series on one stack of slices
 * (one frame of reference), with the vendor's protocol and sequence names, timing parameters that match
 * each contrast, and the field strength of the scanner. 12 bits stored.
 */
import type { DicomDataset } from '../dicom/dataset.ts';
import { put } from '../dicom/dataset.ts';
import { yearsBetween } from '../dicom/dates.ts';
import type { StudyContext, StudyGenerator } from './context.ts';
import { scaled, scaledCount } from './context.ts';
import {
  addFrameOfReference, addImagePixel, addImagePlane, addInstanceModules, addSeriesModules, addStudyModules, addWindow,
  autoWindow, studyDescriptionFor,
} from './modules.ts';
import { Raster } from './raster.ts';
import type { MrContrast } from './phantoms/head.ts';
import { createHeadAnatomy, renderHeadSlice } from './phantoms/head.ts';

export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';

interface MrSeriesSpec {
  readonly contrast: MrContrast;
  readonly names: { readonly SIEMENS: string; readonly GE: string; readonly Philips: string };
  readonly tr: number;
  readonly te: number;
  readonly ti?: number;
  readonly etl: number;
  readonly flip: number;
  readonly scanning: readonly string[];
  readonly variant: readonly string[];
  readonly options: readonly string[];
  readonly minutes: number;
  readonly matrixFactor: number;
}

const SERIES: readonly MrSeriesSpec[] = [
  { contrast: 'T2', names: { SIEMENS: 't2_tse_tra', GE: 'Ax T2 FSE', Philips: 'T2W_TSE' }, tr: 5000, te: 96, etl: 15, flip: 150, scanning: ['SE'], variant: ['SK', 'SP', 'OSP'], options: ['PFP', 'SAT1'], minutes: 2.5, matrixFactor: 1 },
  { contrast: 'T1', names: { SIEMENS: 't1_se_tra', GE: 'Ax T1 SE', Philips: 'T1W_SE' }, tr: 550, te: 8.9, etl: 1, flip: 90, scanning: ['SE'], variant: ['SP', 'OSP'], options: ['SAT1'], minutes: 3, matrixFactor: 1 },
  { contrast: 'FLAIR', names: { SIEMENS: 't2_tirm_tra_dark-fluid', GE: 'Ax T2 FLAIR', Philips: 'T2W_FLAIR' }, tr: 9000, te: 81, ti: 2500, etl: 16, flip: 150, scanning: ['SE', 'IR'], variant: ['SK', 'SP', 'MP'], options: ['IR'], minutes: 3.5, matrixFactor: 1 },
  { contrast: 'DWI', names: { SIEMENS: 'ep2d_diff_3scan_trace_p2', GE: 'Ax DWI', Philips: 'DWI' }, tr: 4600, te: 89, etl: 1, flip: 90, scanning: ['EP'], variant: ['SK', 'SP'], options: ['PFP', 'FS'], minutes: 1.5, matrixFactor: 0.5 },
];

const HEAD_HEIGHT_MM = 125;

export const generateMrStudy: StudyGenerator = function* (ctx: StudyContext): Iterable<DicomDataset> {
  const rng = ctx.rng.fork('mr');
  const age = yearsBetween(ctx.patient.birthDate, ctx.studyDate);
  const anatomy = createHeadAnatomy(ctx.patientRng.fork('head'), { ageYears: age, female: ctx.patient.sex === 'F' });
  const description = studyDescriptionFor(ctx, 'HEAD');
  const model = ctx.scanner.model;
  const field = model.mrFieldStrength ?? 1.5;
  const vendor = model.manufacturer === 'SIEMENS' ? 'SIEMENS' : model.manufacturer.startsWith('GE') ? 'GE' : 'Philips';
  const seqNames = model.mrSequenceNames ?? { t1: 'SE', t2: 'TSE', flair: 'IR', dwi: 'EPI' };
  const forUid = ctx.uids.uid(...ctx.uidPath, 'frame-of-reference');
  const zBase = -rng.int(30, 70) + 0.5;
  const count = scaledCount(20, ctx.scale, 4);
  const tFirst = 0.16;
  const tLast = 0.92;
  const spacing = ((tLast - tFirst) * HEAD_HEIGHT_MM) / Math.max(count - 1, 1);
  const thickness = Math.min(5, Math.round(spacing * 0.85 * 2) / 2);
  const fov = 230;
  let clock = ctx.startSeconds + 240 + rng.int(0, 120);

  for (const [index, spec] of SERIES.entries()) {
    const n = scaled(Math.round(256 * spec.matrixFactor), ctx.scale, 64);
    const ps = fov / n;
    const seriesNumber = index + 2; // series 1 is the scanner's localizer, not archived
    const name = spec.names[vendor];
    const series = { uid: ctx.uids.uid(...ctx.uidPath, 'series', seriesNumber), number: seriesNumber, description: name, protocolName: name, startSeconds: clock, bodyPart: 'HEAD', patientPosition: 'HFS' };
    const seqName = { T1: seqNames.t1, T2: seqNames.t2, FLAIR: seqNames.flair, DWI: seqNames.dwi }[spec.contrast];
    const scale = 1000 * (field >= 3 ? 1.25 : 1);
    for (let k = 0; k < count; k++) {
      const t = tFirst + (k * spacing) / HEAD_HEIGHT_MM;
      const R = new Raster(n, n, ps);
      renderHeadSlice(anatomy, t, spec.contrast, R, rng.fork('slice', spec.contrast, k));
      const pixels = new Uint16Array(n * n);
      for (let i = 0; i < pixels.length; i++) {
        const v = Math.round((R.data[i] as number) * scale);
        pixels[i] = v < 0 ? 0 : v > 4095 ? 4095 : v;
      }
      const ds: DicomDataset = {};
      addStudyModules(ds, ctx, description);
      addSeriesModules(ds, ctx, series);
      const acquisition = clock + (spec.minutes * 60 * k) / count;
      addInstanceModules(ds, ctx, {
        sopClassUid: MR_IMAGE_STORAGE, sopInstanceUid: ctx.uids.uid(...ctx.uidPath, 'instance', seriesNumber, k + 1),
        instanceNumber: k + 1, acquisitionSeconds: acquisition, contentSeconds: clock + spec.minutes * 60 + 4, acquisitionNumber: 1,
        imageType: spec.contrast === 'DWI' ? ['ORIGINAL', 'PRIMARY', 'DIFFUSION', 'TRACEW', 'ND'] : ['ORIGINAL', 'PRIMARY', 'M', 'ND', 'NORM'],
      });
      addFrameOfReference(ds, forUid);
      const z = zBase + t * HEAD_HEIGHT_MM;
      addImagePlane(ds, { spacing: [ps, ps], orientation: [1, 0, 0, 0, 1, 0], position: [R.xOf(0), R.yOf(0), z], thickness, location: z });
      put(ds, 'ScanningSequence', spec.scanning);
      put(ds, 'SequenceVariant', spec.variant);
      put(ds, 'ScanOptions', spec.options);
      put(ds, 'MRAcquisitionType', '2D');
      put(ds, 'SequenceName', seqName);
      put(ds, 'AngioFlag', 'N');
      put(ds, 'RepetitionTime', spec.tr);
      put(ds, 'EchoTime', spec.te);
      if (spec.ti !== undefined) put(ds, 'InversionTime', spec.ti);
      put(ds, 'NumberOfAverages', spec.contrast === 'DWI' ? 2 : 1);
      put(ds, 'ImagingFrequency', Math.round(field * 42.577478 * 1e6) / 1e6);
      put(ds, 'ImagedNucleus', '1H');
      put(ds, 'EchoNumbers', 1);
      put(ds, 'MagneticFieldStrength', field);
      put(ds, 'SpacingBetweenSlices', Math.round(spacing * 1000) / 1000);
      put(ds, 'NumberOfPhaseEncodingSteps', Math.round(n * 0.78));
      put(ds, 'EchoTrainLength', spec.etl);
      put(ds, 'PercentSampling', 100);
      put(ds, 'PercentPhaseFieldOfView', 81.25);
      put(ds, 'PixelBandwidth', spec.contrast === 'DWI' ? 1502 : 220);
      put(ds, 'ReceiveCoilName', vendor === 'SIEMENS' ? 'HeadNeck_20' : 'Head 32');
      put(ds, 'TransmitCoilName', 'Body');
      put(ds, 'AcquisitionMatrix', [0, n, Math.round(n * 0.78), 0]);
      put(ds, 'InPlanePhaseEncodingDirection', 'ROW');
      put(ds, 'FlipAngle', spec.flip);
      put(ds, 'VariableFlipAngleFlag', 'N');
      put(ds, 'SAR', Math.round(rng.float(0.2, 1.8) * 1000) / 1000);
      put(ds, 'dBdt', 0);
      if (spec.contrast === 'DWI') put(ds, 'DiffusionBValue', 1000);
      const w = autoWindow(pixels);
      addWindow(ds, [w.center], [w.width], ['Algo1']);
      addImagePixel(ds, { rows: n, columns: n, bitsAllocated: 16, bitsStored: 12, photometric: 'MONOCHROME2', pixels });
      yield ds;
    }
    clock += spec.minutes * 60 + 30 + rng.int(0, 60);
  }
};
