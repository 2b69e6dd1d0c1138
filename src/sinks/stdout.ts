/** Development sink: events as JSON lines on stdout (off in PROD). Diagnostics go to stderr, never here. */
import type { Serialized, Sink } from './sink.ts';

export class StdoutSink implements Sink {
  readonly name = 'stdout';
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}
  async start(): Promise<void> {}
  write(batch: readonly Serialized[]): Promise<void> {
    const text = batch.map((s) => `${s.json}\n`).join('');
    return new Promise((resolve) => {
      if (this.out.write(text)) resolve();
      else this.out.once('drain', () => resolve());
    });
  }
  async stop(): Promise<void> {}
}
