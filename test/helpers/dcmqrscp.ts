/** DCMTK's dcmqrscp over the same files, as the reference PACS a test compares against. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor } from './net.ts';
import { run } from './dimseServer.ts';

export class Dcmqrscp {
  private proc: ChildProcess | null = null;
  port = 0;
  constructor(private readonly dir: string) {}

  async start(files: string[]): Promise<void> {
    this.port = await freePort();
    const db = join(this.dir, 'qrdb');
    mkdirSync(db, { recursive: true });
    const cfg = join(this.dir, 'dcmqrscp.cfg');
    writeFileSync(
      cfg,
      [
        `NetworkTCPPort = ${this.port}`,
        'MaxPDUSize = 16384',
        'MaxAssociations = 16',
        'HostTable BEGIN',
        'HostTable END',
        'VendorTable BEGIN',
        'VendorTable END',
        'AETable BEGIN',
        `COMMON ${db} RW (200, 1024mb) ANY`,
        'AETable END',
      ].join('\n'),
    );
    execFileSync('dcmqridx', [db, ...files]);
    this.proc = spawn('dcmqrscp', ['-c', cfg], { stdio: 'ignore', env: { ...process.env, TCP_NODELAY: '1' } });
    await waitFor(async () => (await run('echoscu', ['-aec', 'COMMON', '127.0.0.1', String(this.port)], 5000)).code === 0, 15_000, 100);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGKILL');
    });
  }
}

/** The responses of `findscu -v` as lists of "(gggg,eeee) value" lines (control attributes left out), sorted. */
export function findResponses(output: string, ignore: readonly string[] = ['(0008,0005)', '(0008,0052)', '(0008,0054)', '(0008,0056)']): string[] {
  const blocks = output.split(/Find Response: \d+ \(Pending\)/).slice(1);
  return blocks
    .map((b) =>
      b
        .split('\n')
        .map((l) => /^I: (\([0-9a-f]{4},[0-9a-f]{4}\)) \S\S (.*?)\s+#/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null && !ignore.includes(m[1]!))
        .map((m) => `${m[1]} ${m[2]!.replace(/\s+\]$/, ']')}`)
        .join(' | '),
    )
    .sort();
}
