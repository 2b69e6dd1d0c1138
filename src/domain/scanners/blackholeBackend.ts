// Which kernel tool blocks listed scanners (BLOCK_SCANNERS_BACKEND): nftables (blackhole.ts) or, where nftables is
// absent, ipset + iptables/ip6tables (blackholeIpset.ts). `auto` asks the host: `nft --version` first, then
// `ipset --version` together with `iptables --version`; with neither it picks nftables, whose load then fails with
// the reason the operator needs to read.
import type { CommandRunner, KernelBlackhole } from './blackhole.ts';
import { Blackhole } from './blackhole.ts';
import { IpsetBlackhole } from './blackholeIpset.ts';

export const BLACKHOLE_BACKENDS = ['auto', 'nftables', 'ipset'] as const;
export type BlackholeBackendSetting = (typeof BLACKHOLE_BACKENDS)[number];

export interface BlackholeChoice {
  run: CommandRunner;
  /** The honeypot's TCP ports (the only ones closed to listed sources). */
  ports: readonly number[];
}

async function runs(run: CommandRunner, argv: readonly string[]): Promise<boolean> {
  try {
    return (await run(argv)).code === 0;
  } catch {
    return false;
  }
}

export async function createBlackhole(setting: BlackholeBackendSetting, o: BlackholeChoice): Promise<KernelBlackhole> {
  const nft = (): KernelBlackhole => new Blackhole({ run: o.run, ports: o.ports });
  const ipset = (): KernelBlackhole => new IpsetBlackhole({ run: o.run, ports: o.ports });
  if (setting === 'nftables') return nft();
  if (setting === 'ipset') return ipset();
  if (await runs(o.run, ['nft', '--version'])) return nft();
  if ((await runs(o.run, ['ipset', '--version'])) && (await runs(o.run, ['iptables', '--version']))) return ipset();
  return nft();
}
