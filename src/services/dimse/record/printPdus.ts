/**
 * `dicomhawk pdus <session>`: one line per recorded PDU (time, direction, type, length), or JSON lines with
 * the bytes in hex; `--pcap <file>` also writes the session alone as a pcapng file for Wireshark. Returns the
 * process exit code (0 listed, 1 no record, 2 unreadable record or bad argument).
 */
import { writeFile } from 'node:fs/promises';
import { pcapngFileHeader } from './pcapng.ts';
import { readSessionRecord, type RecordedPdu } from './readRecord.ts';

export interface PrintPdusOptions {
  json?: boolean;
  /** Hex of up to this many bytes per PDU in the text form (0: none). */
  hexBytes?: number;
  /** Also write the session's packets, alone, to this pcapng file. */
  pcapOut?: string;
}

function jsonLine(p: RecordedPdu): string {
  return JSON.stringify({
    index: p.index,
    timestamp: new Date(p.timeMs).toISOString(),
    time_ms: p.timeMs,
    direction: p.direction,
    type: p.type,
    type_name: p.typeName,
    length: p.length,
    captured: p.raw.length,
    cut: p.cut,
    hex: p.raw.toString('hex'),
  });
}

function textLine(p: RecordedPdu, hexBytes: number): string {
  const name = p.typeName ?? `type 0x${p.type.toString(16).padStart(2, '0')}`;
  const arrow = p.direction === 'in' ? '→ in ' : '← out';
  const cut = p.cut ? ` (cut at ${p.raw.length})` : '';
  const hex = hexBytes > 0 ? `  ${p.raw.subarray(0, hexBytes).toString('hex')}${p.raw.length > hexBytes ? '…' : ''}` : '';
  return `${String(p.index).padStart(4)}  ${new Date(p.timeMs).toISOString()}  ${arrow}  ${name.padEnd(14)} ${String(p.length).padStart(8)} B${cut}${hex}`;
}

export async function printSessionPdus(dataDir: string, session: string, o: PrintPdusOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let r: Awaited<ReturnType<typeof readSessionRecord>>;
  try {
    r = await readSessionRecord(dataDir, session);
  } catch (e) {
    err(`dicomhawk: ${(e as Error).message}\n`);
    return 2;
  }
  if (r === null) {
    err(`dicomhawk: no PDU record for session ${session} under ${dataDir}/pdu (DICOM_PDU_RECORD off, pruned, or not a DICOM session)\n`);
    return 1;
  }
  if (o.pcapOut) {
    try {
      await writeFile(o.pcapOut, Buffer.concat([pcapngFileHeader(`DICOMHawk session ${session}`), ...r.blocks]), { flag: 'wx', mode: 0o640 });
    } catch (e) {
      err(`dicomhawk: cannot write ${o.pcapOut}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return 2;
    }
  }
  if (!o.json) out(`# session ${session}: ${r.pdus.length} PDUs in ${r.files.join(', ')} (Wireshark: frame.comment == "${session}")\n`);
  for (const p of r.pdus) out(`${o.json ? jsonLine(p) : textLine(p, o.hexBytes ?? 0)}\n`);
  return 0;
}
