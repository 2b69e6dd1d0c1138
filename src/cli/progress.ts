/** A one-line progress display on a terminal (stderr); silent when stderr is not a TTY. */
export function progressLine(label: string): { update(done: number, total: number, detail?: string): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return {
    update(done, total, detail) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const pct = total > 0 ? Math.floor((done / total) * 100) : 0;
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${detail ? ` ${detail.slice(0, 40)}` : ''}`;
      process.stderr.write(`\r${line.padEnd(100)}`);
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}
