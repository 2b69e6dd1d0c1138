/**
 * Reads a Part-10 file we own or downloaded ourselves into the dict form (see dataset.ts), through dcmjs.
 * Never call this on attacker-supplied bytes: dcmjs trusts element lengths; those go through the bounded
 * walker first.
 *
 * dcmjs decodes text with the file's SpecificCharacterSet and then relabels it ISO_IR 192; our writer
 * replaces it with the installation's character set anyway.
 */
import type { DicomDataset } from './dataset.ts';
import { dcmjs } from './dcmjs.ts';

export interface Part10File {
  readonly meta: DicomDataset;
  readonly dataset: DicomDataset;
  readonly transferSyntaxUid: string;
}

export function readPart10(bytes: Uint8Array): Part10File {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const message = dcmjs.data.DicomMessage.readFile(copy.buffer);
  const ts = message.meta['00020010']?.Value?.[0];
  return {
    meta: message.meta,
    dataset: message.dict,
    transferSyntaxUid: typeof ts === 'string' ? ts.replace(/\0+$/, '').trim() : '1.2.840.10008.1.2.1',
  };
}
