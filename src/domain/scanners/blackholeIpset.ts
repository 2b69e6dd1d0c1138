// Kernel-level blocking of listed scanners with ipset + iptables/ip6tables, for hosts without nftables: the same
// guarantees as blackhole.ts (both address families, only the honeypot's TCP ports, atomic updates, removed cleanly).
//
// What we own, and nothing else:
//   ipsets     dicomhawk_v4 (hash:net family inet), dicomhawk_v6 (hash:net family inet6)
//   chains     DICOMHAWK in the filter table of iptables and of ip6tables, each dropping TCP to the honeypot ports
//              from its family's set, and ONE jump to it at the top of INPUT.
// A list load fills a fresh set (`<name>_new`) with `ipset restore` and exchanges it with the live one by
// `ipset swap` — atomic: a packet sees either the old list or the new one, never a half-filled set — then destroys
// the old contents. The host's own chains are never flushed; `uninstall()` deletes only the jump, our chains and sets.
import type { IpRange } from './ipnum.ts';
import type { CommandRunner, KernelBlackhole } from './blackhole.ts';
import { parseTargets, toNftElements } from './blackhole.ts';

export interface IpsetBlackholeOptions {
  run: CommandRunner;
  /** Prefix of our set names and the name of our chains (lower case for sets, upper case for chains). */
  name?: string;
  ipset?: string;
  iptables?: string;
  ip6tables?: string;
  /** Drop only TCP to these local ports (default: every packet from a listed source). */
  ports?: readonly number[];
}

/** multiport takes at most 15 ports per rule. */
const MULTIPORT_MAX = 15;

/** Set elements for hash:net, which takes prefixes /1 … /32 (/128): a /0 is written as its two halves. */
export function ipsetElements(ranges: Iterable<IpRange>): { v4: string[]; v6: string[] } {
  const els = toNftElements(ranges);
  const halve = (family: 4 | 6, list: string[]): string[] =>
    list.flatMap((e) => (e.endsWith('/0') ? (family === 4 ? ['0.0.0.0/1', '128.0.0.0/1'] : ['::/1', '8000::/1']) : [e]));
  return { v4: halve(4, els.v4), v6: halve(6, els.v6) };
}

/** The `ipset restore` script that loads `elements` into a fresh set and swaps it with the live one. */
export function buildIpsetRestore(setName: string, family: 'inet' | 'inet6', elements: readonly string[]): string {
  const fresh = `${setName}_new`;
  const maxelem = Math.max(65536, elements.length * 2);
  const create = (n: string): string => `create ${n} hash:net family ${family} hashsize 1024 maxelem ${maxelem} -exist`;
  return [
    create(fresh),
    `flush ${fresh}`,
    ...elements.map((e) => `add ${fresh} ${e} -exist`),
    // The live set, created empty the first time so that the swap always has two sets.
    create(setName),
    `swap ${fresh} ${setName}`,
    `destroy ${fresh}`,
    '',
  ].join('\n');
}

function checkName(name: string): void {
  // Set names: at most 31 characters; `_v4_new` makes 7 of them.
  if (!/^[a-z][a-z0-9_]{0,23}$/.test(name)) throw new Error(`invalid ipset name prefix: ${name}`);
}

export class IpsetBlackhole implements KernelBlackhole {
  readonly backend = 'ipset' as const;
  readonly #run: CommandRunner;
  readonly #ipset: string;
  readonly #tables: { 4: string; 6: string };
  readonly name: string;
  readonly chain: string;
  readonly sets: { 4: string; 6: string };
  readonly ports: readonly number[] | undefined;

  constructor(opts: IpsetBlackholeOptions) {
    this.#run = opts.run;
    this.name = opts.name ?? 'dicomhawk';
    checkName(this.name);
    this.chain = this.name.toUpperCase();
    this.sets = { 4: `${this.name}_v4`, 6: `${this.name}_v6` };
    this.#ipset = opts.ipset ?? 'ipset';
    this.#tables = { 4: opts.iptables ?? 'iptables', 6: opts.ip6tables ?? 'ip6tables' };
    if (opts.ports && (opts.ports.length === 0 || opts.ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535))) throw new Error('ports must be 1–65535');
    this.ports = opts.ports ? [...new Set(opts.ports)].sort((a, b) => a - b) : undefined;
  }

  /** What we own, for log lines. */
  get describe(): string {
    return `ipsets ${this.sets[4]}/${this.sets[6]} and iptables/ip6tables chain ${this.chain}`;
  }

  /** How an operator removes our rules by hand when we could not. */
  get removalHint(): string {
    return `iptables -D INPUT -j ${this.chain}; iptables -X ${this.chain}; ip6tables -D INPUT -j ${this.chain}; ip6tables -X ${this.chain}; ipset destroy ${this.sets[4]}; ipset destroy ${this.sets[6]}`;
  }

  async #exec(argv: readonly string[], stdin?: string, allowFail = false): Promise<{ ok: boolean; stdout: string }> {
    const res = await this.#run(argv, stdin);
    if (res.code !== 0 && !allowFail) throw new Error(`${argv.slice(0, 3).join(' ')} failed (${res.code}): ${res.stderr.trim().slice(0, 500)}`);
    return { ok: res.code === 0, stdout: res.stdout };
  }

  /** The DROP rules of one family's chain (argv after `iptables -A <chain>`). */
  #rules(family: 4 | 6): string[][] {
    const match = ['-m', 'set', '--match-set', this.sets[family], 'src'];
    if (!this.ports) return [[...match, '-j', 'DROP']];
    const out: string[][] = [];
    for (let i = 0; i < this.ports.length; i += MULTIPORT_MAX) {
      out.push(['-p', 'tcp', '-m', 'multiport', '--dports', this.ports.slice(i, i + MULTIPORT_MAX).join(','), ...match, '-j', 'DROP']);
    }
    return out;
  }

  /** Our chain with exactly our rules, and one jump to it at the top of INPUT (idempotent). */
  async #ensureChain(family: 4 | 6): Promise<void> {
    const ipt = this.#tables[family];
    if (!(await this.#exec([ipt, '-w', '-S', this.chain], undefined, true)).ok) await this.#exec([ipt, '-w', '-N', this.chain]);
    await this.#exec([ipt, '-w', '-F', this.chain]);
    for (const rule of this.#rules(family)) await this.#exec([ipt, '-w', '-A', this.chain, ...rule]);
    if (!(await this.#exec([ipt, '-w', '-C', 'INPUT', '-j', this.chain], undefined, true)).ok) await this.#exec([ipt, '-w', '-I', 'INPUT', '1', '-j', this.chain]);
  }

  /** Loads exactly `targets` (atomic swap of each family's set); the first time also our chains. */
  async apply(targets: Iterable<string | IpRange>): Promise<{ v4: number; v6: number }> {
    const els = ipsetElements(parseTargets(targets));
    await this.#exec([this.#ipset, 'restore'], buildIpsetRestore(this.sets[4], 'inet', els.v4));
    await this.#exec([this.#ipset, 'restore'], buildIpsetRestore(this.sets[6], 'inet6', els.v6));
    await this.#ensureChain(4);
    await this.#ensureChain(6);
    return { v4: els.v4.length, v6: els.v6.length };
  }

  /** `ipset list` output of one family's set. */
  async listSet(family: 4 | 6): Promise<string> {
    return (await this.#exec([this.#ipset, 'list', this.sets[family]])).stdout;
  }

  /** True when either of our sets exists. */
  async exists(): Promise<boolean> {
    const names = (await this.#exec([this.#ipset, 'list', '-n'])).stdout.split('\n').map((l) => l.trim());
    return names.includes(this.sets[4]) || names.includes(this.sets[6]);
  }

  /** Deletes the jumps, our chains and our sets (rules first: a set in use cannot be destroyed). No-op when absent. */
  async uninstall(): Promise<void> {
    for (const family of [4, 6] as const) {
      const ipt = this.#tables[family];
      // Every jump to our chain (more than one if someone re-added it), then the chain itself.
      for (let i = 0; i < 16 && (await this.#exec([ipt, '-w', '-C', 'INPUT', '-j', this.chain], undefined, true)).ok; i++) {
        await this.#exec([ipt, '-w', '-D', 'INPUT', '-j', this.chain]);
      }
      if ((await this.#exec([ipt, '-w', '-S', this.chain], undefined, true)).ok) {
        await this.#exec([ipt, '-w', '-F', this.chain]);
        await this.#exec([ipt, '-w', '-X', this.chain]);
      }
    }
    const names = (await this.#exec([this.#ipset, 'list', '-n'])).stdout.split('\n').map((l) => l.trim());
    for (const family of [4, 6] as const) {
      for (const set of [this.sets[family], `${this.sets[family]}_new`]) if (names.includes(set)) await this.#exec([this.#ipset, 'destroy', set]);
    }
  }
}
