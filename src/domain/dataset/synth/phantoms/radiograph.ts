/**
 * Chest radiographs (PA and left lateral) of the same procedural chest the CT slices come from: for every
 * image row, the axial cross-section at that level is integrated analytically along the beam (chord
 * lengths through body, lungs, heart, liver, spine, ribs, sternum, breasts, trachea, stomach gas), then
 * mapped like a processed digital radiograph: log-domain signal, large-kernel contrast equalisation,
 * an S-shaped tone curve and quantum noise. Bone and soft tissue are bright, lungs dark.
 */
import type { Rng } from '../../rng.ts';
import type { Raster } from '../raster.ts';
import { smoothstep } from '../raster.ts';
import type { ChestAnatomy, Ellipse } from './chest.ts';
import { frame, heart, leftUpperAbdomen, liver, lungs, ribCrossings } from './chest.ts';

export type RadiographView = 'PA' | 'LL';

/** Chord length of a (rotated) ellipse along the beam at transverse position u. Beam ∥ y for PA, ∥ x for LL. */
function chord(e: Ellipse, u: number, view: RadiographView): number {
  const angle = e.angle ?? 0;
  // Work in a frame where the beam runs along the second coordinate.
  const du = view === 'PA' ? u - e.cx : u - e.cy;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const rx2 = e.rx * e.rx;
  const ry2 = e.ry * e.ry;
  let A: number;
  let B: number;
  let C: number;
  if (view === 'PA') {
    A = (s * s) / rx2 + (c * c) / ry2;
    B = 2 * du * c * s * (1 / rx2 - 1 / ry2);
    C = du * du * ((c * c) / rx2 + (s * s) / ry2) - 1;
  } else {
    A = (c * c) / rx2 + (s * s) / ry2;
    B = 2 * du * c * s * (1 / rx2 - 1 / ry2);
    C = du * du * ((s * s) / rx2 + (c * c) / ry2) - 1;
  }
  const disc = B * B - 4 * A * C;
  return disc > 0 ? Math.sqrt(disc) / A : 0;
}

function discChord(cx: number, cy: number, r: number, u: number, view: RadiographView): number {
  const du = view === 'PA' ? u - cx : u - cy;
  const q = r * r - du * du;
  return q > 0 ? 2 * Math.sqrt(q) : 0;
}

/** Renders a processed chest radiograph (relative brightness ≈ 0–1) into the raster (mm, centred). */
export function renderChestRadiograph(a: ChestAnatomy, view: RadiographView, R: Raster, rng: Rng): void {
  const dCenter = 0.42 * a.length;
  const top = frame(a, 0);
  const scale = 1 / (2 * (view === 'PA' ? a.bodyRy : a.bodyRx * 0.9));
  for (let row = 0; row < R.height; row++) {
    const d = R.yOf(row) + dCenter;
    const s = Math.min(Math.max(d / a.length, 0), 1.1);
    const f = frame(a, Math.min(s, 1));
    // Neck above the apices, widening into the shoulders.
    const neck = 1 - smoothstep(-45, 5, d);
    const body: Ellipse = { cx: 0, cy: 0, rx: f.bodyRx * (1 - 0.62 * neck), ry: f.bodyRy * (1 - 0.45 * neck) };
    const lung = lungs(a, d / a.length);
    const h = heart(a, s);
    const lv = liver(a, Math.max(s, d > a.length ? 1 : s));
    const ribs = d > -30 ? ribCrossings(a, d, 4.5) : [];
    const level = (((d + a.discPhase) % 27) + 27) % 27;
    const boneVb = level >= 5;
    const lua = leftUpperAbdomen(a, s);
    const breast = a.female && s > 0.3 && s < 0.78 ? Math.sin(Math.PI * smoothstep(0.3, 0.78, s)) ** 0.5 : 0;
    // Ribs: splat each crossing's chord into this row (a few columns each) instead of testing every column.
    const ribRow = new Float32Array(R.width);
    const ribWeight = view === 'PA' ? 0.2 : 0.09;
    for (const [px, py, cartilage] of ribs) {
      const centre = view === 'PA' ? px : py;
      const c0 = Math.max(0, Math.floor(R.colOf(centre - 4)));
      const c1 = Math.min(R.width - 1, Math.ceil(R.colOf(centre + 4)));
      for (let c = c0; c <= c1; c++) ribRow[c] = (ribRow[c] as number) + (cartilage ? 0.03 : ribWeight) * discChord(px, py, 4, R.xOf(c), view);
    }
    for (let col = 0; col < R.width; col++) {
      const u = R.xOf(col);
      let total = chord(body, u, view) + (ribRow[col] as number);
      if (lung) {
        const lc = chord(lung.right, u, view) + chord(lung.left, u, view);
        let tissueInLung = 0;
        if (h) tissueInLung += chord(h, u, view);
        if (lv) tissueInLung += chord(lv, u, view);
        if (lua.stomach) tissueInLung += chord(lua.stomach, u, view);
        if (lua.spleen) tissueInLung += chord(lua.spleen, u, view);
        total -= 0.8 * Math.max(lc - tissueInLung, 0);
      }
      if (lua.gas) total -= 0.9 * chord(lua.gas, u, view);
      if (breast > 0) for (const side of [-1, 1]) total += 0.55 * chord({ cx: side * 0.42 * f.bodyRx, cy: -f.bodyRy * 0.8, rx: 0.32 * f.bodyRx * breast, ry: 0.28 * f.bodyRy * breast }, u, view);
      if (d < 0.4 * a.length) total -= discChord(0, f.cav.cy - 0.12 * f.cav.ry + s * 25, 8, u, view);
      // Spine.
      if (d > -60) {
        total += (boneVb ? 0.5 : 0.1) * discChord(0, f.vbY, f.vbR, u, view);
        total += 0.35 * chord({ cx: 0, cy: f.canalY + 3, rx: 14, ry: 12 }, u, view) - 0.3 * discChord(0, f.canalY, 7.5, u, view);
        total += 0.4 * chord({ cx: 0, cy: f.canalY + 22, rx: 4, ry: 14 }, u, view);
      }
      if (s > 0.12 && s < 0.78) total += 0.5 * chord({ cx: 0, cy: f.cav.cy - f.cav.ry - 6, rx: 14, ry: 6.5 }, u, view);
      // Shoulders, arms and humeri beside the chest (PA only; arms are raised for the lateral view).
      if (view === 'PA' && d > -50 && d < 160) {
        for (const side of [-1, 1]) {
          const sx = side * (top.bodyRx - 4);
          const q = ((u - sx) / 62) ** 2 + ((d - 22) / 55) ** 2;
          if (q < 1) total += 50 * Math.sqrt(1 - q);
          const ax = side * (top.bodyRx + 30);
          const fade = smoothstep(10, 30, d) * (1 - smoothstep(90, 150, d));
          total += chord({ cx: ax, cy: 0, rx: 34, ry: 38 }, u, view) * fade;
          if (d > 25) total += 0.6 * discChord(ax, 0, 10, u, view) * fade;
          const dh = d - 14;
          const r2 = 25 * 25 - dh * dh;
          if (r2 > 0) total += 0.6 * discChord(side * (top.bodyRx + 14), 0, Math.sqrt(r2), u, view);
        }
      }
      R.data[row * R.width + col] = total * scale;
    }
  }
  if (view === 'PA') addClavicles(R, dCenter, top.bodyRx, scale);
  // Processing: large-kernel equalisation, tone curve, quantum noise, detector blur.
  const saved = R.data.slice();
  R.blur(40 / R.spacingX);
  const norm = Math.tanh(1.3);
  for (let i = 0; i < R.data.length; i++) {
    const p = saved[i] as number;
    const eq = p + 0.25 * (p - (R.data[i] as number));
    const q = Math.min(Math.max((eq - 0.1) / 1.05, 0), 1.1);
    R.data[i] = 0.5 + (0.5 * Math.tanh((q - 0.5) * 2.6)) / norm;
  }
  R.addNoise(rng, 0.012, 0.8);
  R.blur(0.6);
}

/** Clavicles: S-curved bands from the sternal notch to the shoulders, drawn in projection space. */
function addClavicles(R: Raster, dCenter: number, bodyRx: number, scale: number): void {
  const y0 = 12 - dCenter;
  R.paint((x, y, cur) => {
    const ax = Math.abs(x);
    if (ax < 14 || ax > bodyRx * 0.95) return undefined;
    const t = (ax - 14) / (bodyRx * 0.95 - 14);
    const centre = y0 - 22 * t + 9 * Math.sin(Math.PI * t);
    const half = 6.5 - 1.5 * t;
    const dy = Math.abs(y - centre);
    if (dy > half) return undefined;
    return cur + 2 * Math.sqrt(half * half - dy * dy) * 2.2 * scale;
  });
}
