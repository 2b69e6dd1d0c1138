/** Small wrappers around the DCMTK command-line tools the dataset tests use as an independent oracle. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ToolResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(tool: string, args: readonly string[], input?: string): ToolResult {
  const r = spawnSync(tool, args, { encoding: 'latin1', input, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** dcmdump output (UTF-8 converted with +U8 so æ/ø/å compare as text), throwing on a non-zero exit. */
export function dcmdump(file: string, ...extra: string[]): ToolResult {
  const r = spawnSync('dcmdump', ['+U8', ...extra, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Warning or error lines DCMTK printed ("W: …", "E: …", "F: …"). */
export function problems(r: ToolResult): string[] {
  return `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^(W|E|F):/.test(l.trim()));
}

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `dicomhawk-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
