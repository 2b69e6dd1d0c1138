/**
 * The contract between an association and the DIMSE services (C-ECHO, C-FIND, C-GET, C-MOVE, C-STORE).
 * A service is chosen by the abstract syntax of the presentation context the request arrived on.
 * Handlers are the persona/archive policy: what they send decides the wire; they record what they did
 * through the session log.
 */
import type { SessionLog } from '../../../core/events/sessionLog.ts';
import type { DimseMessage } from '../dimse/assembler.ts';
import type { CommandInit } from '../dimse/command.ts';
import type { AcceptedContext } from '../persona/negotiate.ts';
import type { Persona } from '../../../domain/dicom/persona.ts';

export interface AssociationInfo {
  readonly callingAe: string;
  readonly calledAe: string;
  /** The peer's Maximum Length Received (0 = unlimited; null when it sent none: we then use 16384). */
  readonly peerMaxPdu: number;
  readonly contexts: ReadonlyMap<number, AcceptedContext>;
}

export interface ServiceContext {
  readonly log: SessionLog;
  readonly persona: Persona;
  readonly association: AssociationInfo;
  /** The source address as bound at connect (PROXY protocol applied). */
  readonly peerIp: string;
  /** The honeypot's own AE title (RetrieveAETitle, move originator). */
  readonly aeTitle: string;
  /** Sends one DIMSE message (command + optional data set) on a context; resolves once the socket took it. */
  send(contextId: number, command: CommandInit, dataset?: Uint8Array | null): Promise<void>;
  /** True once a C-CANCEL-RQ for this message ID arrived (checked between responses). */
  cancelled(messageId: number): boolean;
  /** Aborted or closed: stop work at once. */
  readonly signal: AbortSignal;
  /**
   * For C-GET: waits for the next message on the association (the peer's C-STORE-RSP to a sub-operation).
   * Resolves null when the association ends.
   */
  nextResponse(): Promise<DimseMessage | null>;
}

export interface DimseService {
  readonly name: string;
  /** Abstract syntaxes (SOP class UIDs) this service answers. */
  readonly sopClasses: readonly string[] | ((sopClass: string) => boolean);
  handle(message: DimseMessage, context: AcceptedContext, ctx: ServiceContext): Promise<void>;
}
