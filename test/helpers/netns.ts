/** What the kernel-level tests (nftables / ipset blackholes in throwaway network namespaces) share. */
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

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

/**
 * Two throwaway network namespaces, a client and a server, joined by a veth pair (dhc ↔ dhs) carrying test-only
 * addresses that exist nowhere else, and TCP listeners in the server namespace that answer "hi".
 */
export interface NetnsPair {
  /** Namespace names (for `ip netns exec <name> …`). */
  readonly client: string;
  readonly server: string;
  /**
   * A TCP connect from the client namespace to `host`:`port` (from the local address `from`, when given):
   * 0 when it succeeds within `timeoutMs`, 2 on a timeout (dropped), 3 on an error (refused).
   */
  connect(host: string, port: number, timeoutMs: number, from?: string): number;
  /** Stops the listeners and deletes both namespaces. */
  destroy(): void;
}

export interface NetnsPairOptions {
  /** Namespace names are `<prefix>-<random>-c` and `-s`. */
  prefix: string;
  /** Addresses with prefix length ("10.200.7.1/30", "fd00:db8::1/64"), of the client's and the server's end. */
  client: readonly string[];
  server: readonly string[];
  /** Where the server namespace listens ("::" listens on IPv4 too). */
  listen: { host: string; ports: readonly number[] };
}

export async function netnsPair(o: NetnsPairOptions): Promise<NetnsPair> {
  const id = randomBytes(3).toString('hex');
  const client = `${o.prefix}-${id}-c`;
  const server = `${o.prefix}-${id}-s`;
  let listener: ChildProcess | null = null;
  const destroy = (): void => {
    listener?.kill();
    spawnSync('ip', ['netns', 'del', client]);
    spawnSync('ip', ['netns', 'del', server]);
  };
  try {
    sh(['ip', 'netns', 'add', client]);
    sh(['ip', 'netns', 'add', server]);
    sh(['ip', '-n', client, 'link', 'add', 'dhc', 'type', 'veth', 'peer', 'name', 'dhs', 'netns', server]);
    // IPv6 addresses skip duplicate address detection, so that they can be used at once.
    const addr = (ns: string, dev: string, a: string): string => sh(['ip', '-n', ns, 'addr', 'add', a, 'dev', dev, ...(a.includes(':') ? ['nodad'] : [])]);
    for (const a of o.client) addr(client, 'dhc', a);
    for (const a of o.server) addr(server, 'dhs', a);
    for (const [ns, dev] of [[client, 'dhc'], [server, 'dhs'], [client, 'lo'], [server, 'lo']] as const) sh(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    const { host, ports } = o.listen;
    const listen = `const net=require('net');let n=0;for(const p of ${JSON.stringify(ports)})net.createServer((s)=>{s.on('error',()=>{});s.end('hi');}).listen({port:p,host:${JSON.stringify(host)},ipv6Only:false},()=>{if(++n===${ports.length})console.log('ready')})`;
    const proc = spawn('ip', ['netns', 'exec', server, process.execPath, '-e', listen], { stdio: ['ignore', 'pipe', 'inherit'] });
    listener = proc;
    await new Promise<void>((resolve, reject) => {
      proc.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
      proc.on('exit', (code) => reject(new Error(`listener in ${server} exited ${code}`)));
    });
  } catch (err) {
    destroy();
    throw err;
  }
  return {
    client,
    server,
    connect(host, port, timeoutMs, from) {
      const opts = JSON.stringify({ host, port, ...(from ? { localAddress: from } : {}) });
      const script = `const s=require('net').connect(${opts});s.setTimeout(${timeoutMs});s.on('connect',()=>process.exit(0));s.on('timeout',()=>process.exit(2));s.on('error',()=>process.exit(3));`;
      return spawnSync('ip', ['netns', 'exec', client, process.execPath, '-e', script], { timeout: 10_000 }).status ?? -1;
    },
    destroy,
  };
}
