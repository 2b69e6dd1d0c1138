/**
 * An incremental reader for multipart bodies (RFC 2046 §5.1, as used by STOW-RS multipart/related):
 * push the request's chunks as they arrive and receive each part (headers and body) as soon as its closing
 * delimiter is seen, so a request holds at most one part in memory. The pending bytes live in one buffer
 * that grows by doubling and is read through a cursor (no re-concatenation per chunk); each delimiter
 * search restarts only where the previous one could not have matched. Header blocks are capped; the
 * caller caps parts and total bytes.
 */

export class MultipartError extends Error {}

export interface Part {
  /** Header names lower case; values as sent (first occurrence). */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_PREAMBLE_BYTES = 64 * 1024;

type State = 'preamble' | 'afterDelimiter' | 'headers' | 'body' | 'done';

/** The boundary parameter is 1–70 characters of RFC 2046's bchars. */
export function validBoundary(b: string): boolean {
  return /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(b);
}

export class MultipartReader {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private start = 0;
  private end = 0;
  private state: State = 'preamble';
  private searchFrom = 0;
  private headers = new Map<string, string>();
  private readonly delimiter: Buffer;
  /** Bytes of preamble seen (before the first delimiter). */
  private preamble = 0;

  /** `maxBuffered`: the most bytes the reader will ever hold (the caller's request cap); growth stops there. */
  constructor(
    boundary: string,
    private readonly maxBuffered: number = Number.MAX_SAFE_INTEGER,
  ) {
    if (!validBoundary(boundary)) throw new MultipartError('invalid multipart boundary');
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    // The first delimiter may open the body without a CRLF before it: pretend there was one.
    this.append(CRLF);
  }

  get finished(): boolean {
    return this.state === 'done';
  }

  private append(chunk: Buffer): void {
    const len = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      if (len + chunk.length <= this.buf.length / 2) {
        this.buf.copy(this.buf, 0, this.start, this.end);
      } else {
        let cap = this.buf.length;
        while (cap < len + chunk.length) cap *= 2;
        // Doubling amortises the copies; never past what the caller allows (plus the chunk in hand).
        cap = Math.max(len + chunk.length, Math.min(cap, this.maxBuffered + this.delimiter.length));
        const next = Buffer.allocUnsafe(cap);
        this.buf.copy(next, 0, this.start, this.end);
        this.buf = next;
      }
      this.searchFrom -= this.start;
      this.start = 0;
      this.end = len;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  private view(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  /** Feeds a chunk; returns the parts it completed. Throws MultipartError on a malformed body. */
  push(chunk: Buffer): Part[] {
    if (this.state === 'done') return []; // epilogue: ignored
    this.append(chunk);
    const parts: Part[] = [];
    for (;;) {
      const v = this.view();
      if (this.state === 'preamble' || this.state === 'body') {
        const from = Math.max(0, this.searchFrom - this.start);
        const at = v.indexOf(this.delimiter, from);
        if (at === -1) {
          this.searchFrom = this.start + Math.max(0, v.length - this.delimiter.length + 1);
          if (this.state === 'preamble') {
            this.preamble = v.length;
            if (this.preamble > MAX_PREAMBLE_BYTES) throw new MultipartError(`no multipart boundary in the first ${MAX_PREAMBLE_BYTES} bytes`);
          }
          return parts;
        }
        if (this.state === 'body') parts.push({ headers: this.headers, body: Buffer.from(v.subarray(0, at)) });
        this.start += at + this.delimiter.length;
        this.searchFrom = this.start;
        this.state = 'afterDelimiter';
        continue;
      }
      if (this.state === 'afterDelimiter') {
        if (v.length < 2) return parts;
        if (v[0] === 0x2d && v[1] === 0x2d) {
          this.state = 'done';
          this.start = this.end;
          return parts;
        }
        // Transport padding (spaces, tabs) up to the CRLF that ends the delimiter line.
        const eol = v.indexOf(CRLF);
        if (eol === -1) {
          if (v.length > 256) throw new MultipartError('garbage after a multipart boundary');
          return parts;
        }
        if (!/^[ \t]*$/.test(v.toString('latin1', 0, eol))) throw new MultipartError('garbage after a multipart boundary');
        // Keep the CRLF: an empty header block is then simply "\r\n\r\n" from here.
        this.start += eol;
        this.state = 'headers';
        continue;
      }
      if (this.state === 'headers') {
        const at = v.indexOf(HEADER_END);
        if (at === -1) {
          if (v.length > MAX_HEADER_BYTES) throw new MultipartError(`part headers longer than ${MAX_HEADER_BYTES} bytes`);
          return parts;
        }
        if (at > MAX_HEADER_BYTES) throw new MultipartError(`part headers longer than ${MAX_HEADER_BYTES} bytes`);
        this.headers = parseHeaders(v.toString('latin1', 2, at));
        this.start += at + HEADER_END.length;
        this.searchFrom = this.start;
        this.state = 'body';
        continue;
      }
      return parts;
    }
  }

  /** At the end of the request: throws when the closing delimiter never came. */
  finish(): void {
    if (this.state === 'preamble') throw new MultipartError('no multipart boundary in the body');
    if (this.state !== 'done') throw new MultipartError('the body ends inside a part (no closing boundary)');
  }
}

function parseHeaders(text: string): Map<string, string> {
  const out = new Map<string, string>();
  if (text === '') return out;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`malformed part header line ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(colon + 1).trim());
  }
  return out;
}
