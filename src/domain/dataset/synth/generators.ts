/**
 * Modality → study generator. Modalities without a generator (MG, PT, NM, XA …) are refused with a
 * clear error, or skipped when the caller asks for that.
 */
import type { SynthModality } from '../equipment.ts';
import type { StudyGenerator } from './context.ts';
import { generateCtStudy } from './ct.ts';
import { generateMrStudy } from './mr.ts';
import { generateRadiographyStudy } from './radiography.ts';
import { generateUsStudy } from './ultrasound.ts';

export const STUDY_GENERATORS: Readonly<Record<SynthModality, StudyGenerator>> = {
  CT: generateCtStudy,
  MR: generateMrStudy,
  DX: generateRadiographyStudy,
  CR: generateRadiographyStudy,
  US: generateUsStudy,
};

export const SUPPORTED_SYNTH_MODALITIES: readonly SynthModality[] = Object.keys(STUDY_GENERATORS) as SynthModality[];

export class UnsupportedModalityError extends Error {
  constructor(readonly modalities: readonly string[]) {
    super(
      `no synthetic generator for modality ${modalities.join(', ')}; supported: ${SUPPORTED_SYNTH_MODALITIES.join(', ')} ` +
        '(import real studies of other modalities instead, or pass onUnsupported: "skip")',
    );
    this.name = 'UnsupportedModalityError';
  }
}

export function isSynthModality(value: string): value is SynthModality {
  return (SUPPORTED_SYNTH_MODALITIES as readonly string[]).includes(value);
}
