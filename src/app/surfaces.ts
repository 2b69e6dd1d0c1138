/** The surfaces `serve` starts, in order. Each later issue registers its own here. */
import { dimseSurface } from '../services/dimse/surface.ts';
import { intelSurface } from '../services/intel/index.ts';
import { integritySurface } from '../services/integrity/index.ts';
import type { Surface } from './context.ts';

// intel observes the bus: it may start after the listeners (its blackhole is then loaded a moment after they open)
// and keeps scoring the sessions they close on shutdown after its own stop (stop runs in reverse order).
export const SURFACES: Surface[] = [dimseSurface, intelSurface, integritySurface];
