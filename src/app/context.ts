/** What `serve` hands every surface: configuration, paths, secrets, the event bus and diagnostics. */
import type { Config } from '../core/config/settings.ts';
import type { EventBus } from '../core/events/bus.ts';
import type { Logger } from '../core/log.ts';
import type { Secrets } from '../core/secrets.ts';
import type { DataPaths } from '../core/storage/dataDir.ts';
import type { DecoyData } from './decoyData.ts';

export interface AppContext {
  config: Config;
  paths: DataPaths;
  secrets: Secrets;
  bus: EventBus;
  log: Logger;
  /** The shared archive, quarantine and honeytoken registry (opened on the first call; closed by `serve` after every surface stopped). */
  data(): Promise<DecoyData>;
}

export interface RunningSurface {
  readonly name: string;
  /** Stops accepting, closes what is open (emitting its final events), and resolves when done. */
  stop(): Promise<void>;
}

export interface Surface {
  readonly name: string;
  enabled(config: Config): boolean;
  start(ctx: AppContext): Promise<RunningSurface>;
}
