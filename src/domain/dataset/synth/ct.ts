/**
 * CT of the chest: a topogram (localizer), then an axial soft-tissue series and an axial lung series
 * reconstructed from the same helical acquisition (same positions, one frame of reference, different
 * kernels), each axial image referencing the topogram. Stored values are HU + 1024 (RescaleIntercept
 * −1024), 12 bits stored.
 */
import type { DicomDataset } from '../dicom/dataset.ts';
import { put } from '../dicom/dataset.ts';
import type { StudyContext, StudyGenerator } from './context.ts';
import { scaled, scaledCount } from './context.ts';
import {
  addFrameOfReference, addImagePixel, addImagePlane, addInstanceModules, addSeriesModules, addStudyModules, addWindow,
  studyDescriptionFor,
} from './modules.ts';
import { Raster } from './raster.ts';
import { createChestAnatomy, renderChestSlice } from './phantoms/chest.ts';
import { renderChestRadiograph } from './phantoms/radiograph.ts';

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

const SLICE_MM = 5;

export const generateCtStudy: StudyGenerator = function* (ctx: StudyContext): Iterable<DicomDataset> {
  const rng = ctx.rng.fork('ct');
  const contrast = rng.chance(0.7);
  const anatomy = createChestAnatomy(ctx.patientRng.fork('chest'), {
    female: ctx.patient.sex === 'F',
    weightKg: ctx.patient.weightKg,
    heightM: ctx.patient.heightM,
    contrast,
  });
  const description = studyDescriptionFor(ctx, 'CHEST', contrast ? ' med i.v. kontrast' : '');
  const model = ctx.scanner.model;
  const kernels = model.ctKernels ?? { soft: 'STANDARD', lung: 'LUNG', bone: 'BONE' };
  const siemens = model.manufacturer === 'SIEMENS';
  const protocol = contrast ? 'Thorax med kontrast' : 'Thorax';
  const kvp = anatomy.bodyRx > 175 ? 120 : rng.pick([100, 120]);
  const forUid = ctx.uids.uid(...ctx.uidPath, 'frame-of-reference');
  const zApex = -rng.int(60, 160) - 0.5;

  const common = (ds: DicomDataset): void => {
    addStudyModules(ds, ctx, description);
    put(ds, 'KVP', kvp);
    put(ds, 'PatientPosition', 'HFS');
    put(ds, 'DataCollectionDiameter', 500);
    put(ds, 'DistanceSourceToDetector', siemens ? 1085.6 : 949.075);
    put(ds, 'DistanceSourceToPatient', siemens ? 595 : 541);
    put(ds, 'GantryDetectorTilt', 0);
    put(ds, 'TableHeight', 150 + rng.int(0, 30));
    put(ds, 'RotationDirection', 'CW');
    put(ds, 'GeneratorPower', kvp === 120 ? 50 : 40);
    put(ds, 'FocalSpots', [1.2]);
    put(ds, 'FilterType', siemens ? 'FLAT' : 'BODY FILTER');
    if (contrast) {
      put(ds, 'ContrastBolusAgent', rng.pick(['Omnipaque 350', 'Visipaque 320', 'Optiray 350']));
      put(ds, 'ContrastBolusRoute', 'IV');
      put(ds, 'ContrastBolusVolume', rng.pick([60, 70, 80, 90]));
    }
  };

  // Series 1: topogram (coronal localizer).
  const topoStart = ctx.startSeconds + 180 + rng.int(0, 120);
  const topoName = { SIEMENS: 'Topogram  0.6  T20f', 'GE MEDICAL SYSTEMS': 'Scout', Philips: 'Surview', 'Canon Medical Systems': 'Scanogram' }[model.manufacturer] ?? 'Scout';
  const topoSeries = { uid: ctx.uids.uid(...ctx.uidPath, 'series', 1), number: 1, description: topoName, protocolName: protocol, startSeconds: topoStart, bodyPart: 'CHEST', patientPosition: 'HFS' };
  const topoUid = ctx.uids.uid(...ctx.uidPath, 'instance', 1, 1);
  {
    const n = scaled(512, ctx.scale, 64);
    const fov = 500;
    const R = new Raster(n, n, fov / n);
    renderChestRadiograph(anatomy, 'PA', R, rng.fork('topogram'));
    const pixels = new Uint16Array(n * n);
    for (let i = 0; i < pixels.length; i++) pixels[i] = clampStored((R.data[i] as number) * 1600 + 24);
    const ds: DicomDataset = {};
    common(ds);
    addSeriesModules(ds, ctx, topoSeries);
    addInstanceModules(ds, ctx, { sopClassUid: CT_IMAGE_STORAGE, sopInstanceUid: topoUid, instanceNumber: 1, acquisitionSeconds: topoStart + 2, contentSeconds: topoStart + 6, acquisitionNumber: 1, imageType: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'] });
    addFrameOfReference(ds, forUid);
    // Coronal: rows run to the patient's left, columns run towards the feet.
    const dTop = R.yOf(0) + 0.42 * anatomy.length;
    addImagePlane(ds, { spacing: [fov / n, fov / n], orientation: [1, 0, 0, 0, 0, -1], position: [R.xOf(0), 0, zApex - dTop], thickness: 0.6 });
    put(ds, 'ScanOptions', siemens ? 'TOP' : 'SCOUT MODE');
    put(ds, 'ConvolutionKernel', siemens ? 'T20f' : 'STANDARD');
    put(ds, 'XRayTubeCurrent', 35);
    put(ds, 'ExposureTime', 4600);
    put(ds, 'Exposure', 20);
    put(ds, 'RescaleIntercept', -1024);
    put(ds, 'RescaleSlope', 1);
    put(ds, 'RescaleType', 'HU');
    addWindow(ds, [-200], [1600], ['TOPOGRAM']);
    addImagePixel(ds, { rows: n, columns: n, bitsAllocated: 16, bitsStored: 12, photometric: 'MONOCHROME2', pixels });
    yield ds;
  }

  // Series 2 and 3: axial soft tissue and lung from one helical acquisition.
  const n = scaled(512, ctx.scale, 64);
  const fov = Math.round(Math.min(Math.max(2 * anatomy.bodyRx + 50, 320), 480));
  const ps = fov / n;
  const count = scaledCount(40, ctx.scale, 4);
  const first = anatomy.length * 0.5 - ((count - 1) * SLICE_MM) / 2;
  const helixStart = topoStart + 60 + (contrast ? 55 : 20) + rng.int(0, 30);
  const soft = { uid: ctx.uids.uid(...ctx.uidPath, 'series', 2), number: 2, description: `Thorax  ${SLICE_MM}.0  ${kernels.soft}`, protocolName: protocol, startSeconds: helixStart - 5, bodyPart: 'CHEST', patientPosition: 'HFS' };
  const lung = { uid: ctx.uids.uid(...ctx.uidPath, 'series', 3), number: 3, description: `Lunge  ${SLICE_MM}.0  ${kernels.lung}`, protocolName: protocol, startSeconds: helixStart - 5, bodyPart: 'CHEST', patientPosition: 'HFS' };
  const mAsBase = kvp === 100 ? 140 : 110;
  for (let k = 0; k < count; k++) {
    const d = first + k * SLICE_MM;
    const z = zApex - d;
    const base = new Raster(n, n, ps);
    renderChestSlice(anatomy, d, SLICE_MM, base, rng.fork('slice', k));
    const acquisition = helixStart + (k * SLICE_MM) / 45; // 45 mm/s table feed
    const mA = Math.round(mAsBase * (0.8 + 0.4 * Math.sin((Math.PI * k) / Math.max(count - 1, 1))));
    for (const [series, kind] of [[soft, 'soft'], [lung, 'lung']] as const) {
      const raster = new Raster(n, n, ps);
      raster.data.set(base.data);
      if (kind === 'lung') {
        raster.sharpen(1.4, 1.1);
        raster.addNoise(rng.fork('lung-noise', k), 14, 0.5);
      }
      const pixels = new Uint16Array(n * n);
      for (let i = 0; i < pixels.length; i++) pixels[i] = clampStored((raster.data[i] as number) + 1024);
      const ds: DicomDataset = {};
      common(ds);
      addSeriesModules(ds, ctx, series);
      const sop = ctx.uids.uid(...ctx.uidPath, 'instance', series.number, k + 1);
      addInstanceModules(ds, ctx, {
        sopClassUid: CT_IMAGE_STORAGE, sopInstanceUid: sop, instanceNumber: k + 1, acquisitionSeconds: acquisition,
        contentSeconds: acquisition + (kind === 'soft' ? 38 : 52), acquisitionNumber: 2, imageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
      });
      addFrameOfReference(ds, forUid);
      addImagePlane(ds, { spacing: [ps, ps], orientation: [1, 0, 0, 0, 1, 0], position: [base.xOf(0), base.yOf(0), z], thickness: SLICE_MM, location: z });
      const ref: DicomDataset = {};
      put(ref, 'ReferencedSOPClassUID', CT_IMAGE_STORAGE);
      put(ref, 'ReferencedSOPInstanceUID', topoUid);
      put(ds, 'ReferencedImageSequence', [ref]);
      put(ds, 'ScanOptions', 'HELICAL_CT');
      put(ds, 'ReconstructionDiameter', fov);
      put(ds, 'ConvolutionKernel', kind === 'soft' ? kernels.soft : kernels.lung);
      put(ds, 'XRayTubeCurrent', mA);
      put(ds, 'ExposureTime', 500);
      put(ds, 'Exposure', Math.round(mA * 0.5));
      put(ds, 'RevolutionTime', 0.5);
      put(ds, 'SingleCollimationWidth', 0.6);
      put(ds, 'TotalCollimationWidth', 38.4);
      put(ds, 'TableSpeed', 46);
      put(ds, 'TableFeedPerRotation', 46);
      put(ds, 'SpiralPitchFactor', 1.2);
      put(ds, 'CTDIvol', Math.round(mA * 0.055 * 100) / 100);
      put(ds, 'RescaleIntercept', -1024);
      put(ds, 'RescaleSlope', 1);
      put(ds, 'RescaleType', 'HU');
      if (kind === 'soft') addWindow(ds, [40, 400], [400, 1500], ['MEDIASTINUM', 'BONE']);
      else addWindow(ds, [-600, 40], [1600, 400], ['LUNG', 'MEDIASTINUM']);
      addImagePixel(ds, { rows: n, columns: n, bitsAllocated: 16, bitsStored: 12, photometric: 'MONOCHROME2', pixels });
      yield ds;
    }
  }
};

function clampStored(v: number): number {
  const r = Math.round(v);
  return r < 0 ? 0 : r > 4095 ? 4095 : r;
}
