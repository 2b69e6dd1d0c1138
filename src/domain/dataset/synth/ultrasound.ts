/**
 * Abdominal ultrasound (right upper quadrant): a few stored B-mode frames (US Image Storage) and one
 * cine loop (US Multi-frame Image Storage) in a single series, 8-bit MONOCHROME2, with the Ultrasound
 * Region Calibration a viewer uses for measurements.
 */
import type { DicomDataset } from '../dicom/dataset.ts';
import { put } from '../dicom/dataset.ts';
import type { StudyContext, StudyGenerator } from './context.ts';
import { scaled, scaledCount } from './context.ts';
import { addImagePixel, addInstanceModules, addSeriesModules, addStudyModules, studyDescriptionFor } from './modules.ts';
import type { SectorGeometry } from './phantoms/ultrasound.ts';
import { createUsScene, renderUsFrame, sectorGeometry } from './phantoms/ultrasound.ts';

export const US_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.6.1';
export const US_MULTIFRAME_STORAGE = '1.2.840.10008.5.1.4.1.1.3.1';
const FRAME_INCREMENT_FRAME_TIME = 0x00181063;

export const generateUsStudy: StudyGenerator = function* (ctx: StudyContext): Iterable<DicomDataset> {
  const rng = ctx.rng.fork('us');
  const width = scaled(800, ctx.scale, 240);
  const height = Math.round((width * 3) / 4 / 2) * 2;
  const depth = rng.pick([140, 160, 180]);
  const geometry = sectorGeometry(width, height, depth);
  const fat = Math.min(Math.max(8 + (ctx.patient.weightKg / (ctx.patient.heightM * ctx.patient.heightM) - 20) * 1.5, 6), 35);
  const description = studyDescriptionFor(ctx, 'ABDOMEN');
  const series = { uid: ctx.uids.uid(...ctx.uidPath, 'series', 1), number: 1, description: 'Abdomen', protocolName: 'Abdomen', startSeconds: ctx.startSeconds + 60 + rng.int(0, 120), bodyPart: 'ABDOMEN' };
  const stills = rng.int(3, 5);
  let clock = series.startSeconds + 20;
  for (let k = 0; k < stills + 1; k++) {
    const cine = k === stills;
    const scene = createUsScene(rng.fork('scene', k), { fatMm: fat });
    const frames = cine ? scaledCount(24, ctx.scale, 4) : 1;
    const frameRng = rng.fork('frames', k);
    const pixels = new Uint8Array(width * height * frames);
    let previous: Float32Array | undefined;
    for (let f = 0; f < frames; f++) {
      const { pixels: frame, speckle } = renderUsFrame(scene, geometry, f / Math.max(frames, 8), frameRng.fork(f), previous);
      pixels.set(frame, f * width * height);
      previous = speckle;
    }
    const ds: DicomDataset = {};
    addStudyModules(ds, ctx, description);
    addSeriesModules(ds, ctx, series);
    addInstanceModules(ds, ctx, {
      sopClassUid: cine ? US_MULTIFRAME_STORAGE : US_IMAGE_STORAGE, sopInstanceUid: ctx.uids.uid(...ctx.uidPath, 'instance', 1, k + 1),
      instanceNumber: k + 1, acquisitionSeconds: clock, contentSeconds: clock + (cine ? frames * 0.04 : 0), acquisitionNumber: k + 1,
      imageType: ['ORIGINAL', 'PRIMARY', 'ABDOMINAL', '0001'],
    });
    put(ds, 'TransducerData', [ctx.scanner.model.usProbe ?? 'C5-1']);
    put(ds, 'ProcessingFunction', 'ABDOMEN GENERAL');
    put(ds, 'MechanicalIndex', Math.round(rng.float(0.8, 1.3) * 10) / 10);
    put(ds, 'SoftTissueThermalIndex', Math.round(rng.float(0.2, 0.9) * 10) / 10);
    put(ds, 'DepthOfScanField', depth);
    put(ds, 'SequenceOfUltrasoundRegions', [region(geometry)]);
    if (cine) {
      put(ds, 'FrameTime', 40);
      put(ds, 'FrameIncrementPointer', [FRAME_INCREMENT_FRAME_TIME]);
      put(ds, 'CineRate', 25);
      put(ds, 'RecommendedDisplayFrameRate', 25);
      put(ds, 'EffectiveDuration', Math.round(frames * 40) / 1000);
    }
    addImagePixel(ds, { rows: height, columns: width, bitsAllocated: 8, bitsStored: 8, photometric: 'MONOCHROME2', pixels, ...(cine ? { frames } : {}) });
    yield ds;
    clock += 20 + rng.int(5, 60);
  }
};

/** Ultrasound Region Calibration for the sector (PS3.3 C.8.5.5): 2-D tissue region in centimetres. */
function region(g: SectorGeometry): DicomDataset {
  const item: DicomDataset = {};
  put(item, 'RegionSpatialFormat', 1);
  put(item, 'RegionDataType', 1);
  put(item, 'RegionFlags', 0);
  put(item, 'RegionLocationMinX0', g.minX);
  put(item, 'RegionLocationMinY0', g.minY);
  put(item, 'RegionLocationMaxX1', g.maxX);
  put(item, 'RegionLocationMaxY1', g.maxY);
  put(item, 'ReferencePixelX0', Math.round(g.apexX));
  put(item, 'ReferencePixelY0', Math.round(g.apexY));
  put(item, 'PhysicalUnitsXDirection', 3);
  put(item, 'PhysicalUnitsYDirection', 3);
  put(item, 'ReferencePixelPhysicalValueX', 0);
  put(item, 'ReferencePixelPhysicalValueY', 0);
  put(item, 'PhysicalDeltaX', g.spacing / 10);
  put(item, 'PhysicalDeltaY', g.spacing / 10);
  put(item, 'TransducerFrequency', 3500);
  return item;
}
