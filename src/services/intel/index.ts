/**
 * The `intel` surface: threat intelligence, scores and mass-scanner tagging/blocking for every other surface.
 * It opens no port; it observes the event bus (pipeline.ts) and owns the enrichment machinery:
 *
 * - reputation clients for the services that have a key (ABUSE_IP_API_KEY, IP_QUALITY_SCORE_API_KEY,
 *   VIRUS_TOTAL_API_KEY), at ABUSEIPDB_URL / IPQS_URL / VIRUSTOTAL_URL, behind one IntelQueue with the configured
 *   quotas and a cache in DATA_DIR/dicomhawk.db (table intel_cache);
 * - offline GeoIP (GEOIP_DB, default: the country database shipped in an npm package);
 * - the known-scanner list (SCANNER_LISTS, SCANNER_LIST_URL), re-read every SCANNER_LIST_REFRESH, installed as the
 *   bus's source tagger so that every event of a listed source carries `known_scanner: true` and its entry;
 * - with BLOCK_SCANNERS=yes, the kernel blackhole holding exactly the list entries, limited to the honeypot's
 *   TCP ports, loaded as soon as the list is read (just after start), re-loaded atomically when the list changes,
 *   and deleted at stop: an nftables table, or ipset + iptables/ip6tables where nftables is absent
 *   (BLOCK_SCANNERS_BACKEND). Without the tools or CAP_NET_ADMIN it says so in one line and the sensor runs on,
 *   tagging without blocking.
 *
 * Scoring follows the bus until the bus itself stops, so sessions that the listening surfaces close during
 * shutdown (after this surface stopped) still get their final score.
 */
import { join } from 'node:path';
import type { Config } from '../../core/config/settings.ts';
import type { Logger } from '../../core/log.ts';
import type { Db } from '../../core/storage/db.ts';
import { openDb } from '../../core/storage/db.ts';
import type { AppContext, RunningSurface, Surface } from '../../app/context.ts';
import { IntelCache } from '../../domain/intel/cache.ts';
import { AbuseIpdbClient } from '../../domain/intel/clients/abuseipdb.ts';
import type { FetchLike } from '../../domain/intel/clients/http.ts';
import { IpqsClient } from '../../domain/intel/clients/ipqs.ts';
import { VirusTotalClient } from '../../domain/intel/clients/virustotal.ts';
import { GeoIp } from '../../domain/intel/geo.ts';
import type { IntelClients } from '../../domain/intel/queue.ts';
import { IntelQueue } from '../../domain/intel/queue.ts';
import type { Scheduler } from '../../domain/intel/scheduler.ts';
import type { CommandRunner, KernelBlackhole } from '../../domain/scanners/blackhole.ts';
import { spawnRunner } from '../../domain/scanners/blackhole.ts';
import { createBlackhole } from '../../domain/scanners/blackholeBackend.ts';
import { ScannerMatcher } from '../../domain/scanners/matcher.ts';
import type { RdnsResolver } from '../../domain/scanners/rdns.ts';
import { systemRdnsResolver } from '../../domain/scanners/rdns.ts';
import { IntelPipeline } from './pipeline.ts';
import type { LoadedLists } from './scannerLists.ts';
import { ScannerLists } from './scannerLists.ts';

/** What tests (and unusual deployments) may replace; production uses the defaults. */
export interface IntelDeps {
  /** DNS for the reverse-DNS scanner check (default: the system's resolvers). */
  rdnsResolver?: RdnsResolver;
  /** Runs nft, or ipset/iptables/ip6tables (default: spawn on this host; tests: `ip netns exec <ns> …`). */
  nftRunner?: CommandRunner;
  /** HTTP for SCANNER_LIST_URL (default: global fetch). The reputation clients use their base URLs. */
  fetch?: FetchLike;
  /** Clock and timers of the reputation queue. */
  scheduler?: Scheduler;
}

export interface RunningIntel extends RunningSurface {
  readonly pipeline: IntelPipeline;
  readonly queue: IntelQueue | null;
  /** Settles once the scanner list is loaded (and, with BLOCK_SCANNERS, applied or refused). */
  readonly ready: Promise<void>;
  /** 'on' (rules loaded), 'off' (BLOCK_SCANNERS=no) or 'unavailable' (the kernel tool refused). */
  blocking(): 'on' | 'off' | 'unavailable';
  /** The kernel tool chosen for BLOCK_SCANNERS (null when off, or before the list is loaded). */
  blockingBackend(): 'nftables' | 'ipset' | null;
}

function clientsFrom(config: Config): IntelClients {
  const clients: IntelClients = {};
  const timeoutMs = config.intelTimeoutMs;
  if (config.abuseIpApiKey) clients.abuseipdb = new AbuseIpdbClient({ baseUrl: config.abuseIpdbUrl, apiKey: config.abuseIpApiKey, timeoutMs });
  if (config.ipQualityScoreApiKey) clients.ipqs = new IpqsClient({ baseUrl: config.ipqsUrl, apiKey: config.ipQualityScoreApiKey, timeoutMs });
  if (config.virusTotalApiKey) clients.virustotal = new VirusTotalClient({ baseUrl: config.virusTotalUrl, apiKey: config.virusTotalApiKey, timeoutMs });
  return clients;
}

/** TCP ports of the attacker-facing listeners: what the blackhole closes to listed sources. */
export function honeypotPorts(config: Config): number[] {
  const tls = config.dicomTlsCert && config.dicomTlsKey ? [config.dicomTlsPort] : [];
  return [...new Set([...config.dicomPorts, ...tls, config.apiPort])];
}

async function openGeo(config: Config, log: Logger): Promise<GeoIp | null> {
  const setting = config.geoipDb?.trim();
  if (setting && ['off', 'no', 'none'].includes(setting.toLowerCase())) return null;
  try {
    return await GeoIp.open(setting || undefined);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : 'cannot be opened';
    log.error(`GEOIP_DB: ${why}; running without GeoIP`);
    return null;
  }
}

function reportLists(log: Logger, lists: LoadedLists, what: string): void {
  for (const p of lists.problems) log.warn(`scanner list ${p}`);
  log.info({ entries: lists.entries.length, skippedLines: lists.skipped }, what);
}

export function createIntelSurface(deps: IntelDeps = {}): Surface {
  return {
    name: 'intel',
    enabled: () => true,
    async start(ctx: AppContext): Promise<RunningIntel> {
      const { config, log, bus } = ctx;
      const secrets = [config.abuseIpApiKey, config.ipQualityScoreApiKey, config.virusTotalApiKey].filter((k): k is string => Boolean(k));

      // Reputation: clients, cache, queue.
      const clients = clientsFrom(config);
      let db: Db | null = null;
      let queue: IntelQueue | null = null;
      if (Object.keys(clients).length > 0) {
        db = openDb(ctx.paths.db);
        queue = new IntelQueue({
          clients,
          cache: new IntelCache(db),
          lookupPrivate: config.intelLookupPrivate,
          rateLimits: { abuseipdb: config.abuseIpdbRateLimit, ipqs: config.ipqsRateLimit, virustotal: config.virusTotalRateLimit },
          successTtlMs: config.intelCacheTtlMs,
          failureTtlMs: config.intelFailureTtlMs,
          onResult: (r) => pipeline.onIntelResult(r),
          onDrop: (d) => pipeline.onIntelDrop(d),
          ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
        });
      }
      const geo = await openGeo(config, log);

      const pipeline = new IntelPipeline({
        bus,
        log,
        queue,
        geo,
        matcher: null,
        blocking: false,
        rdns: config.scannerRdns ? { resolver: deps.rdnsResolver ?? systemRdnsResolver() } : null,
        lookupPrivate: config.intelLookupPrivate,
        secrets,
      });
      pipeline.start();

      // Known scanners and the blackhole, nft operations one after another; once stopping, nothing more is applied.
      const lists = new ScannerLists({
        items: config.scannerLists,
        urls: config.scannerListUrls ?? [],
        cacheDir: join(ctx.paths.root, 'scanners'),
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      });
      const state: { blocking: 'on' | 'off' | 'unavailable' } = { blocking: 'off' };
      const ports = honeypotPorts(config);
      // Chosen (auto: by asking the host which tools run) as the first kernel operation, inside the chain below.
      let blackhole: KernelBlackhole | null = null;
      let nftChain: Promise<void> = config.blockScanners
        ? createBlackhole(config.blockScannersBackend, { run: deps.nftRunner ?? spawnRunner(), ports }).then(
            (b) => {
              blackhole = b;
            },
            (err: unknown) => {
              state.blocking = 'unavailable';
              log.warn(`BLOCK_SCANNERS=yes but no kernel blackhole could be set up (${err instanceof Error ? err.message : 'failed'}); continuing without kernel blocking, scanners are still tagged`);
            },
          )
        : Promise.resolve();
      let closing = false;
      const applyBlackhole = (l: LoadedLists): Promise<void> => {
        nftChain = nftChain.then(async () => {
          if (!blackhole || closing) return;
          try {
            const n = await blackhole.apply(l.entries.map((e) => e.range));
            if (state.blocking !== 'on') log.info({ v4Elements: n.v4, v6Elements: n.v6, ports, backend: blackhole.backend, rules: blackhole.describe }, 'scanner blackhole loaded: listed sources are dropped in the kernel');
            state.blocking = 'on';
          } catch (err) {
            const why = err instanceof Error ? err.message.split('\n')[0]!.slice(0, 300) : 'failed';
            if (state.blocking === 'on') log.warn(`scanner blackhole not updated (${why}); the previous list stays loaded`);
            else {
              state.blocking = 'unavailable';
              const needs = blackhole.backend === 'nftables' ? 'the nft command' : 'the ipset, iptables and ip6tables commands';
              log.warn(`BLOCK_SCANNERS=yes but the ${blackhole.backend} rules could not be loaded (needs ${needs} and CAP_NET_ADMIN): ${why}; continuing without kernel blocking, scanners are still tagged`);
            }
          }
        });
        return nftChain;
      };
      let loaded: LoadedLists | null = null;
      let matcher: ScannerMatcher | null = null;
      const use = async (l: LoadedLists, what: string): Promise<void> => {
        reportLists(log, l, what);
        const first = loaded === null;
        loaded = l;
        const next = new ScannerMatcher(l.entries);
        // Every event from a listed source carries known_scanner / scanner_entry / scanner_name (the bus looks the
        // source up once per session). Tagging does not wait for the kernel, and stays after stop: sessions that
        // the listeners close after this surface stopped are still tagged.
        if (!closing) bus.setSourceTagger((ip) => next.match(ip));
        // The first list tags at once; a changed one replaces the old only once the kernel holds it too, so that
        // `blocked: true` is never reported for an entry not yet loaded.
        if (first && !closing) pipeline.setScanners(next, false);
        await applyBlackhole(l);
        matcher = next;
        if (!closing) pipeline.setScanners(matcher, state.blocking === 'on');
      };

      // Refresh: re-read files, re-fetch URLs; swap and re-apply only when the entries changed.
      let refreshing: Promise<void> | null = null;
      const refresh = (): void => {
        refreshing ??= (async () => {
          try {
            const next = await lists.load(true);
            if (next.digest !== loaded?.digest && !closing) await use(next, 'scanner list changed');
          } catch (err) {
            log.error({ err }, 'scanner list refresh failed');
          } finally {
            refreshing = null;
          }
        })();
      };
      const timer = setInterval(refresh, config.scannerListRefreshMs);
      timer.unref();

      // Reading and indexing ~20 000 list entries takes a few hundred ms: done after start() returns, so the other
      // surfaces (and serve's signal handlers) are not held up; `ready` settles when the list is in use.
      const ready = (async () => {
        const first = await lists.load(false);
        if (config.blockScanners) {
          if (first.entries.length === 0) log.warn('BLOCK_SCANNERS=yes but the scanner list is empty: nothing will be blocked');
          if (config.dicomProxyProtocol) log.warn('BLOCK_SCANNERS=yes with DICOM_PROXY_PROTOCOL=yes: the kernel sees the balancer, not the client, so DICOM clients behind it cannot be blocked here');
        }
        await use(first, 'scanner list loaded');
        log.info(
          {
            services: queue?.services ?? [],
            geoip: geo ? geo.paths.length : 0,
            scannerEntries: first.entries.length,
            rdns: config.scannerRdns,
            blocking: state.blocking,
            lookupPrivate: config.intelLookupPrivate,
          },
          'threat intelligence running',
        );
        if ((config.scannerListUrls ?? []).length > 0) refresh();
      })().catch((err: unknown) => log.error({ err }, 'scanner list could not be loaded; running without it'));

      let stopped: Promise<void> | null = null;
      return {
        name: 'intel',
        pipeline,
        queue,
        ready,
        blocking: () => state.blocking,
        blockingBackend: () => (blackhole as KernelBlackhole | null)?.backend ?? null,
        stop(): Promise<void> {
          stopped ??= (async () => {
            clearInterval(timer);
            closing = true;
            pipeline.stopLookups();
            queue?.stop();
            await ready;
            await nftChain;
            const bh = blackhole as KernelBlackhole | null;
            if (bh && state.blocking === 'on') {
              try {
                await bh.uninstall();
                log.info(`scanner blackhole removed (${bh.describe})`);
              } catch (err) {
                const why = err instanceof Error ? err.message.split('\n')[0] : 'failed';
                log.warn(`scanner blackhole could not be removed: ${why}; remove it with: ${bh.removalHint}`);
              }
              state.blocking = 'off';
              pipeline.setScanners(matcher, false);
            }
            db?.close();
          })();
          return stopped;
        },
      };
    },
  };
}

export const intelSurface: Surface = createIntelSurface();
