/** What the kernel-level tests (nftables / ipset blackholes in throwaway network namespaces) share. */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';

export function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a command; its stdout, or a throw naming the command and its stderr. */
export function sh(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/**
 * Null when a test can create network namespaces and run `tools` there; otherwise why it must skip. The test
 * command (scripts/ensure-system-deps.sh) installs the Debian packages, so a missing tool is named, not installed.
 */
export function netnsSkipReason(tools: readonly string[], rules: string): string | null {
  if (process.platform !== 'linux') return 'needs Linux network namespaces';
  if (process.getuid?.() !== 0) return `needs root to create network namespaces and load ${rules}`;
  const missing = tools.filter((t) => !has(t));
  if (missing.length > 0) return `needs the ${missing.join(', ')} command(s) (scripts/ensure-system-deps.sh installs them)`;
  const probe = `dh-probe-${randomBytes(3).toString('hex')}`;
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return 'the kernel refuses to create a network namespace here';
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}
