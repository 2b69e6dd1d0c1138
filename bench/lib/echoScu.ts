/**
 * The C-ECHO association the benchmarks drive servers with (and probe them with until they serve), on the one
 * bench SCU (scu.ts): connect → A-ASSOCIATE (Verification, implicit VR LE) → C-ECHO → A-RELEASE → close.
 */
import { IMPLICIT_LE, Scu, VERIFICATION, type AssociateOptions } from './scu.ts';

export { BENCH_IMPL_UID, EXPLICIT_LE, HOST, IMPLICIT_LE, VERIFICATION } from './scu.ts';

export const OP_TIMEOUT_MS = 5000;
export const CONTEXT_ID = 1;
/** The called AE title the SCUs use unless told otherwise (DICOMHawk and Orthanc, as configured here, accept any). */
export const DEFAULT_CALLED_AE = 'ANY-SCP';

const echoProposal = (calledAe: string): AssociateOptions => ({ calledAe, contexts: [{ id: CONTEXT_ID, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }] });

/** Connects and associates for C-ECHO; the caller echoes on CONTEXT_ID, releases and closes. */
export async function openEchoAssociation(port: number, calledAe = DEFAULT_CALLED_AE): Promise<Scu> {
  const scu = await Scu.open(port, { timeoutMs: OP_TIMEOUT_MS });
  try {
    await scu.associate(echoProposal(calledAe));
    return scu;
  } catch (err) {
    scu.close();
    throw err;
  }
}

/** One whole association: connect → A-ASSOCIATE → C-ECHO → A-RELEASE → close. */
export async function oneAssociation(port: number, calledAe = DEFAULT_CALLED_AE): Promise<void> {
  const scu = await openEchoAssociation(port, calledAe);
  try {
    await scu.echo(CONTEXT_ID);
    await scu.release();
  } finally {
    scu.close();
  }
}


