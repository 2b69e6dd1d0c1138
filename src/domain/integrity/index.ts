/** Integrity of the decoy archive: SHA-256 manifest, pristine copies, checks and restores. */
export type { Change, CheckReport, IntegrityTarget, LearnReport, Violation } from './manifest.ts';
export { checkIntegrity, hasManifest, integrityTarget, learnManifest, pristinePath, sha256File, withArchiveMaintenance, withMaintenancePaused, INTEGRITY_MIGRATIONS } from './manifest.ts';
