/** Honeytokens: identifiers and URLs, the registry in SQLite, and planting them in a generated archive. */
export type { HoneytokenKind } from './tokens.ts';
export { honeyToken, honeyUrl, defaultHoneyUrlBase } from './tokens.ts';
export type { HoneytokenRecord, StoredHoneytoken } from './registry.ts';
export { HoneytokenRegistry, HONEYTOKEN_MIGRATIONS } from './registry.ts';
export type { PlantOptions, PlantReport, GeneratedArchiveInput } from './plant.ts';
export { plantHoneytokens, replanArchive, selectStudies } from './plant.ts';
export { setTopLevelElements, DicomEditError } from './dicomEdit.ts';
