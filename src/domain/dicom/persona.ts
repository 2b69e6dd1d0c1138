/**
 * A persona is the identity DICOMHawk presents on the wire (implementation class UID and version name,
 * maximum PDU, accepted abstract and transfer syntaxes, query and association behaviour), loaded from a
 * JSON file — never a library default. Shipped personas live in `personas/`; DICOM_PERSONA names one of
 * them or a path to a file of the same shape.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const uid = z.string().regex(/^(0|[1-9]\d*)(\.(0|[1-9]\d*))+$/, 'a UID (digits and dots)').max(64);

export const personaSchema = z
  .object({
    name: z.string().min(1).max(64),
    description: z.string(),
    modelledOn: z.string(),
    aeTitle: z.string().min(1).max(16),
    implementation: z.object({ classUid: uid, versionName: z.string().min(1).max(16) }),
    /** Maximum length of P-DATA-TF we announce (0 = unlimited per PS3.8; personas use a real product's value). */
    maxPdu: z.number().int().min(0).max(0xffffffff),
    /** `scp-preference`: first of our list the client proposed (DCMTK-style); `scu-order`: first proposed that we accept. */
    transferSyntaxSelection: z.enum(['scp-preference', 'scu-order']),
    transferSyntaxes: z.object({ nonStorage: z.array(uid).min(1), storage: z.array(uid).min(1) }),
    services: z.object({ verification: z.boolean(), patientRoot: z.boolean(), studyRoot: z.boolean(), patientStudyOnly: z.boolean(), storage: z.boolean() }),
    query: z.object({ relational: z.boolean(), caseInsensitivePN: z.boolean(), maxMatches: z.number().int().min(1).max(100000) }),
    association: z.object({
      acceptAnyCalledAe: z.boolean(),
      rejectWhenNoContextAccepted: z.boolean(),
      acceptScpRoleForStorage: z.boolean(),
      asyncOpsWindow: z.object({ invoked: z.number().int().min(0).max(65535), performed: z.number().int().min(0).max(65535) }).nullable(),
      userIdentityResponse: z.boolean(),
    }),
  })
  .strict();

export type Persona = z.infer<typeof personaSchema>;

export const PERSONA_DIR = fileURLToPath(new URL('../../../personas/', import.meta.url));

export function shippedPersonas(): string[] {
  return readdirSync(PERSONA_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => basename(f, '.json'))
    .sort();
}

export class PersonaError extends Error {}

/** Loads a shipped persona by name, or a persona file by path; every problem names the file and field. */
export function loadPersona(nameOrPath: string, cwd: string = process.cwd()): Persona {
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.endsWith('.json');
  const file = looksLikePath ? (isAbsolute(nameOrPath) ? nameOrPath : resolve(cwd, nameOrPath)) : resolve(PERSONA_DIR, `${nameOrPath}.json`);
  if (!existsSync(file)) {
    throw new PersonaError(
      looksLikePath ? `persona file ${file} does not exist` : `no persona named ${JSON.stringify(nameOrPath)}; shipped personas: ${shippedPersonas().join(', ')}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PersonaError(`persona file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = personaSchema.safeParse(json);
  if (!parsed.success) {
    throw new PersonaError(`persona file ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
