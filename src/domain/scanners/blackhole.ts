// Kernel-level blocking of listed scanners with nftables. Everything lives in ONE dedicated table
// (`table inet dicomhawk`): two interval sets and an input chain at priority -10 that drops their sources.
// The host's other tables are never read for changes, flushed or deleted; `removeTable()` deletes only ours.
// Whole-list loads go through `nft -f -` as one transaction (atomic: the old set stays until the new one is in).
import { spawn } from 'node:child_process';
import type { IpRange } from './ipnum.ts';
import { parseRange, valueToIp } from './ipnum.ts';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv (no shell) with optional stdin. Tests wrap it as `ip netns exec <ns> …`. */
export type CommandRunner = (argv: readonly string[], stdin?: string) => Promise<CommandResult>;

/** A CommandRunner on child_process.spawn; `prefix` is put before every argv (e.g. ['ip', 'netns', 'exec', ns]). */
export function spawnRunner(prefix: readonly string[] = [], timeoutMs = 60_000): CommandRunner {
  return (argv, stdin) =>
    new Promise((resolve) => {
      const full = [...prefix, ...argv];
      // Our own timer rather than spawn's `timeout` option: Node leaves that one armed when the spawn itself fails
      // (no nft installed), which kept the process alive for the whole timeout.
      const child = spawn(full[0]!, full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const done = (r: CommandResult): void => {
        clearTimeout(timer);
        resolve(r);
      };
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => done({ code: 127, stdout: '', stderr: e.message }));
      child.on('close', (code) => done({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
      child.stdin.on('error', () => {});
      child.stdin.end(stdin ?? '');
    });
}

export interface BlackholeOptions {
  run: CommandRunner;
  /** nft binary; default "nft". */
  nft?: string;
  /** Our table's name in family inet; default "dicomhawk". */
  table?: string;
  /** Input hook priority; default -10 (before the usual filter chains at 0). */
  priority?: number;
  /**
   * Drop only TCP to these local ports (the honeypot's listeners). Default: every packet from a listed source.
   * With ports, replies to the host's own outbound connections (DNS, reputation APIs, apt …) from an address that
   * happens to sit in a listed range are never dropped, and the host's other services are left alone.
   */
  ports?: readonly number[];
}

/** What the intel surface needs of a kernel blackhole, whichever tool implements it (blackholeBackend.ts). */
export interface KernelBlackhole {
  readonly backend: 'nftables' | 'ipset';
  /** What we own in the kernel, for log lines ("table inet dicomhawk"). */
  readonly describe: string;
  /** The command(s) an operator runs to remove our rules by hand. */
  readonly removalHint: string;
  /** Replaces the blocked set with exactly `targets`, atomically. Returns the element counts loaded. */
  apply(targets: Iterable<string | IpRange>): Promise<{ v4: number; v6: number }>;
  /** Removes everything we own; nothing else. No-op when absent. */
  uninstall(): Promise<void>;
}

export interface NftElements {
  v4: string[];
  v6: string[];
}

export const SET_V4 = 'scanners_v4';
export const SET_V6 = 'scanners_v6';

/** Minimal CIDR blocks covering [first, last]. */
function toCidrs(family: 4 | 6, first: bigint, last: bigint): string[] {
  const bits = family === 4 ? 32 : 128;
  const out: string[] = [];
  let cur = first;
  while (cur <= last) {
    let size = 0;
    while (size < bits) {
      const next = size + 1;
      const mask = (1n << BigInt(next)) - 1n;
      if ((cur & mask) !== 0n || cur + mask > last) break;
      size = next;
    }
    out.push(size === 0 ? valueToIp(family, cur) : `${valueToIp(family, cur)}/${bits - size}`);
    cur += 1n << BigInt(size);
  }
  return out;
}

/** Merges overlapping and adjacent ranges and writes them as nft set elements (addresses and CIDR prefixes). */
export function toNftElements(ranges: Iterable<IpRange>): NftElements {
  const byFamily: Record<4 | 6, IpRange[]> = { 4: [], 6: [] };
  for (const r of ranges) byFamily[r.family].push(r);
  const out: NftElements = { v4: [], v6: [] };
  for (const family of [4, 6] as const) {
    const sorted = byFamily[family].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    let cur: { first: bigint; last: bigint } | null = null;
    const flush = (): void => {
      if (cur) (family === 4 ? out.v4 : out.v6).push(...toCidrs(family, cur.first, cur.last));
    };
    for (const r of sorted) {
      if (cur && r.first <= cur.last + 1n) {
        if (r.last > cur.last) cur.last = r.last;
      } else {
        flush();
        cur = { first: r.first, last: r.last };
      }
    }
    flush();
  }
  return out;
}

/** Parses and validates address/CIDR strings (nothing unvalidated ever reaches an nft script). */
export function parseTargets(items: Iterable<string | IpRange>): IpRange[] {
  const out: IpRange[] = [];
  for (const item of items) {
    const r = typeof item === 'string' ? parseRange(item.trim()) : item;
    if (!r) throw new Error(`not an IP address or network: ${JSON.stringify(String(item).slice(0, 80))}`);
    out.push(r);
  }
  return out;
}

function elementBlock(elements: readonly string[]): string {
  const lines: string[] = [];
  for (let i = 0; i < elements.length; i += 256) lines.push(`\t\t\t${elements.slice(i, i + 256).join(', ')}`);
  return lines.join(',\n');
}

function checkName(table: string): void {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(table)) throw new Error(`invalid nft table name: ${table}`);
}

/** The whole ruleset for our table. Loading it replaces our table atomically and touches nothing else. */
export function buildRuleset(elements: NftElements, table = 'dicomhawk', priority = -10, ports?: readonly number[]): string {
  checkName(table);
  if (!Number.isInteger(priority)) throw new Error('priority must be an integer');
  if (ports && (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535))) throw new Error('ports must be 1–65535');
  const only = ports ? ` tcp dport { ${[...new Set(ports)].sort((a, b) => a - b).join(', ')} }` : '';
  const set = (name: string, type: string, els: readonly string[]): string =>
    [
      `\tset ${name} {`,
      `\t\ttype ${type}`,
      '\t\tflags interval',
      '\t\tauto-merge',
      ...(els.length ? ['\t\telements = {', elementBlock(els), '\t\t}'] : []),
      '\t}',
    ].join('\n');
  return [
    // Declaring then deleting makes the load idempotent: it works whether or not our table exists yet.
    `table inet ${table} {}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    set(SET_V4, 'ipv4_addr', elements.v4),
    set(SET_V6, 'ipv6_addr', elements.v6),
    '\tchain input {',
    `\t\ttype filter hook input priority ${priority}; policy accept;`,
    `\t\tip saddr @${SET_V4}${only} counter drop`,
    `\t\tip6 saddr @${SET_V6}${only} counter drop`,
    '\t}',
    '}',
    '',
  ].join('\n');
}

/** One element of a live set: its text as nft names it, and its range. */
export interface SetElement {
  text: string;
  range: IpRange;
}

/** Reads `nft -j list set` output: elements are "a.b.c.d", { prefix: { addr, len } } or { range: [a, b] }. */
export function parseSetElements(json: string, family: 4 | 6): SetElement[] {
  const out: SetElement[] = [];
  const doc = JSON.parse(json) as { nftables?: unknown[] };
  for (const item of doc.nftables ?? []) {
    const set = (item as { set?: { elem?: unknown[] } }).set;
    for (const raw of set?.elem ?? []) {
      const el = (raw as { elem?: { val?: unknown } }).elem?.val ?? raw;
      let text: string | null = null;
      let range: IpRange | null = null;
      if (typeof el === 'string') {
        text = el;
        range = parseRange(el);
      } else if (el && typeof el === 'object' && 'prefix' in el) {
        const p = (el as { prefix: { addr: string; len: number } }).prefix;
        text = `${p.addr}/${p.len}`;
        range = parseRange(text);
      } else if (el && typeof el === 'object' && 'range' in el) {
        const [a, b] = (el as { range: [string, string] }).range;
        const ra = parseRange(a);
        const rb = parseRange(b);
        text = `${a}-${b}`;
        range = ra && rb ? { family: ra.family, first: ra.first, last: rb.last } : null;
      }
      if (text && range && range.family === family) out.push({ text, range });
    }
  }
  return out;
}

/** What is left of `r` after removing every range in `cut`. */
export function subtract(r: IpRange, cut: readonly IpRange[]): IpRange[] {
  let parts: IpRange[] = [r];
  for (const c of cut) {
    parts = parts.flatMap((p) => {
      if (c.last < p.first || c.first > p.last) return [p];
      const left: IpRange[] = c.first > p.first ? [{ family: p.family, first: p.first, last: c.first - 1n }] : [];
      const right: IpRange[] = c.last < p.last ? [{ family: p.family, first: c.last + 1n, last: p.last }] : [];
      return [...left, ...right];
    });
  }
  return parts;
}

export class Blackhole implements KernelBlackhole {
  readonly backend = 'nftables' as const;
  readonly #run: CommandRunner;
  readonly #nft: string;
  readonly table: string;
  readonly priority: number;
  readonly ports: readonly number[] | undefined;

  constructor(opts: BlackholeOptions) {
    this.#run = opts.run;
    this.#nft = opts.nft ?? 'nft';
    this.table = opts.table ?? 'dicomhawk';
    this.priority = opts.priority ?? -10;
    this.ports = opts.ports ? [...opts.ports] : undefined;
    checkName(this.table);
  }

  async #exec(args: readonly string[], stdin?: string): Promise<string> {
    const res = await this.#run([this.#nft, ...args], stdin);
    if (res.code !== 0) throw new Error(`nft ${args.slice(0, 3).join(' ')} failed (${res.code}): ${res.stderr.trim().slice(0, 500)}`);
    return res.stdout;
  }

  /** Replaces our table with one holding exactly `targets` (atomic). Returns the element counts loaded. */
  async apply(targets: Iterable<string | IpRange>): Promise<{ v4: number; v6: number }> {
    const els = toNftElements(parseTargets(targets));
    await this.#exec(['-f', '-'], buildRuleset(els, this.table, this.priority, this.ports));
    return { v4: els.v4.length, v6: els.v6.length };
  }

  /** Adds addresses/networks to the live sets (auto-merge folds overlaps). */
  async add(targets: Iterable<string | IpRange>): Promise<void> {
    await this.#elements('add', targets);
  }

  /**
   * Removes addresses/networks from the live sets, also when they sit inside a larger (merged) element: that element
   * is deleted and what remains of it re-added, in one nft transaction.
   */
  async remove(targets: Iterable<string | IpRange>): Promise<void> {
    const drop = parseTargets(targets);
    const lines: string[] = [];
    for (const family of [4, 6] as const) {
      const cut = drop.filter((r) => r.family === family);
      if (!cut.length) continue;
      const setName = family === 4 ? SET_V4 : SET_V6;
      const current = parseSetElements(await this.#exec(['-j', 'list', 'set', 'inet', this.table, setName]), family);
      const hit = current.filter((c) => cut.some((t) => t.first <= c.range.last && c.range.first <= t.last));
      if (!hit.length) continue;
      const rest = hit.flatMap((c) => subtract(c.range, cut));
      lines.push(`delete element inet ${this.table} ${setName} { ${hit.map((c) => c.text).join(', ')} }`);
      const again = family === 4 ? toNftElements(rest).v4 : toNftElements(rest).v6;
      if (again.length) lines.push(`add element inet ${this.table} ${setName} { ${again.join(', ')} }`);
    }
    if (lines.length) await this.#exec(['-f', '-'], `${lines.join('\n')}\n`);
  }

  async #elements(verb: 'add', targets: Iterable<string | IpRange>): Promise<void> {
    const els = toNftElements(parseTargets(targets));
    const lines: string[] = [];
    if (els.v4.length) lines.push(`${verb} element inet ${this.table} ${SET_V4} { ${els.v4.join(', ')} }`);
    if (els.v6.length) lines.push(`${verb} element inet ${this.table} ${SET_V6} { ${els.v6.join(', ')} }`);
    if (lines.length) await this.#exec(['-f', '-'], `${lines.join('\n')}\n`);
  }

  /** `nft list set` output for one family's set (text, as nft prints it). */
  listSet(family: 4 | 6): Promise<string> {
    return this.#exec(['list', 'set', 'inet', this.table, family === 4 ? SET_V4 : SET_V6]);
  }

  /** True when our table exists. */
  async exists(): Promise<boolean> {
    const out = await this.#exec(['list', 'tables', 'inet']);
    return out.split('\n').some((l) => l.trim() === `table inet ${this.table}`);
  }

  /** Deletes our table (and with it our sets and chain); nothing else. No-op when absent. */
  async removeTable(): Promise<void> {
    if (await this.exists()) await this.#exec(['delete', 'table', 'inet', this.table]);
  }

  uninstall(): Promise<void> {
    return this.removeTable();
  }

  get describe(): string {
    return `table inet ${this.table}`;
  }

  get removalHint(): string {
    return `nft delete table inet ${this.table}`;
  }
}
