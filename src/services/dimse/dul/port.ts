/**
 * The port: everything the DUL actions do to the outside world. The socket layer implements it
 * (writing PDUs, owning the ARTIM timer, closing the socket) and the upper layer receives the
 * indications through it. The machine never touches a socket, a codec or a clock itself.
 */
import type { AbortReason, AbortSource, AssociateRejection } from './constants.ts';
import type { DulPayloadTypes, HawkTimerExpiry, ReceivedAbort, ReceivedAssociateRj } from './events.ts';

/** Which end of the association this machine is (decides AR-8's next state, PS3.8 Table 9-8). */
export type DulRole = 'acceptor' | 'requestor';

/**
 * The answer of the AE-6 policy hook (PS3.8 Table 9-6: "if A-ASSOCIATE-RQ acceptable by
 * service-provider"). `'accept'` passes the request up as an A-ASSOCIATE indication (Sta3); a
 * rejection is sent at once as an A-ASSOCIATE-RJ PDU (Sta13).
 */
export type AssociateRqVerdict = 'accept' | { readonly reject: AssociateRejection };

/**
 * Primitives the machine issues to its service-user, PS3.8 §7 (A-ASSOCIATE §7.1, A-RELEASE §7.2,
 * A-ABORT §7.3, A-P-ABORT §7.4, P-DATA §7.6). Received field values stay plain numbers.
 */
export type DulIndication<T extends DulPayloadTypes = DulPayloadTypes> =
  /** AE-6: a request passed the provider's check; answer with Evt7 (accept) or Evt8 (reject). */
  | { readonly primitive: 'A-ASSOCIATE indication'; readonly associateRq: T['associateRq'] }
  /** AE-3 (requestor): the peer accepted. */
  | { readonly primitive: 'A-ASSOCIATE confirmation'; readonly result: 'accepted'; readonly associateAc: T['associateAc'] }
  /** AE-4 (requestor): the peer rejected; the transport is being closed. */
  | { readonly primitive: 'A-ASSOCIATE confirmation'; readonly result: 'rejected'; readonly rejection: ReceivedAssociateRj }
  /** DT-2, AR-6: data arrived. */
  | { readonly primitive: 'P-DATA indication'; readonly pData: T['pData'] }
  /** AR-2 (`collision: false`), AR-8 (`collision: true`): answer with Evt14. */
  | { readonly primitive: 'A-RELEASE indication'; readonly collision: boolean }
  /** AR-3, AR-10: the peer confirmed our release request. */
  | { readonly primitive: 'A-RELEASE confirmation' }
  /** AA-3: the peer's service-user aborted (A-ABORT PDU with source 0). */
  | { readonly primitive: 'A-ABORT indication'; readonly source: number; readonly reason: number }
  /** AA-3: the peer's service-provider (or a reserved source) aborted. */
  | ({ readonly primitive: 'A-P-ABORT indication'; readonly origin: 'peer' } & ReceivedAbort)
  /** AA-8: this side aborted because of what the peer sent; `reason` is what went on the wire. */
  | { readonly primitive: 'A-P-ABORT indication'; readonly origin: 'local'; readonly reason: AbortReason }
  /** AA-4: the transport connection closed under an association. */
  | { readonly primitive: 'A-P-ABORT indication'; readonly origin: 'transport' }
  /** AA-2T (honeypot): an idle or lifetime timer cut the connection. */
  | ({ readonly primitive: 'A-P-ABORT indication'; readonly origin: 'timer' } & Partial<HawkTimerExpiry>);

/** The primitive names, for exhaustive handling by the upper layer. */
export type DulPrimitive = DulIndication['primitive'];

/**
 * What the actions call. Methods should not throw: a throw is caught by the machine, reported as a
 * `DulActionError`, and leaves the state unchanged (see `DulMachine`). Calls happen synchronously
 * inside `DulMachine.handle`; a method may itself call `handle` (the event is queued, not nested).
 */
export interface DulPort<T extends DulPayloadTypes = DulPayloadTypes> {
  /**
   * AE-6 policy hook (intervention: its answer decides the wire). Called after ARTIM is stopped,
   * exactly once per accepted A-ASSOCIATE-RQ in Sta2. Must be synchronous; for a slow decision
   * answer `'accept'` and let the upper layer answer the indication later with Evt7/Evt8 — the
   * honeypot's idle timer (Evt18T) bounds that wait. A throw or a malformed answer sends the
   * machine's fallback rejection.
   */
  examineAssociateRq(associateRq: T['associateRq']): AssociateRqVerdict;

  /** AE-7: send an A-ASSOCIATE-AC PDU (PS3.8 §9.3.3). */
  sendAssociateAc(associateAc: T['associateAc']): void;
  /** AE-6 reject branch, AE-8: send an A-ASSOCIATE-RJ PDU (PS3.8 §9.3.4). */
  sendAssociateRj(rejection: AssociateRejection): void;
  /** DT-1, AR-7: send a P-DATA-TF PDU (PS3.8 §9.3.5). */
  sendPData(pData: T['pData']): void;
  /** AR-1: send an A-RELEASE-RQ PDU (PS3.8 §9.3.6). */
  sendReleaseRq(): void;
  /** AR-4, AR-9: send an A-RELEASE-RP PDU (PS3.8 §9.3.7). */
  sendReleaseRp(): void;
  /** AA-1, AA-7, AA-8: send an A-ABORT PDU (PS3.8 §9.3.8). */
  sendAbort(source: AbortSource, reason: AbortReason): void;

  /** AE-4, AR-3, AA-2, AA-3, AA-2T: close the transport connection (PS3.8 §9.1.4). */
  closeTransport(): void;

  /** AE-5, AE-6, AE-8, AR-4, AA-1, AA-8: start ARTIM, or restart it if running (PS3.8 §9.1.5). */
  startArtim(): void;
  /** AE-6, AR-5, AA-2, AA-5, AA-2T: stop ARTIM if running; a no-op otherwise. */
  stopArtim(): void;

  /** Issue a primitive to the local service-user (the association / DIMSE layer). */
  indicate(indication: DulIndication<T>): void;

  /** AE-1 (requestor only): issue TRANSPORT CONNECT; later feed Evt2 (connected) or Evt17. */
  requestTransportConnection?(associateRq: T['associateRq']): void;
  /** AE-2 (requestor only): send the A-ASSOCIATE-RQ PDU given with Evt1 (PS3.8 §9.3.2). */
  sendAssociateRq?(associateRq: T['associateRq']): void;
}
