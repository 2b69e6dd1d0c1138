/**
 * What a TCIA rotation needs besides the archive, from the configuration and the install secret: the
 * installation's character set, the persona's implementation identity (written into every file's meta
 * header), the honey URL base, and the one diagnostic line about credentials. Shared by the rotation
 * surface and `dicomhawk tcia sync`.
 */
import type { Config } from '../../core/config/settings.ts';
import type { DataPaths } from '../../core/storage/dataDir.ts';
import type { Archive } from '../../domain/archive/index.ts';
import { defaultHoneyUrlBase } from '../../domain/honeytokens/tokens.ts';
import type { RotationOptions, RotationTrigger } from '../../domain/tcia/rotation.ts';
import { installCharset } from '../../app/seed.ts';
import { loadPersona } from '../../domain/dicom/persona.ts';

export type RotationBase = Omit<RotationOptions, 'events' | 'onProgress' | 'signal' | 'dryRun'>;

export function rotationOptions(config: Config, paths: DataPaths, installSecret: string, archive: Archive, trigger: RotationTrigger): RotationBase {
  const persona = loadPersona(config.dicomPersona);
  return {
    settings: config,
    paths,
    archive,
    installSecret,
    charset: installCharset(installSecret),
    implementation: { classUid: persona.implementation.classUid, versionName: persona.implementation.versionName },
    honeyUrlBase: config.honeyUrl ?? defaultHoneyUrlBase(config.apiHost, config.apiPort),
    trigger,
  };
}

/** A problem with the TCIA credentials worth one diagnostic line, or null. */
export function credentialsNote(config: Config): string | null {
  const user = Boolean(config.tciaUserName);
  const pass = Boolean(config.tciaPassword);
  if (user === pass) return null;
  return `TCIA_${user ? 'PASSWORD' : 'USER_NAME'} is not set: using the public TCIA collections without logging in`;
}

/** Settings with half-given credentials dropped (the public endpoints are used then). */
export function effectiveSettings(config: Config): Config {
  return credentialsNote(config) === null ? config : { ...config, tciaUserName: undefined, tciaPassword: undefined };
}

/** TCIA_PERIOD TCIA_PERIOD_UNIT in milliseconds. */
export function periodMs(config: Pick<Config, 'tciaPeriod' | 'tciaPeriodUnit'>): number {
  const unit = { minutes: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 }[config.tciaPeriodUnit];
  return config.tciaPeriod * unit;
}
