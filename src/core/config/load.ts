/**
 * Loads the effective configuration: defaults < optional file (dicomhawk.yaml or --config) < environment.
 * Every problem is collected and reported as one line naming the variable, the value and what is allowed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SETTINGS, type Config, type Setting, type SettingKey } from './settings.ts';

export type Source = 'default' | 'file' | 'env' | 'unset';

export interface LoadedConfig {
  readonly config: Config;
  /** Where each setting's value came from; `detail` names the file or the variable (alias) used. */
  readonly sources: Readonly<Record<SettingKey, { source: Source; detail?: string }>>;
  readonly file: string | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit --config path (must exist); otherwise ./dicomhawk.yaml is read when present. */
  configFile?: string;
  cwd?: string;
}

function show(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

function readFile(path: string, problems: string[]): Record<string, string> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    problems.push(`${path}: cannot be read as YAML: ${(err as Error).message.split('\n')[0]}`);
    return {};
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    problems.push(`${path}: expected a mapping of setting names (e.g. DICOM_PORT: 11112)`);
    return {};
  }
  const known = new Set(Object.values(SETTINGS as Record<string, Setting>).flatMap((s) => [s.env, ...(s.aliases ?? [])]));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (!known.has(k)) {
      problems.push(`${path}: ${k} is not a DICOMHawk setting (run \`dicomhawk config\` to list them)`);
      continue;
    }
    if (v === null || v === undefined) continue;
    out[k] = Array.isArray(v) ? JSON.stringify(v) : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const problems: string[] = [];
  let file: string | null = null;
  let fileValues: Record<string, string> = {};
  if (opts.configFile) {
    file = resolve(cwd, opts.configFile);
    if (!existsSync(file)) problems.push(`--config ${opts.configFile}: no such file`);
    else fileValues = readFile(file, problems);
  } else if (existsSync(resolve(cwd, 'dicomhawk.yaml'))) {
    file = resolve(cwd, 'dicomhawk.yaml');
    fileValues = readFile(file, problems);
  }

  const config: Record<string, unknown> = {};
  const sources: Record<string, { source: Source; detail?: string }> = {};
  for (const [key, s] of Object.entries(SETTINGS as Record<string, Setting>)) {
    const names = [s.env, ...(s.aliases ?? [])];
    let raw: string | undefined;
    let origin: { source: Source; detail?: string } = { source: 'unset' };
    const envName = names.find((n) => env[n] !== undefined && env[n] !== '');
    const fileName = names.find((n) => fileValues[n] !== undefined);
    if (envName) {
      raw = env[envName];
      origin = { source: 'env', detail: envName };
    } else if (fileName) {
      raw = fileValues[fileName];
      origin = { source: 'file', detail: `${file}:${fileName}` };
    } else if (s.default !== undefined) {
      raw = typeof s.default === 'function' ? s.default() : s.default;
      origin = { source: 'default' };
    }
    sources[key] = origin;
    if (raw === undefined) continue;
    const parsed = s.parse.safeParse(raw);
    if (parsed.success) {
      config[key] = parsed.data;
    } else {
      const where = origin.source === 'file' ? ` (in ${file})` : '';
      const name = origin.detail && origin.source === 'env' ? origin.detail : s.env;
      const value = s.secret ? '"***"' : show(raw);
      problems.push(`${name}=${value}${where}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
  }

  const c = config as Partial<Config>;
  if (c.tciaMinFiles !== undefined && c.tciaMaxFiles !== undefined && c.tciaMinFiles > c.tciaMaxFiles) {
    problems.push(
      `MINIMUM_TCIA_FILES_IN_SERIE=${c.tciaMinFiles} is larger than MAXIMUM_TCIA_FILES_IN_SERIE=${c.tciaMaxFiles}: the minimum must not exceed the maximum`,
    );
  }
  if (c.modalities !== undefined) {
    const bad = c.modalities.filter((m) => !/^[A-Z]{2,3}$/.test(m));
    if (bad.length > 0 || c.modalities.length === 0)
      problems.push(`MODALITIES=${show(c.modalities.join(','))}: expected DICOM modality codes such as CT, MR, US, DX (${bad.length ? `not ${bad.join(', ')}` : 'at least one'})`);
  }
  if (c.apiPort !== undefined && c.dicomPorts?.includes(c.apiPort)) problems.push(`API_PORT=${c.apiPort}: already used by DICOM_PORT`);
  if (c.consolePort !== undefined && (c.dicomPorts?.includes(c.consolePort) || c.consolePort === c.apiPort))
    problems.push(`CONSOLE_PORT=${c.consolePort}: already used by DICOM_PORT or API_PORT`);
  if (c.eventsStdout === undefined) {
    config.eventsStdout = c.prod === false;
    sources.eventsStdout = { source: 'default', detail: 'on unless PROD' };
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return { config: config as Config, sources: sources as LoadedConfig['sources'], file };
}

/** The configuration as printable rows, secrets masked (redis passwords too). */
export function describeConfig(loaded: LoadedConfig): Array<{ name: string; value: string; source: string }> {
  return (Object.entries(SETTINGS) as Array<[SettingKey, Setting]>).map(([key, s]) => {
    const v = (loaded.config as Record<string, unknown>)[key];
    const src = loaded.sources[key];
    let value: string;
    if (v === undefined) value = '(unset)';
    else if (s.secret && key === 'redisUrl') value = maskUrl(String(v));
    else if (s.secret) value = '***';
    else value = Array.isArray(v) ? v.join(',') : String(v);
    const source = src.source === 'env' || src.source === 'file' ? `${src.source} ${src.detail}` : src.detail ? `${src.source} (${src.detail})` : src.source;
    return { name: s.env, value, source };
  });
}

export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '***';
  }
}
