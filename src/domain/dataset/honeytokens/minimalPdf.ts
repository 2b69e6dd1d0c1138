/**
 * A small, valid PDF 1.4 written by hand (no PDF library is installed): one A4 page of Helvetica text
 * (WinAnsi encoding, so æ, ø and å print), an optional link annotation and optional open action pointing
 * at a canary URL, an Info dictionary with a realistic Producer, and a correct cross-reference table.
 * The result always has an even length, so it survives DICOM's even-length padding unchanged.
 */

export interface MinimalPdfOptions {
  readonly title: string;
  /** Body text, one entry per line (long lines are not wrapped). */
  readonly lines: readonly string[];
  /** Canary URL: clickable over the last line, and fetched by readers that honour /OpenAction URIs. */
  readonly canaryUrl?: string;
  readonly openActionUri?: boolean;
  readonly author?: string;
  /** PDF date, e.g. "D:20240131093000+01'00'". */
  readonly creationDate: string;
  readonly producer?: string;
  readonly creator?: string;
}

/** Escapes a string for a PDF literal string, encoded as Latin-1/WinAnsi bytes. */
function pdfString(text: string): string {
  const safe = [...text].map((ch) => ((ch.codePointAt(0) as number) > 0xff ? '?' : ch)).join('');
  return `(${safe.replace(/[\\()]/g, (m) => `\\${m}`).replace(/\r/g, '\\r').replace(/\n/g, '\\n')})`;
}

export function buildMinimalPdf(options: MinimalPdfOptions): Buffer {
  const lineHeight = 16;
  const top = 780;
  const textOps: string[] = ['BT', '/F1 16 Tf', `56 ${top} Td`, `${pdfString(options.title)} Tj`, '/F1 11 Tf', `0 -${lineHeight * 2} Td`];
  for (const line of options.lines) textOps.push(`${pdfString(line)} Tj`, `0 -${lineHeight} Td`);
  textOps.push('ET');
  const content = textOps.join('\n');
  const lastLineY = top - lineHeight * 2 - lineHeight * (options.lines.length - 1);

  const objects: string[] = [];
  const hasLink = options.canaryUrl !== undefined;
  // 1 catalog, 2 pages, 3 page, 4 font, 5 content, 6 info, [7 link annotation], [8 URI action]
  const openAction = hasLink && options.openActionUri ? ' /OpenAction 8 0 R' : '';
  objects.push(`<< /Type /Catalog /Pages 2 0 R${openAction} >>`);
  objects.push('<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  objects.push(
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R${hasLink ? ' /Annots [7 0 R]' : ''} >>`,
  );
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  objects.push(`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`);
  const info = [
    `/Title ${pdfString(options.title)}`,
    options.author ? `/Author ${pdfString(options.author)}` : '',
    `/Creator ${pdfString(options.creator ?? 'Microsoft Word')}`,
    `/Producer ${pdfString(options.producer ?? 'Microsoft: Print To PDF')}`,
    `/CreationDate ${pdfString(options.creationDate)}`,
    `/ModDate ${pdfString(options.creationDate)}`,
  ].filter((s) => s !== '');
  objects.push(`<< ${info.join(' ')} >>`);
  if (hasLink) {
    objects.push(`<< /Type /Annot /Subtype /Link /Rect [56 ${lastLineY - 4} 539 ${lastLineY + 12}] /Border [0 0 0] /A 8 0 R >>`);
    objects.push(`<< /S /URI /URI ${pdfString(options.canaryUrl as string)} >>`);
  }

  // Header with a binary comment so tools treat the file as binary, as real producers do.
  let out = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  if (Buffer.byteLength(out, 'latin1') % 2 === 1) out += '\n';
  return Buffer.from(out, 'latin1');
}
