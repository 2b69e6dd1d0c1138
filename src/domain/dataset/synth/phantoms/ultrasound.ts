/**
 * B-mode abdominal ultrasound through the right upper quadrant with a curvilinear probe: a fan-shaped
 * sector whose echogenicity map (skin, subcutaneous fat with septa, abdominal wall muscle, liver
 * parenchyma, portal veins with bright walls, hepatic veins, gallbladder with posterior enhancement,
 * right kidney, diaphragm) is multiplied by Rayleigh speckle generated along the scan lines (elongated
 * laterally, as real speckle is), log-compressed to 8 bits, with depth markers and the probe-orientation
 * dot. Successive cine frames move with breathing and decorrelate their speckle partly.
 */
import type { Rng } from '../../rng.ts';

export interface UsScene {
  readonly gallbladder: { readonly x: number; readonly z: number; readonly rx: number; readonly rz: number; readonly angle: number };
  readonly vessels: readonly { readonly x: number; readonly z: number; readonly rx: number; readonly rz: number; readonly wall: boolean }[];
  readonly diaphragmDepth: number;
  readonly kidney: { readonly x: number; readonly z: number; readonly rx: number; readonly rz: number };
  readonly fat: number;
  readonly gain: number;
}

export interface SectorGeometry {
  readonly width: number;
  readonly height: number;
  /** mm per pixel (square pixels). */
  readonly spacing: number;
  /** Apex of the fan in pixel coordinates (above the image). */
  readonly apexX: number;
  readonly apexY: number;
  /** Radius of the probe face (mm) and imaging depth below it (mm). */
  readonly r0: number;
  readonly depth: number;
  readonly halfAngle: number;
  /** Bounding box of the sector in pixels (for the US region calibration). */
  readonly minX: number;
  readonly maxX: number;
  readonly minY: number;
  readonly maxY: number;
}

export function createUsScene(rng: Rng, opts: { fatMm: number }): UsScene {
  const vessels: UsScene['vessels'][number][] = [];
  for (let i = 0; i < 5; i++) {
    const r = rng.float(2, 4.5);
    vessels.push({ x: rng.float(-55, 55), z: rng.float(40, 105), rx: r * rng.float(1, 3), rz: r, wall: rng.chance(0.55) });
  }
  return {
    gallbladder: { x: rng.float(-30, 15), z: rng.float(55, 75), rx: rng.float(14, 22), rz: rng.float(8, 13), angle: rng.float(-0.4, 0.4) },
    vessels,
    diaphragmDepth: rng.float(120, 140),
    kidney: { x: rng.float(20, 45), z: rng.float(100, 115), rx: rng.float(28, 36), rz: rng.float(14, 18) },
    fat: opts.fatMm,
    gain: rng.float(0.9, 1.1),
  };
}

export function sectorGeometry(width: number, height: number, depthMm = 160): SectorGeometry {
  const r0 = 45;
  const halfAngle = (36 * Math.PI) / 180;
  const spacing = (depthMm + r0 * (1 - Math.cos(halfAngle)) + 6) / (height * 0.92);
  const apexX = width / 2;
  const apexY = -r0 / spacing + height * 0.04;
  const maxR = (r0 + depthMm) / spacing;
  const half = Math.sin(halfAngle) * maxR;
  return {
    width, height, spacing, apexX, apexY, r0, depth: depthMm, halfAngle,
    minX: Math.max(0, Math.floor(apexX - half)),
    maxX: Math.min(width - 1, Math.ceil(apexX + half)),
    minY: Math.max(0, Math.floor(apexY + r0 / spacing)),
    maxY: Math.min(height - 1, Math.ceil(apexY + maxR)),
  };
}

function inEllipse(x: number, z: number, e: { x: number; z: number; rx: number; rz: number; angle?: number }): number {
  const a = e.angle ?? 0;
  const dx = x - e.x;
  const dz = z - e.z;
  const u = (dx * Math.cos(a) + dz * Math.sin(a)) / e.rx;
  const v = (-dx * Math.sin(a) + dz * Math.cos(a)) / e.rz;
  return u * u + v * v;
}

/** Mean echogenicity (linear, ≈ 0–3) at lateral x and depth z below the skin, in mm. */
function echo(s: UsScene, x: number, z: number): number {
  if (z < 1.5) return 3;
  if (z < s.fat) return 0.35 + (Math.abs(Math.sin(z * 0.9 + x * 0.05)) > 0.96 ? 1.4 : 0);
  if (z < s.fat + 12) return 0.8 + (Math.abs(Math.sin((z - s.fat) * 1.4 + x * 0.02)) > 0.85 ? 0.9 : 0);
  if (z < s.fat + 14) return 3.5; // peritoneal line
  const diaphragm = s.diaphragmDepth - 0.004 * (x + 20) * (x + 20) + 0.35 * x;
  if (Math.abs(z - diaphragm) < 2.2) return 7;
  if (z > diaphragm) return 0.3; // mirror image region, dimmer
  const gb = inEllipse(x, z, s.gallbladder);
  if (gb < 1) return 0.02;
  if (gb < 1.15) return 1.8; // wall
  const k = inEllipse(x, z, s.kidney);
  if (k < 0.35) return 3; // renal sinus fat
  if (k < 1) return 0.5; // cortex
  if (k < 1.1) return 3; // capsule
  for (const v of s.vessels) {
    const q = inEllipse(x, z, v);
    if (q < 1) return 0.03;
    if (v.wall && q < 1.45) return 4;
  }
  // Liver parenchyma, slightly brighter behind the gallbladder (acoustic enhancement).
  const behindGb = Math.abs(x - s.gallbladder.x) < s.gallbladder.rx * 0.9 && z > s.gallbladder.z ? 1.35 : 1;
  return 1 * behindGb;
}

/** Renders one 8-bit frame. `phase` (0–1) is the breathing phase; `speckle` the rng for this frame's speckle. */
export function renderUsFrame(s: UsScene, g: SectorGeometry, phase: number, speckle: Rng, base?: Float32Array): { pixels: Uint8Array; speckle: Float32Array } {
  const lines = 320;
  const samples = Math.max(64, Math.round(g.depth / 0.35));
  // Complex Gaussian field per (line, sample), smoothed along the line (axial) and across lines (lateral).
  const re = new Float32Array(lines * samples);
  const im = new Float32Array(lines * samples);
  for (let i = 0; i < re.length; i++) {
    re[i] = speckle.normal();
    im[i] = speckle.normal();
  }
  smoothPolar(re, lines, samples, 3, 2);
  smoothPolar(im, lines, samples, 3, 2);
  const mag = new Float32Array(lines * samples);
  for (let i = 0; i < mag.length; i++) mag[i] = Math.hypot(re[i] as number, im[i] as number);
  if (base) for (let i = 0; i < mag.length; i++) mag[i] = 0.6 * (base[i] as number) + 0.4 * (mag[i] as number);
  let mean = 0;
  for (const v of mag) mean += v;
  mean /= mag.length;

  const shiftZ = 4 * Math.sin(2 * Math.PI * phase);
  const shiftX = 1.5 * Math.sin(2 * Math.PI * phase + 0.7);
  const pixels = new Uint8Array(g.width * g.height);
  for (let py = g.minY; py <= g.maxY; py++) {
    for (let px = g.minX; px <= g.maxX; px++) {
      const dx = (px - g.apexX) * g.spacing;
      const dy = (py - g.apexY) * g.spacing;
      const r = Math.hypot(dx, dy);
      const theta = Math.atan2(dx, dy);
      if (Math.abs(theta) > g.halfAngle || r < g.r0 || r > g.r0 + g.depth) continue;
      const depth = r - g.r0;
      // Tissue coordinates: lateral position along the arc, depth below skin; breathing shifts the organs.
      const x = theta * (g.r0 + depth * 0.85);
      const organDepth = depth > s.fat + 14 ? depth - shiftZ : depth;
      const e = echo(s, x - (depth > s.fat + 14 ? shiftX : 0), organDepth);
      const lf = Math.min(lines - 1.001, Math.max(0, ((theta + g.halfAngle) / (2 * g.halfAngle)) * (lines - 1)));
      const sf = Math.min(samples - 1.001, (depth / g.depth) * (samples - 1));
      const l0 = Math.floor(lf);
      const s0 = Math.floor(sf);
      const wl = lf - l0;
      const ws = sf - s0;
      const m00 = mag[l0 * samples + s0] as number;
      const m01 = mag[l0 * samples + s0 + 1] as number;
      const m10 = mag[(l0 + 1) * samples + s0] as number;
      const m11 = mag[(l0 + 1) * samples + s0 + 1] as number;
      const sp = ((m00 * (1 - ws) + m01 * ws) * (1 - wl) + (m10 * (1 - ws) + m11 * ws) * wl) / mean;
      const tgc = 1.15 - 0.35 * (depth / g.depth) + (depth < 8 ? 0.2 : 0);
      const amp = e * sp * tgc * s.gain;
      const db = 20 * Math.log10(amp + 0.01);
      const v = Math.round(((db + 22) / 46) * 255);
      pixels[py * g.width + px] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  drawMarkers(g, pixels);
  return { pixels, speckle: mag };
}

function smoothPolar(data: Float32Array, lines: number, samples: number, lateral: number, axial: number): void {
  const tmp = new Float32Array(data.length);
  for (let l = 0; l < lines; l++) {
    for (let s = 0; s < samples; s++) {
      let acc = 0;
      let n = 0;
      for (let k = -lateral; k <= lateral; k++) {
        const ll = l + k;
        if (ll < 0 || ll >= lines) continue;
        acc += data[ll * samples + s] as number;
        n++;
      }
      tmp[l * samples + s] = acc / n;
    }
  }
  for (let l = 0; l < lines; l++) {
    for (let s = 0; s < samples; s++) {
      let acc = 0;
      let n = 0;
      for (let k = -axial; k <= axial; k++) {
        const ss = s + k;
        if (ss < 0 || ss >= samples) continue;
        acc += tmp[l * samples + ss] as number;
        n++;
      }
      data[l * samples + s] = acc / n;
    }
  }
}

/** Depth ticks every centimetre (longer every 5 cm) right of the sector, and the orientation dot. */
function drawMarkers(g: SectorGeometry, pixels: Uint8Array): void {
  const set = (x: number, y: number, v: number): void => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi >= 0 && xi < g.width && yi >= 0 && yi < g.height) pixels[yi * g.width + xi] = v;
  };
  const tickX = Math.min(g.width - 6, g.maxX + 8);
  for (let cm = 0; cm * 10 <= g.depth; cm++) {
    const y = g.apexY + (g.r0 + cm * 10) / g.spacing;
    const len = cm % 5 === 0 ? 5 : 2;
    for (let k = 0; k < len; k++) set(tickX + k, y, 200);
  }
  const dotX = g.minX + 6;
  const dotY = g.apexY + g.r0 / g.spacing + 4;
  for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) if (dx * dx + dy * dy <= 4) set(dotX + dx, dotY + dy, 230);
}
