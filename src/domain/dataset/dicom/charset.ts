/**
 * Specific Character Set of the archive. One installation uses one: ISO_IR 100 (Latin-1, what most Danish
 * PACS send) or ISO_IR 192 (UTF-8). Both hold æ, ø and å. dcmjs can only write UTF-8, which is one reason
 * we write Part-10 files ourselves.
 */
export type Charset = 'ISO_IR 100' | 'ISO_IR 192';

export const CHARSETS: readonly Charset[] = ['ISO_IR 100', 'ISO_IR 192'];

export const DEFAULT_CHARSET: Charset = 'ISO_IR 100';

export function isCharset(value: string): value is Charset {
  return (CHARSETS as readonly string[]).includes(value);
}

/** Whether every character of `text` exists in the character set. */
export function canEncode(text: string, charset: Charset): boolean {
  if (charset === 'ISO_IR 192') return true;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/** Encodes text for the character set; characters Latin-1 lacks become "?". */
export function encodeText(text: string, charset: Charset): Buffer {
  if (charset === 'ISO_IR 192') return Buffer.from(text, 'utf8');
  let safe = '';
  for (const ch of text) safe += (ch.codePointAt(0) as number) > 0xff ? '?' : ch;
  return Buffer.from(safe, 'latin1');
}

/** Decodes bytes written in the character set. */
export function decodeText(bytes: Uint8Array, charset: Charset): string {
  return Buffer.from(bytes).toString(charset === 'ISO_IR 192' ? 'utf8' : 'latin1');
}
