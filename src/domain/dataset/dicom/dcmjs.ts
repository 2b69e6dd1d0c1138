/**
 * Typed access to the parts of dcmjs we use (it ships no type declarations). Loaded through
 * `createRequire` so this module needs no ambient `declare module` that could clash with other folders.
 *
 * dcmjs is only for datasets we own or downloaded ourselves; never hand it attacker bytes (it trusts
 * element lengths).
 */
import { createRequire } from 'node:module';
import type { DicomDataset } from './dataset.ts';

export interface DictionaryEntry {
  readonly tag: string; // "(0010,0010)"
  readonly vr: string;
  readonly vm: string;
  readonly name: string;
}

interface DcmjsModule {
  readonly data: {
    readonly DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string }): {
        meta: DicomDataset;
        dict: DicomDataset;
      };
    };
    readonly DicomMetaDictionary: {
      readonly nameMap: Readonly<Record<string, DictionaryEntry | undefined>>;
      readonly dictionary: Readonly<Record<string, DictionaryEntry | undefined>>;
    };
  };
}

const load = createRequire(import.meta.url);

export const dcmjs = load('dcmjs') as DcmjsModule;
