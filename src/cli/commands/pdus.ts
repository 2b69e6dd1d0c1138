import { InvalidArgumentError, type Command } from 'commander';
import { printSessionPdus } from '../../services/dimse/record/printPdus.ts';
import { loadOrExit } from '../common.ts';

function byteCount(raw: string): number {
  if (!/^\d{1,6}$/.test(raw.trim())) throw new InvalidArgumentError('expected a whole number of bytes from 0 to 999999 (e.g. 64)');
  return Number(raw);
}

export function registerPdus(program: Command): void {
  program
    .command('pdus <session>')
    .description("list a DICOM session's recorded PDUs (DATA_DIR/pdu/<day>/*.pcapng): time, direction, type, length")
    .option('--json', 'one JSON object per PDU, with its bytes in hex')
    .option('--hex <n>', 'show the first n bytes of each PDU in hex', byteCount, 0)
    .option('--pcap <file>', 'also write the session alone to a new pcapng file (for Wireshark)')
    .action(async (session: string, o: { json?: boolean; hex: number; pcap?: string }) => {
      const { config } = loadOrExit(program.opts<{ config?: string }>().config);
      const opts = { json: o.json, hexBytes: o.hex, pcapOut: o.pcap };
      process.exitCode = await printSessionPdus(config.dataDir, session, opts, (s) => void process.stdout.write(s), (s) => void process.stderr.write(s));
    });
}
