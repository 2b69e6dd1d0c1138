/** Shared CLI plumbing: load the configuration once, print its problems as one line each, exit 2. */
import { ConfigError, loadConfig, type LoadedConfig } from '../core/config/load.ts';

export function loadOrExit(configFile?: string): LoadedConfig {
  try {
    return loadConfig({ configFile });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`dicomhawk: invalid configuration\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`);
      process.exit(2);
    }
    throw err;
  }
}

export function fail(message: string, code = 2): never {
  process.stderr.write(`dicomhawk: ${message}\n`);
  process.exit(code);
}
