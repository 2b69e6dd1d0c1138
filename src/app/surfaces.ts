/** The surfaces `serve` starts, in order. Each later issue registers its own here. */
import type { Surface } from './context.ts';

export const SURFACES: Surface[] = [];
