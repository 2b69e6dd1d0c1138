/**
 * A procedural adult chest, in millimetres and Hounsfield units, used for axial CT slices (and, through
 * its parameters, for radiographs of the same patient). Depth `d` runs from the lung apices (0) to the
 * upper abdomen (`length`); x is the patient's left, y posterior.
 *
 * Structures: skin, subcutaneous fat, muscle wall, paraspinal muscles, ribs that slope down towards the
 * front (so each slice cuts them at different angles), costal cartilage, sternum, clavicles, scapulae,
 * vertebrae with discs, spinal canal, lungs with a 3-D vessel tree, trachea and main bronchi, esophagus,
 * mediastinal fat, heart with contrast-filled chambers, aorta, pulmonary trunk, superior vena cava, liver
 * dome, stomach with an air cap, spleen, breasts for women, and the scanner table.
 */
import type { Rng } from '../../rng.ts';
import type { Raster } from '../raster.ts';
import { smoothstep } from '../raster.ts';

export interface VesselPoint {
  readonly x: number;
  readonly y: number;
  readonly d: number;
  readonly r: number;
}

export interface ChestAnatomy {
  readonly length: number;
  readonly bodyRx: number;
  readonly bodyRy: number;
  readonly fat: number;
  readonly female: boolean;
  readonly heartScale: number;
  readonly contrast: boolean;
  readonly vessels: readonly VesselPoint[];
  readonly ribPhase: number;
  readonly discPhase: number;
}

export interface Ellipse {
  readonly cx: number;
  readonly cy: number;
  readonly rx: number;
  readonly ry: number;
  readonly angle?: number;
}

export function createChestAnatomy(rng: Rng, opts: { female: boolean; weightKg: number; heightM: number; contrast: boolean }): ChestAnatomy {
  const bmi = opts.weightKg / (opts.heightM * opts.heightM);
  const size = opts.female ? 0.93 : 1;
  const fat = Math.min(Math.max(4 + (bmi - 20) * 1.6 + rng.normal(0, 2), 4), 35);
  const partial = {
    length: 290 + rng.int(-15, 15),
    bodyRx: (148 + rng.normal(0, 6)) * size + fat * 0.9,
    bodyRy: (106 + rng.normal(0, 5)) * size + fat * 0.8,
    fat,
    female: opts.female,
    heartScale: 1 + rng.normal(0, 0.06),
    contrast: opts.contrast,
    ribPhase: rng.float(-8, 8),
    discPhase: rng.float(0, 30),
  };
  return { ...partial, vessels: growVessels(rng.fork('vessels'), { ...partial, vessels: [] }) };
}

export interface Frame {
  readonly bodyRx: number;
  readonly bodyRy: number;
  readonly cav: Ellipse;
  readonly canalY: number;
  readonly vbY: number;
  readonly vbR: number;
}

/** Body outline, thoracic cavity and spine position at relative depth s. */
export function frame(a: ChestAnatomy, s: number): Frame {
  const top = 1 - smoothstep(0, 0.25, s);
  const bodyRx = a.bodyRx * (1 + 0.08 * top);
  const bodyRy = a.bodyRy * (1 - 0.05 * top);
  const spinousTip = bodyRy - a.fat - 6;
  const canalY = spinousTip - 29;
  const vbR = 13 + 5 * s;
  const vbY = canalY - 9 - vbR;
  const anterior = -(bodyRy - a.fat - 13);
  const posterior = vbY + 6;
  return {
    bodyRx,
    bodyRy,
    cav: { cx: 0, cy: (anterior + posterior) / 2, rx: bodyRx - a.fat - 15, ry: (posterior - anterior) / 2 },
    canalY,
    vbY,
    vbR,
  };
}

/** Lung ellipses (right = patient's right, drawn at negative x) at relative depth s. */
export function lungs(a: ChestAnatomy, s: number): { right: Ellipse; left: Ellipse } | undefined {
  if (s < -0.08 || s > 1) return undefined;
  const { cav } = frame(a, Math.min(Math.max(s, 0), 1));
  // Apices are domes (ellipsoid caps); the bases fall away behind the diaphragm.
  const grow = s < 0.42 ? Math.sqrt(Math.max(0, 1 - ((0.42 - s) / 0.5) ** 2)) : 1;
  const base = 1 - smoothstep(0.7, 1, s);
  const k = grow * base;
  if (k < 0.03) return undefined;
  const ry = 1.08 * cav.ry * k;
  const cy = cav.cy + 0.16 * cav.ry + (cav.ry - ry) * 0.6;
  const rx = (0.5 * cav.rx - 4) * (0.3 + 0.7 * Math.sqrt(k));
  const cx = 0.5 * cav.rx + 2 + (0.5 * cav.rx - 4 - rx) * 0.6;
  return {
    right: { cx: -cx, cy, rx, ry },
    left: { cx: cx + 2, cy, rx: rx * 0.95, ry: ry * 0.97 },
  };
}

/** Stomach (with its air cap) and spleen rising under the left hemidiaphragm. */
export function leftUpperAbdomen(a: ChestAnatomy, s: number): { stomach?: Ellipse; gas?: Ellipse; spleen?: Ellipse } {
  const { cav } = frame(a, Math.min(s, 1));
  const out: { stomach?: Ellipse; gas?: Ellipse; spleen?: Ellipse } = {};
  const stomachK = smoothstep(0.74, 0.95, s);
  if (stomachK > 0) {
    const r = 0.3 * cav.rx * stomachK;
    out.stomach = { cx: 0.42 * cav.rx, cy: cav.cy - 0.15 * cav.ry, rx: r, ry: r * 0.85 };
    out.gas = { cx: 0.42 * cav.rx, cy: cav.cy - 0.15 * cav.ry - r * 0.45, rx: Math.max(r - 4, 0.1) * 0.8, ry: r * 0.35 };
  }
  const spleenK = smoothstep(0.78, 0.98, s);
  if (spleenK > 0) out.spleen = { cx: 0.62 * cav.rx, cy: cav.cy + 0.45 * cav.ry, rx: 0.2 * cav.rx * spleenK, ry: 0.42 * cav.ry * spleenK, angle: 0.6 };
  return out;
}

function insideLung(a: ChestAnatomy, x: number, y: number, d: number): boolean {
  const l = lungs(a, d / a.length);
  if (!l) return false;
  return [l.right, l.left].some((e) => ((x - e.cx) / e.rx) ** 2 + ((y - e.cy) / e.ry) ** 2 < 0.8);
}

/** Branching pulmonary vessels from each hilum into its lung, sampled as discs every ~1.5 mm. */
function growVessels(rng: Rng, a: ChestAnatomy): VesselPoint[] {
  const points: VesselPoint[] = [];
  const hilumD = a.length * 0.45;
  const branch = (x: number, y: number, d: number, r: number, depth: number): void => {
    for (let tries = 0; tries < (depth === 0 ? 8 : depth < 3 ? 3 : 2); tries++) {
      let tx = 0;
      let ty = 0;
      let td = 0;
      let ok = false;
      for (let attempt = 0; attempt < 25 && !ok; attempt++) {
        const reach = 25 + rng.float(0, 55) / (depth + 1);
        const dirX = Math.sign(x || 1) * rng.float(0.2, 1);
        tx = x + dirX * reach;
        ty = y + rng.float(-1, 1) * reach * 0.9;
        td = d + rng.float(-1, 1) * reach * 1.2;
        ok = insideLung(a, tx, ty, td);
      }
      if (!ok) continue;
      const len = Math.hypot(tx - x, ty - y, td - d);
      const steps = Math.max(2, Math.round(len / 1.5));
      const rEnd = Math.max(0.55, r * 0.66);
      for (let i = 0; i <= steps; i++) {
        const t = i / steps;
        points.push({ x: x + (tx - x) * t, y: y + (ty - y) * t, d: d + (td - d) * t, r: r + (rEnd - r) * t });
      }
      if (depth < 4 && rEnd > 0.7) branch(tx, ty, td, rEnd, depth + 1);
    }
  };
  const { cav } = frame(a, 0.45);
  for (const side of [-1, 1]) branch(side * cav.rx * 0.2, cav.cy + 0.05 * cav.ry, hilumD, 4.5, 0);
  return points;
}

const AIR = -1000;

/** The heart (rotated ellipse) at relative depth s, if the level cuts it. */
export function heart(a: ChestAnatomy, s: number): Ellipse | undefined {
  const k = Math.sin(Math.PI * smoothstep(0.4, 0.86, s)) ** 0.45;
  if (!(k > 0.02)) return undefined;
  const { cav } = frame(a, s);
  return {
    cx: 0.17 * cav.rx,
    cy: cav.cy - 0.08 * cav.ry,
    rx: 0.46 * cav.rx * k * a.heartScale,
    ry: 0.56 * cav.ry * k * a.heartScale,
    angle: -0.55,
  };
}

/** Liver (right lobe) at relative depth s, if present. */
export function liver(a: ChestAnatomy, s: number): Ellipse | undefined {
  const k = smoothstep(0.58, 0.9, s);
  if (!(k > 0)) return undefined;
  const { cav } = frame(a, s);
  return { cx: -0.3 * cav.rx, cy: cav.cy + 0.1 * cav.ry, rx: 0.66 * cav.rx * k, ry: 0.82 * cav.ry * k };
}

/** Points (x, y, isCartilage) where the ribs cross depth d within ±tolerance mm. */
export function ribCrossings(a: ChestAnatomy, d: number, tolerance: number): [number, number, boolean][] {
  const { cav } = frame(a, Math.min(Math.max(d / a.length, 0), 1));
  const pathRx = cav.rx + 5;
  const pathRy = cav.ry + 5;
  const out: [number, number, boolean][] = [];
  for (let k = 0; k < 14; k++) {
    const startD = -80 + a.ribPhase + k * 24 + ((k * 7919) % 5) - 2;
    for (let phi = 0.3; phi < 2.8; phi += 0.01) {
      const ribD = startD + 26 * phi + 16 * phi * phi;
      if (Math.abs(ribD - d) > tolerance) continue;
      for (const side of [-1, 1]) {
        const theta = Math.PI / 2 - side * phi;
        out.push([cav.cx + pathRx * Math.cos(theta), cav.cy + pathRy * Math.sin(theta), phi > 2.3]);
      }
    }
  }
  return out;
}

/** Renders one axial slice (HU) of `thickness` mm at depth d into a raster of the given geometry. */
export function renderChestSlice(a: ChestAnatomy, d: number, thickness: number, raster: Raster, rng: Rng): void {
  const s = d / a.length;
  const R = raster;
  R.data.fill(AIR);
  const f = frame(a, s);
  const { cav, bodyRx: bRx, bodyRy: bRy, canalY, vbY, vbR } = f;
  const blood = a.contrast ? 165 : 42;
  const inBody = (v: number): boolean => v > -900;

  // Body wall: skin, subcutaneous fat, muscle.
  const body = { power: 2.35 };
  R.ellipse(0, 0, bRx, bRy, 35, body);
  R.ellipse(0, 0, bRx - 2, bRy - 2, -105, body);
  if (a.female && s > 0.25 && s < 0.75) {
    const k = Math.sin(Math.PI * smoothstep(0.25, 0.75, s));
    for (const side of [-1, 1]) {
      R.ellipse(side * 0.4 * bRx, -bRy * 0.78, 0.3 * bRx * k, 0.3 * bRy * k, 35);
      R.ellipse(side * 0.4 * bRx, -bRy * 0.78, 0.28 * bRx * k, 0.28 * bRy * k, -95);
      R.ellipse(side * 0.4 * bRx, -bRy * 0.76, 0.2 * bRx * k, 0.2 * bRy * k, 25, { soft: 8 });
    }
  }
  R.ellipse(0, 0, bRx - a.fat, bRy - a.fat, 48, body);
  if (s < 0.55) {
    // Pectoral muscles with a fat plane beneath.
    const k = 1 - smoothstep(0.3, 0.55, s);
    for (const side of [-1, 1]) {
      R.ellipse(side * 0.38 * bRx, cav.cy - cav.ry - 9, 0.36 * bRx * k, 11 * k, -90, { where: inBody });
      R.ellipse(side * 0.38 * bRx, cav.cy - cav.ry - 11, 0.34 * bRx * k, 8 * k, 55, { where: inBody });
    }
  }
  for (const side of [-1, 1]) {
    R.ellipse(side * 30, canalY + 6, 28.5, 24.5, 5, { where: inBody });
    R.ellipse(side * 30, canalY + 6, 27, 23, 55, { where: inBody });
  }
  // Thoracic cavity content.
  R.ellipse(cav.cx, cav.cy, cav.rx, cav.ry, 30);
  if (s < 0.55) {
    // Scapulae, outside the ribs, inside the posterior muscles.
    const k = 1 - smoothstep(0.35, 0.55, s);
    const onMuscle = (v: number): boolean => v > 35 && v < 70;
    for (const side of [-1, 1]) {
      const sx = side * cav.rx * 0.72;
      const sy = cav.cy + cav.ry * 0.85 + 16;
      R.ellipse(sx, sy, 42 * k, 4 * k, 620, { angle: side * -0.38, where: onMuscle });
    }
  }

  // Lungs with a gravity gradient.
  const l = lungs(a, s);
  if (l) {
    for (const e of [l.right, l.left]) R.ellipse(e.cx, e.cy, e.rx, e.ry, -870, { soft: 2.5, power: 2.2 });
    R.paint((_x, y, cur) => (cur < -600 ? cur + (y - cav.cy) * 0.25 : undefined));
  }

  // Upper abdomen rising into the bases: liver dome, stomach, spleen.
  const lv = liver(a, s);
  if (lv) {
    const hu = a.contrast ? 105 : 60;
    R.ellipse(lv.cx, lv.cy, lv.rx, lv.ry, hu, { soft: 2 });
    if (s > 0.82) {
      const k = smoothstep(0.82, 1, s);
      R.ellipse(0.05 * cav.rx, cav.cy - 0.35 * cav.ry, 0.34 * cav.rx * k, 0.4 * cav.ry * k, hu);
    }
  }
  const lua = leftUpperAbdomen(a, s);
  if (lua.stomach && lua.gas) {
    const st = lua.stomach;
    R.ellipse(st.cx, st.cy, st.rx, st.ry, 40);
    R.ellipse(st.cx, st.cy, st.rx - 4, st.ry - 4, 18);
    R.ellipse(lua.gas.cx, lua.gas.cy, lua.gas.rx, lua.gas.ry, AIR, { where: (v) => v < 30 && v > 0 });
  }
  if (lua.spleen) R.ellipse(lua.spleen.cx, lua.spleen.cy, lua.spleen.rx, lua.spleen.ry, a.contrast ? 115 : 50, { angle: 0.6 });

  // Mediastinum.
  if (s < 0.86) {
    const k = 1 - smoothstep(0.7, 0.86, s);
    const w = 0.17 * cav.rx * (0.75 + 0.5 * smoothstep(0.3, 0.6, s)) * k + 1;
    R.ellipse(0.02 * cav.rx, cav.cy - 0.05 * cav.ry, w, 0.98 * cav.ry, -75, { soft: 3 });
  }
  // Heart.
  const h = heart(a, s);
  if (h) {
    const { cx: hx, cy: hy, rx, ry } = h;
    R.ellipse(hx, hy, rx + 5, ry + 5, -95, { angle: -0.55 });
    R.ellipse(hx, hy, rx, ry, 48, { angle: -0.55 });
    R.ellipse(hx + 0.3 * rx, hy + 0.1 * ry, 0.42 * rx, 0.55 * ry, blood, { angle: -0.55 });
    R.ellipse(hx - 0.32 * rx, hy - 0.12 * ry, 0.38 * rx, 0.5 * ry, blood - 20, { angle: -0.55 });
    if (s < 0.6) R.ellipse(hx - 0.05 * rx, hy + 0.6 * ry, 0.45 * rx, 0.3 * ry, blood - 10);
  }
  // Great vessels.
  const aoY = vbY - vbR * 0.4;
  if (s > 0.18) R.disc(vbR + 9, aoY, 11 + 1.5 * (1 - s), blood); // descending aorta
  if (s > 0.2 && s < 0.5) R.disc(0.04 * cav.rx, cav.cy - 0.3 * cav.ry, 14, blood); // ascending aorta
  if (s > 0.17 && s < 0.24) R.ellipse(0.05 * cav.rx + 8, cav.cy - 0.02 * cav.ry, 13, 0.4 * cav.ry, blood, { angle: -0.35 }); // arch
  if (s > 0.36 && s < 0.5) R.disc(0.15 * cav.rx, cav.cy - 0.25 * cav.ry, 13, blood - 15); // pulmonary trunk
  if (s > 0.12 && s < 0.48) R.disc(-0.11 * cav.rx, cav.cy - 0.28 * cav.ry, 8.5, a.contrast ? 240 : 40); // SVC
  if (s < 0.16) for (const side of [-1, 1]) R.disc(side * 0.13 * cav.rx, cav.cy - 0.25 * cav.ry, 6, blood); // neck vessels
  // Airway and esophagus.
  if (s < 0.4) {
    const ty = cav.cy - 0.12 * cav.ry + s * 25;
    R.disc(0.01 * cav.rx, ty, 10, 40);
    R.disc(0.01 * cav.rx, ty, 8, AIR);
  } else if (s < 0.5) {
    for (const side of [-1, 1]) {
      const off = (s - 0.4) * 280;
      R.disc(side * (6 + off), cav.cy - 0.02 * cav.ry, 7, 40);
      R.disc(side * (6 + off), cav.cy - 0.02 * cav.ry, 5, AIR);
    }
  }
  if (s < 0.9) {
    R.disc(-5, vbY - vbR - 7, 7, 38);
    R.disc(-5, vbY - vbR - 7, 1.8, AIR);
  }

  // Pulmonary vessels: discs where the tree crosses this slab, painted only inside lung.
  const half = Math.max(thickness / 2, 0.75);
  for (const p of a.vessels) {
    const dz = Math.abs(p.d - d);
    if (dz > half + p.r) continue;
    const r = dz <= half ? p.r : Math.sqrt(Math.max(p.r * p.r - (dz - half) ** 2, 0));
    if (r > 0.3) R.disc(p.x, p.y, r, blood - 40, { where: (v) => v < -300 || v > blood - 60 });
  }

  // Spine: vertebral body (or disc), canal, lamina, spinous and transverse processes.
  const level = (((d + a.discPhase) % 27) + 27) % 27;
  const inDisc = level < 5;
  R.disc(0, vbY, vbR + 1.5, inDisc ? 85 : 720);
  R.disc(0, vbY, vbR - 1, inDisc ? 80 : 230);
  R.ellipse(0, canalY + 3, 14, 12, inDisc ? 60 : 620);
  R.disc(0, canalY, 7.5, 25);
  if (!inDisc) {
    R.ellipse(0, canalY + 22, 4, 14, 600);
    for (const side of [-1, 1]) R.ellipse(side * 21, canalY - 3, 13, 4.5, 600, { angle: side * -0.3 });
  }

  // Ribs: each slopes down towards the front, so this slab cuts short ovals at varying angles.
  const ribPoints = ribCrossings(a, d, 4.5 + half * 0.5);
  for (const [x, y, cartilage] of ribPoints) R.disc(x, y, 4, cartilage ? 150 : 650);
  for (const [x, y, cartilage] of ribPoints) if (!cartilage) R.disc(x, y, 2, 260);
  // Sternum and clavicles.
  if (s > 0.12 && s < 0.78) {
    R.ellipse(0, cav.cy - cav.ry - 6, 14, 6.5, 700);
    R.ellipse(0, cav.cy - cav.ry - 6, 11.5, 4, 260);
  }
  if (s < 0.14) for (const side of [-1, 1]) R.ellipse(side * 0.33 * bRx, cav.cy - cav.ry - 4, 30, 6, 700, { angle: side * -0.25, where: inBody });

  // Table: a curved carbon-fibre top and its pad, below the patient.
  R.paint((x, y, cur) => {
    if (cur > -900 || Math.abs(x) > 230) return undefined;
    const top = bRy + 3 - 0.00045 * x * x;
    if (y >= top && y < top + 5) return 180;
    if (y >= top + 5 && y < top + 30) return -930;
    if (y >= top + 30 && y < top + 33) return 120;
    return undefined;
  });

  // Partial volume and reconstruction blur; quantum noise with CT grain.
  R.blur(0.55 / R.spacingX + 0.35);
  R.addNoise(rng, 9, 0.9);
}
