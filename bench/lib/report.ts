/** Small helpers the benchmarks share: percentiles, process CPU time from /proc, number formats, a text table. */
import { readdirSync, readFileSync } from 'node:fs';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Fields after the command name of /proc/<pid>/stat (field 3 of proc(5) is index 0), or null. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** USER_HZ is 100 on Linux. */
const TICK_US = 1e6 / 100;

/** utime + stime of a process (all its threads) in µs, from /proc (null when unavailable). */
export function cpuUs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) * TICK_US : null;
}

/**
 * CPU time of a process and its descendants in µs: its own utime + stime, the cutime + cstime of the
 * children it has reaped, and the utime + stime of every live descendant (a forking server such as
 * dcmqrscp serves each association in a child process). Null when unavailable.
 */
export function treeCpuUs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  const root = statFields(pid);
  if (!root) return null;
  let ticks = Number(root[11]) + Number(root[12]) + Number(root[13]) + Number(root[14]);
  const parent = new Map<number, number>();
  const own = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (!f) continue;
    parent.set(Number(name), Number(f[1]));
    own.set(Number(name), Number(f[11]) + Number(f[12]));
  }
  for (const [p, t] of own) {
    if (p === pid) continue;
    for (let a = parent.get(p), hops = 0; a !== undefined && a > 1 && hops < 64; a = parent.get(a), hops += 1) {
      if (a === pid) {
        ticks += t;
        break;
      }
    }
  }
  return ticks * TICK_US;
}

export const fmtRate = (n: number): string => `${Math.round(n).toLocaleString('en-US')}/s`;
export const fmtMs = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(2)} ms` : 'n/a');
export const ratio = (a: number, b: number): string => (b > 0 && Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}×` : 'n/a');

export function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const [n, r] of rows.entries()) {
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
    if (n === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
