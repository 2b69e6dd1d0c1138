// Fake reputation clients for queue tests: they record lookups and answer from a script.
import Database from 'better-sqlite3';
import { IntelCache } from '../../../src/domain/intel/cache.ts';
import type { IntelResultEvent } from '../../../src/domain/intel/queue.ts';
import type { IntelClient, IntelResult, IntelService } from '../../../src/domain/intel/types.ts';

/** IntelClient<never> fits every service slot of IntelClients (the summary type is the test's business). */
export interface FakeClient extends IntelClient<never> {
  calls: { ip: string; signal: AbortSignal | undefined }[];
}

export function fakeClient(service: IntelService, answer: (ip: string, n: number) => IntelResult<unknown> | Promise<IntelResult<unknown>>): FakeClient {
  const calls: FakeClient['calls'] = [];
  return {
    service,
    calls,
    lookup(ip, signal) {
      calls.push({ ip, signal });
      return Promise.resolve(answer(ip, calls.length)) as Promise<IntelResult<never>>;
    },
  };
}

export const VT_OK: IntelResult<unknown> = {
  ok: true,
  summary: { id: 'x', last_analysis_stats: { malicious: 1, suspicious: 0, harmless: 0, undetected: 0, timeout: 0 } },
};

export function memoryCache(): IntelCache {
  return new IntelCache(new Database(':memory:'));
}

export function collector(): { events: IntelResultEvent[]; onResult: (e: IntelResultEvent) => void } {
  const events: IntelResultEvent[] = [];
  return { events, onResult: (e) => events.push(e) };
}

/** A promise you settle later. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
