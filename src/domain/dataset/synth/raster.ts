/**
 * A float image addressed in millimetres, for drawing procedural anatomy. The centre of the image is
 * (0, 0); +x runs to the right of the image (the patient's left on an axial slice), +y runs down
 * (posterior on an axial slice, inferior on a projection).
 */
import type { Rng } from '../rng.ts';

export type Blend = 'set' | 'add' | 'max';

export interface ShapeOptions {
  /** Rotation in radians (counter-clockwise as displayed). */
  readonly angle?: number;
  /** Width of the soft edge in mm (anti-aliasing / partial volume); default one pixel. */
  readonly soft?: number;
  readonly blend?: Blend;
  /** Only paint where the current value passes this test (e.g. "inside the lungs"). */
  readonly where?: (current: number) => boolean;
  /** Superellipse exponent (2 = ellipse; larger = boxier). */
  readonly power?: number;
}

export class Raster {
  readonly data: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    /** Millimetres per pixel (columns, rows). */
    readonly spacingX: number,
    readonly spacingY: number = spacingX,
    fill = 0,
  ) {
    this.data = new Float32Array(width * height).fill(fill);
  }

  /** Millimetre coordinate of a column / row centre. */
  xOf(col: number): number {
    return (col + 0.5 - this.width / 2) * this.spacingX;
  }

  yOf(row: number): number {
    return (row + 0.5 - this.height / 2) * this.spacingY;
  }

  colOf(x: number): number {
    return x / this.spacingX + this.width / 2 - 0.5;
  }

  rowOf(y: number): number {
    return y / this.spacingY + this.height / 2 - 0.5;
  }

  /** Paints an ellipse centred at (cx, cy) with semi-axes (rx, ry) in mm. */
  ellipse(cx: number, cy: number, rx: number, ry: number, value: number, opts: ShapeOptions = {}): void {
    if (rx <= 0 || ry <= 0) return;
    const angle = opts.angle ?? 0;
    const soft = Math.max(opts.soft ?? Math.max(this.spacingX, this.spacingY), 1e-3);
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const reach = Math.max(rx, ry) + soft;
    const c0 = Math.max(0, Math.floor(this.colOf(cx - reach)));
    const c1 = Math.min(this.width - 1, Math.ceil(this.colOf(cx + reach)));
    const r0 = Math.max(0, Math.floor(this.rowOf(cy - reach)));
    const r1 = Math.min(this.height - 1, Math.ceil(this.rowOf(cy + reach)));
    const minR = Math.min(rx, ry);
    const power = opts.power ?? 2;
    for (let r = r0; r <= r1; r++) {
      const dy = this.yOf(r) - cy;
      for (let c = c0; c <= c1; c++) {
        const dx = this.xOf(c) - cx;
        const u = (dx * cos + dy * sin) / rx;
        const v = (-dx * sin + dy * cos) / ry;
        let d: number;
        if (power === 2) d = Math.sqrt(u * u + v * v);
        else {
          // For p > 2 the Lp norm lies between the L∞ and L2 norms: skip the costly powers far from the border.
          const l2 = Math.sqrt(u * u + v * v);
          const linf = Math.max(Math.abs(u), Math.abs(v));
          if (l2 < 1 - (2 * soft) / minR) d = l2;
          else if (linf > 1 + (2 * soft) / minR) d = linf;
          else d = (Math.abs(u) ** power + Math.abs(v) ** power) ** (1 / power);
        }
        // Signed distance (approx.) from the border in mm, negative inside.
        const dist = (d - 1) * minR;
        const cover = clamp01(0.5 - dist / soft);
        if (cover > 0) this.#blend(r * this.width + c, value, cover, opts);
      }
    }
  }

  /** Paints a disc of radius r. */
  disc(cx: number, cy: number, r: number, value: number, opts: ShapeOptions = {}): void {
    this.ellipse(cx, cy, r, r, value, opts);
  }

  /** Paints every pixel where `f(x, y)` returns a number (coverage 1). */
  paint(f: (x: number, y: number, current: number) => number | undefined): void {
    for (let r = 0; r < this.height; r++) {
      const y = this.yOf(r);
      for (let c = 0; c < this.width; c++) {
        const i = r * this.width + c;
        const v = f(this.xOf(c), y, this.data[i] as number);
        if (v !== undefined) this.data[i] = v;
      }
    }
  }

  #blend(i: number, value: number, cover: number, opts: ShapeOptions): void {
    const cur = this.data[i] as number;
    if (opts.where && !opts.where(cur)) return;
    switch (opts.blend ?? 'set') {
      case 'add':
        this.data[i] = cur + value * cover;
        break;
      case 'max':
        this.data[i] = Math.max(cur, cur + (value - cur) * cover);
        break;
      default:
        this.data[i] = cur + (value - cur) * cover;
    }
  }

  /** Separable box blur approximating a Gaussian of the given sigma (in pixels); three passes. */
  blur(sigmaPx: number): void {
    if (sigmaPx < 0.3) return;
    const radius = Math.max(1, Math.round((Math.sqrt((12 * sigmaPx * sigmaPx) / 3 + 1) - 1) / 2));
    for (let pass = 0; pass < 3; pass++) {
      boxBlur(this.data, this.width, this.height, radius, true);
      boxBlur(this.data, this.width, this.height, radius, false);
    }
  }

  /** Adds Gaussian noise; `grainPx` > 0 blurs the noise first (CT-like texture), keeping its SD. */
  addNoise(rng: Rng, sd: number, grainPx = 0): void {
    const noise = new Raster(this.width, this.height, this.spacingX, this.spacingY);
    const n = noise.data;
    for (let i = 0; i < n.length; i++) n[i] = rng.normal();
    if (grainPx > 0) {
      noise.blur(grainPx);
      let sum = 0;
      for (let i = 0; i < n.length; i++) sum += (n[i] as number) ** 2;
      const scale = 1 / Math.sqrt(sum / n.length || 1);
      for (let i = 0; i < n.length; i++) n[i] = (n[i] as number) * scale;
    }
    for (let i = 0; i < n.length; i++) this.data[i] = (this.data[i] as number) + sd * (n[i] as number);
  }

  /** Unsharp mask (sharp reconstruction kernels). */
  sharpen(amount: number, sigmaPx = 1): void {
    const blurred = new Float32Array(this.data);
    const tmp = new Raster(this.width, this.height, this.spacingX, this.spacingY);
    tmp.data.set(blurred);
    tmp.blur(sigmaPx);
    for (let i = 0; i < this.data.length; i++) {
      const v = this.data[i] as number;
      this.data[i] = v + amount * (v - (tmp.data[i] as number));
    }
  }
}

function boxBlur(data: Float32Array, w: number, h: number, radius: number, horizontal: boolean): void {
  const len = horizontal ? w : h;
  const lines = horizontal ? h : w;
  const stride = horizontal ? 1 : w;
  const line = new Float32Array(len);
  const size = 2 * radius + 1;
  for (let l = 0; l < lines; l++) {
    const base = horizontal ? l * w : l;
    for (let i = 0; i < len; i++) line[i] = data[base + i * stride] as number;
    let acc = 0;
    for (let k = -radius; k <= radius; k++) acc += line[clampIndex(k, len)] as number;
    for (let i = 0; i < len; i++) {
      data[base + i * stride] = acc / size;
      acc += (line[clampIndex(i + radius + 1, len)] as number) - (line[clampIndex(i - radius, len)] as number);
    }
  }
}

function clampIndex(i: number, len: number): number {
  return i < 0 ? 0 : i >= len ? len - 1 : i;
}

export function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Smooth 0→1 step between a and b. */
export function smoothstep(a: number, b: number, v: number): number {
  const t = clamp01((v - a) / (b - a));
  return t * t * (3 - 2 * t);
}

/** Bump that is 1 at the centre of [a, b] and fades to 0 at its ends. */
export function window(a: number, b: number, v: number, fade = 0.05): number {
  return smoothstep(a - fade, a + fade, v) * (1 - smoothstep(b - fade, b + fade, v));
}
