/** A real redis-server (Debian) on a free loopback port, with append-only persistence so restarts keep data. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort, waitFor } from './net.ts';

export interface RedisServerOptions {
  /**
   * appendfsync: `always` (default: the restart tests lose nothing the server acknowledged) or `everysec`
   * (Redis's default, and what deploy/docker-compose.yml runs: the benchmark measures that).
   */
  fsync?: 'always' | 'everysec';
}

export class RedisServer {
  private proc: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'dh-redis-'));
  port = 0;

  constructor(private readonly opts: RedisServerOptions = {}) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', this.opts.fsync ?? 'always', '--save', ''], { stdio: 'ignore' });
    await waitFor(() => this.ping(), 10_000, 25);
  }

  private ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const s = createConnection(this.port, '127.0.0.1');
      s.once('connect', () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill(signal);
    });
    this.proc = null;
  }
}
