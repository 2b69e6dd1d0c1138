/**
 * A procedural adult head for axial MR slices. Level `t` runs from just above the skull base (0) to the
 * vertex (1); x is the patient's left, y posterior (mm).
 *
 * Each pixel gets a tissue label (scalp, fat, skull tables and diploë, CSF, grey and white matter with
 * gyral folding and sulci, ventricles, deep grey nuclei, cerebellar folia, brainstem, orbits, sinuses),
 * then a signal from the sequence's contrast table (T1, T2, FLAIR, DWI b=1000), a coil-sensitivity
 * bias field and Rician noise. Older patients get wider sulci and larger ventricles.
 */
import type { Rng } from '../../rng.ts';
import type { Raster } from '../raster.ts';
import { smoothstep } from '../raster.ts';

export type MrContrast = 'T1' | 'T2' | 'FLAIR' | 'DWI';

const enum T {
  Air,
  Skin,
  Fat,
  Bone,
  Marrow,
  Csf,
  Gm,
  Wm,
  Vitreous,
  Muscle,
}

/** Relative signal per tissue: T1, T2, FLAIR, DWI. */
const SIGNAL: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 0, 0], // air
  [0.42, 0.32, 0.36, 0.12], // skin
  [0.9, 0.62, 0.6, 0.04], // fat
  [0.03, 0.03, 0.03, 0.02], // bone
  [0.72, 0.38, 0.42, 0.05], // marrow
  [0.1, 1.0, 0.05, 0.07], // CSF
  [0.42, 0.66, 0.7, 0.56], // grey matter
  [0.68, 0.4, 0.47, 0.44], // white matter
  [0.08, 0.95, 0.05, 0.08], // vitreous
  [0.38, 0.28, 0.33, 0.18], // muscle
];

const CONTRAST_INDEX: Readonly<Record<MrContrast, number>> = { T1: 0, T2: 1, FLAIR: 2, DWI: 3 };

export interface HeadAnatomy {
  readonly size: number;
  /** Plane waves (kx, ky, kz, phase) whose sum's zero set draws the sulci. */
  readonly folds: readonly (readonly [number, number, number, number])[];
  readonly atrophy: number;
}

export function createHeadAnatomy(rng: Rng, opts: { ageYears: number; female: boolean }): HeadAnatomy {
  return {
    size: (opts.female ? 0.95 : 1) * (1 + rng.normal(0, 0.03)),
    folds: Array.from({ length: 7 }, () => {
      const angle = rng.float(0, Math.PI);
      const k = (2 * Math.PI) / rng.float(13, 22);
      return [k * Math.cos(angle), k * Math.sin(angle), rng.float(-0.08, 0.08), rng.float(0, Math.PI * 2)] as const;
    }),
    atrophy: smoothstep(45, 90, opts.ageYears),
  };
}

function outline(a: HeadAnatomy, t: number): { ax: number; by: number } {
  const h = t > 0.4 ? Math.sqrt(Math.max(0, 1 - ((t - 0.4) / 0.64) ** 2)) : 0.94 + 0.06 * (t / 0.4);
  return { ax: 73 * a.size * h, by: 93 * a.size * h };
}

/** Tissue at (x, y) mm on level t. */
function tissue(a: HeadAnatomy, t: number, x: number, y: number): T {
  const { ax, by } = outline(a, t);
  if (ax < 3) return T.Air;
  const r = Math.hypot(x, y);
  const theta = Math.atan2(y, x);
  const rEdge = (ax * by) / Math.hypot(by * Math.cos(theta), ax * Math.sin(theta));
  const depth = rEdge - r; // mm inside the skin surface
  if (depth < 0) return T.Air;
  if (depth < 1.5) return T.Skin;
  if (depth < 5) return T.Fat;
  if (depth < 6.5) return T.Bone;
  if (depth < 9.5) return T.Marrow;
  if (depth < 11) return T.Bone;
  const csfRim = 1.5 + 2.5 * a.atrophy;
  if (depth < 11 + csfRim) return T.Csf;
  const brainDepth = depth - 11 - csfRim;

  // Skull base: orbits and sphenoid sinus in front, temporal muscle at the sides.
  if (t < 0.22) {
    const k = 1 - smoothstep(0.12, 0.22, t);
    for (const side of [-1, 1]) {
      const ex = side * 31 * a.size;
      const ey = -by + 24;
      const de = Math.hypot(x - ex, y - ey);
      if (de < 11.5 * k) return T.Vitreous;
      if (de < 17 * k) return T.Fat;
    }
    if (ellipseHas(x, y, 0, -by + 40, 11 * k + 0.01, 8 * k + 0.01, 0)) return T.Air;
  }

  // Interhemispheric fissure (falx).
  const fissureHalf = 0.8 + 1.6 * a.atrophy;
  const callosal = t > 0.35 && t < 0.68 && y > -32 && y < 34;
  if (Math.abs(x) < fissureHalf && !callosal && t > 0.25) return T.Csf;

  // Posterior fossa: cerebellar hemispheres with folia, vermis, fourth ventricle, pons and cisterns.
  if (t < 0.34) {
    const k = 1 - smoothstep(0.2, 0.34, t);
    const cy = 0.45 * by;
    let inCerebellum = false;
    let nearCerebellum = false;
    for (const side of [-1, 1]) {
      const u = (x - side * 24) / (32 * k + 0.01);
      const v = (y - cy) / (0.36 * by * k + 0.01);
      const q = u * u + v * v;
      if (q <= 1) inCerebellum = true;
      else if (q <= 1.12) nearCerebellum = true;
    }
    if (inCerebellum) {
      if (Math.hypot(x, (y - cy + 0.22 * by) * 1.4) < 5.5 * k) return T.Csf; // fourth ventricle
      const folia = Math.sin(Math.hypot(x * 0.8, y - cy + 0.5 * by) * 1.25 + 1.5 * Math.sin(x * 0.12)) > 0.15;
      return folia ? T.Gm : T.Wm;
    }
    if (nearCerebellum && y > 0) return T.Csf;
    if (Math.hypot(x, y - 0.02 * by) < 13 * k) return T.Wm; // pons
    if (Math.hypot(x, y - 0.02 * by) < 17 * k && y < 0.05 * by) return T.Csf; // prepontine cistern
  }

  // Ventricles and deep grey nuclei.
  const vs = 1 + 0.8 * a.atrophy;
  if (t > 0.36 && t < 0.62) {
    for (const side of [-1, 1]) {
      if (ellipseHas(x, y, side * 8 * vs, -17, 4.5 * vs, 13, side * 0.25)) return T.Csf; // frontal horn
      if (t < 0.55 && ellipseHas(x, y, side * 13 * vs, 20, 4.5 * vs, 13, side * -0.35)) return T.Csf; // trigone/occipital horn
      if (ellipseHas(x, y, side * 15 * vs, -15, 6, 7, 0)) return T.Gm; // caudate head
      if (t < 0.52 && ellipseHas(x, y, side * 24, -2, 5.5, 13, side * 0.1)) return T.Gm; // putamen
      if (t < 0.5 && ellipseHas(x, y, side * 10, 8, 8.5, 10, 0)) return T.Gm; // thalamus
    }
    if (t < 0.48 && Math.abs(x) < 1.6 * vs && y > -6 && y < 10) return T.Csf; // third ventricle
  } else if (t >= 0.62 && t < 0.74) {
    for (const side of [-1, 1]) if (ellipseHas(x, y, side * 10 * vs, 0, 4 * vs * (1 - smoothstep(0.66, 0.74, t)) + 0.01, 25, side * 0.05)) return T.Csf;
  }
  // Sylvian fissures.
  if (t > 0.3 && t < 0.52) {
    for (const side of [-1, 1]) {
      if (segmentDistance(x, y, side * (ax - 13), -8, side * (ax - 36), 3) < 1.2 + 1.8 * a.atrophy) return T.Csf;
    }
  }

  // Cortex: a labyrinth of sulci (zero set of a random wave field) lined with grey matter over white.
  let field = 0;
  for (const [kx, ky, kz, phase] of a.folds) field += Math.sin(kx * x + ky * y + kz * t * 1000 + phase);
  field /= Math.sqrt(a.folds.length / 2);
  const sulcusReach = 12 + 4 * Math.sin(3 * theta + 7 * t) + 3 * a.atrophy;
  const width = 0.1 + 0.12 * a.atrophy;
  if (brainDepth < sulcusReach && Math.abs(field) < width) return T.Csf;
  if (brainDepth < 2.5) return T.Gm;
  if (brainDepth < sulcusReach + 2.5 && Math.abs(field) < width + 0.42) return T.Gm;
  return T.Wm;
}

function segmentDistance(x: number, y: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const k = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - x0 - k * dx, y - y0 - k * dy);
}

function ellipseHas(x: number, y: number, cx: number, cy: number, rx: number, ry: number, angle: number): boolean {
  const dx = x - cx;
  const dy = y - cy;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const u = (dx * c + dy * s) / rx;
  const v = (-dx * s + dy * c) / ry;
  return u * u + v * v <= 1;
}

/** Renders one axial slice on level t (0–1) as relative signal (≈0–1.1) into the raster. */
export function renderHeadSlice(a: HeadAnatomy, t: number, contrast: MrContrast, raster: Raster, rng: Rng): void {
  const ci = CONTRAST_INDEX[contrast];
  const R = raster;
  // Supersample 2×2 for smooth borders.
  const offsets = [-0.25, 0.25];
  for (let row = 0; row < R.height; row++) {
    for (let col = 0; col < R.width; col++) {
      let sum = 0;
      for (const oy of offsets) {
        for (const ox of offsets) {
          const x = R.xOf(col + ox);
          const y = R.yOf(row + oy);
          sum += (SIGNAL[tissue(a, t, x, y)] as readonly number[])[ci] as number;
        }
      }
      R.data[row * R.width + col] = sum / 4;
    }
  }
  R.blur(0.6);
  // Receive-coil bias: brighter towards the periphery and the back of the head.
  const { ax, by } = outline(a, t);
  for (let row = 0; row < R.height; row++) {
    for (let col = 0; col < R.width; col++) {
      const x = R.xOf(col);
      const y = R.yOf(row);
      const rr = Math.min(1.2, Math.hypot(x / Math.max(ax, 1), y / Math.max(by, 1)));
      const i = row * R.width + col;
      R.data[i] = (R.data[i] as number) * (0.88 + 0.16 * rr * rr + 0.05 * (y / 100));
    }
  }
  // Rician noise: magnitude of a complex signal with Gaussian noise in both channels.
  const sigma = contrast === 'DWI' ? 0.045 : 0.018;
  for (let i = 0; i < R.data.length; i++) {
    const re = (R.data[i] as number) + rng.normal(0, sigma);
    const im = rng.normal(0, sigma);
    R.data[i] = Math.sqrt(re * re + im * im);
  }
}
