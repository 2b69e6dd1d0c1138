/** The surfaces `serve` starts, in order. Each later issue registers its own here. */
import { consoleSurface } from '../services/console/surface.ts';
import { dimseSurface } from '../services/dimse/surface.ts';
import { intelSurface } from '../services/intel/index.ts';
import { integritySurface } from '../services/integrity/index.ts';
import { tciaSurface } from '../services/tcia/index.ts';
import { webSurface } from '../services/web/surface.ts';
import type { Surface } from './context.ts';

// intel observes the bus: it may start after the listeners (its blackhole is then loaded a moment after they open)
// and keeps scoring the sessions they close on shutdown after its own stop (stop runs in reverse order).
// The console is started last (it only reads) and stopped first.
// tcia rotates the archive the listeners serve (its first rotation runs in the background once they are open).
export const SURFACES: Surface[] = [dimseSurface, webSurface, intelSurface, integritySurface, tciaSurface, consoleSurface];
