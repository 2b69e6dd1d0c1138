/**
 * Chest radiography: a PA view and usually a left lateral, one series per view, as Digital X-Ray
 * (DX, For Presentation) or Computed Radiography (CR, MONOCHROME1 as CR readers send it). The image is
 * rendered at ≤ 0.42 mm internally and resampled to the detector's pixel size, which keeps generation fast
 * at clinical sizes.
 */
import type { DicomDataset } from '../dicom/dataset.ts';
import { put } from '../dicom/dataset.ts';
import type { StudyContext, StudyGenerator } from './context.ts';
import { scaled } from './context.ts';
import {
  addImagePixel, addInstanceModules, addSeriesModules, addStudyModules, addWindow, anatomicRegion, studyDescriptionFor,
} from './modules.ts';
import { Raster } from './raster.ts';
import { createChestAnatomy } from './phantoms/chest.ts';
import type { RadiographView } from './phantoms/radiograph.ts';
import { renderChestRadiograph } from './phantoms/radiograph.ts';

export const DX_FOR_PRESENTATION = '1.2.840.10008.5.1.4.1.1.1.1';
export const CR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.1';

const FIELD_MM = 430;

export const generateRadiographyStudy: StudyGenerator = function* (ctx: StudyContext): Iterable<DicomDataset> {
  const rng = ctx.rng.fork('radiography');
  const cr = ctx.modality === 'CR';
  const anatomy = createChestAnatomy(ctx.patientRng.fork('chest'), {
    female: ctx.patient.sex === 'F',
    weightKg: ctx.patient.weightKg,
    heightM: ctx.patient.heightM,
    contrast: false,
  });
  const views: RadiographView[] = rng.chance(0.75) ? ['PA', 'LL'] : ['PA'];
  const description = views.length === 2 ? 'Rtg. af thorax, 2 planer' : studyDescriptionFor(ctx, 'CHEST');
  const columns = scaled(cr ? 2370 : 2880, ctx.scale, 256);
  const detector = FIELD_MM / columns;
  let clock = ctx.startSeconds + 120 + rng.int(0, 180);
  for (const [index, view] of views.entries()) {
    const internal = Math.max(detector, 0.42);
    const m = Math.round(FIELD_MM / internal);
    const R = new Raster(m, m, FIELD_MM / m);
    renderChestRadiograph(anatomy, view, R, rng.fork('view', view));
    const out = resample(R.data, m, columns);
    const noise = rng.fork('detector', view);
    const pixels = new Uint16Array(columns * columns);
    for (let i = 0; i < pixels.length; i++) {
      let q = (out[i] as number) + noise.normal(0, 0.006);
      q = q < 0 ? 0 : q > 1 ? 1 : q;
      pixels[i] = Math.round((cr ? 1 - q : q) * 4095);
    }
    const seriesNumber = index + 1;
    const series = {
      uid: ctx.uids.uid(...ctx.uidPath, 'series', seriesNumber), number: seriesNumber,
      description: view === 'PA' ? 'Thorax PA' : 'Thorax lat.', protocolName: view === 'PA' ? 'Thorax PA' : 'Thorax sin. lat.',
      startSeconds: clock, bodyPart: 'CHEST',
    };
    const ds: DicomDataset = {};
    addStudyModules(ds, ctx, description);
    addSeriesModules(ds, ctx, series);
    addInstanceModules(ds, ctx, {
      sopClassUid: cr ? CR_IMAGE_STORAGE : DX_FOR_PRESENTATION, sopInstanceUid: ctx.uids.uid(...ctx.uidPath, 'instance', seriesNumber, 1),
      instanceNumber: 1, acquisitionSeconds: clock + 1, contentSeconds: clock + 9, acquisitionNumber: 1, imageType: ['ORIGINAL', 'PRIMARY'],
    });
    if (!cr) put(ds, 'PresentationIntentType', 'FOR PRESENTATION');
    put(ds, 'ViewPosition', view);
    put(ds, 'PatientOrientation', view === 'PA' ? ['L', 'F'] : ['P', 'F']);
    put(ds, 'ImageLaterality', 'U');
    anatomicRegion(ds, '51185008', 'Chest');
    put(ds, 'KVP', view === 'PA' ? 125 : 110);
    put(ds, 'ExposureTime', view === 'PA' ? rng.int(4, 9) : rng.int(10, 22));
    put(ds, 'XRayTubeCurrent', view === 'PA' ? rng.int(250, 400) : rng.int(320, 500));
    put(ds, 'Exposure', view === 'PA' ? rng.int(1, 3) : rng.int(4, 8));
    put(ds, 'DistanceSourceToDetector', 1800);
    put(ds, 'DistanceSourceToPatient', 1800 - Math.round(2 * (view === 'PA' ? anatomy.bodyRy : anatomy.bodyRx)) - 30);
    put(ds, 'Grid', ['IN', 'FOCUSED']);
    put(ds, 'ImagerPixelSpacing', [round4(detector), round4(detector)]);
    put(ds, 'PixelSpacing', [round4(detector), round4(detector)]);
    put(ds, 'RescaleIntercept', 0);
    put(ds, 'RescaleSlope', 1);
    put(ds, 'RescaleType', 'US');
    if (!cr) {
      put(ds, 'PixelIntensityRelationship', 'LOG');
      put(ds, 'PixelIntensityRelationshipSign', 1);
      put(ds, 'PresentationLUTShape', 'IDENTITY');
    }
    put(ds, 'DetectorType', cr ? 'STORAGE' : 'SCINTILLATOR');
    put(ds, 'DetectorID', ctx.scanner.serialNumber);
    put(ds, 'ExposureIndex', rng.int(280, 520));
    put(ds, 'TargetExposureIndex', 400);
    put(ds, 'DeviationIndex', Math.round(rng.float(-1.5, 1.5) * 10) / 10);
    addWindow(ds, [2048], [4096], ['NORMAL']);
    addImagePixel(ds, { rows: columns, columns, bitsAllocated: 16, bitsStored: 12, photometric: cr ? 'MONOCHROME1' : 'MONOCHROME2', pixels });
    yield ds;
    clock += 60 + rng.int(20, 120);
  }
};

/** Bilinear resampling of a square float image from `m` to `n` pixels per side. */
function resample(src: Float32Array, m: number, n: number): Float32Array {
  if (m === n) return src;
  const out = new Float32Array(n * n);
  const f = m / n;
  for (let y = 0; y < n; y++) {
    const sy = Math.min(Math.max((y + 0.5) * f - 0.5, 0), m - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, m - 1);
    const wy = sy - y0;
    for (let x = 0; x < n; x++) {
      const sx = Math.min(Math.max((x + 0.5) * f - 0.5, 0), m - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, m - 1);
      const wx = sx - x0;
      const a = (src[y0 * m + x0] as number) * (1 - wx) + (src[y0 * m + x1] as number) * wx;
      const b = (src[y1 * m + x0] as number) * (1 - wx) + (src[y1 * m + x1] as number) * wx;
      out[y * n + x] = a * (1 - wy) + b * wy;
    }
  }
  return out;
}

function round4(n: number): number {
  return Math.round(n * 10000) / 10000;
}
