import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MultipartError, MultipartReader, type Part } from '../../../src/services/dicomweb/multipartReader.ts';

const BODY = Buffer.from(
  'preamble to ignore\r\n--b0undary\r\nContent-Type: application/dicom\r\n\r\nfirst\r\n--b0undar\r\npart--b0undary\r\n--b0undary \t\r\n\r\n\r\n--b0undary--\r\nepilogue',
  'latin1',
);

function readAll(chunks: Buffer[]): Part[] {
  const r = new MultipartReader('b0undary');
  const parts = chunks.flatMap((c) => r.push(c));
  r.finish();
  return parts;
}

describe('multipart reader', () => {
  test('finds every part whatever the chunking (every split point, and byte by byte)', () => {
    const expect = (parts: Part[]): void => {
      assert.equal(parts.length, 2);
      assert.equal(parts[0]!.headers.get('content-type'), 'application/dicom');
      assert.equal(parts[0]!.body.toString('latin1'), 'first\r\n--b0undar\r\npart--b0undary');
      assert.equal(parts[1]!.headers.size, 0, 'a part without headers');
      assert.equal(parts[1]!.body.toString('latin1'), '');
    };
    for (let i = 0; i <= BODY.length; i++) expect(readAll([BODY.subarray(0, i), BODY.subarray(i)]));
    expect(readAll([...BODY].map((b) => Buffer.from([b]))));
  });

  test('a body that starts with the boundary (no preamble) and large parts across many chunks', () => {
    const big = Buffer.alloc(300_000, 0x41);
    const body = Buffer.concat([Buffer.from('--b0undary\r\n\r\n'), big, Buffer.from('\r\n--b0undary--')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < body.length; i += 777) chunks.push(body.subarray(i, i + 777));
    const parts = readAll(chunks);
    assert.equal(parts.length, 1);
    assert.deepEqual(parts[0]!.body, big);
  });

  test('malformed bodies are MultipartErrors with a reason', () => {
    assert.throws(() => readAll([Buffer.from('--b0undary\r\n\r\nno end')]), /closing boundary/);
    assert.throws(() => readAll([Buffer.from('no boundary at all')]), /no multipart boundary/);
    assert.throws(() => readAll([Buffer.from('--b0undaryX\r\n\r\nx\r\n--b0undary--')]), /garbage after a multipart boundary/);
    assert.throws(() => readAll([Buffer.from(`--b0undary\r\nX: ${'a'.repeat(20_000)}`)]), /part headers longer than/);
    assert.throws(() => readAll([Buffer.from('--b0undary\r\nnot a header\r\n\r\nx\r\n--b0undary--')]), /malformed part header/);
    assert.throws(() => new MultipartReader('bad"boundary'), MultipartError);
    assert.throws(() => new MultipartReader('x'.repeat(71)), MultipartError);
  });
});
