/**
 * One DICOM connection: socket → PDU framer → DUL state machine (PS3.8) → DIMSE assembler → services.
 * This class is the DUL's port: it writes the PDUs the actions ask for, owns the timers (ARTIM, and the
 * honeypot's idle, lifetime and slow-sender cuts, all ending in Evt18T), and records every step as events.
 *
 * The timers are deadlines watched by one node timer per connection, armed for the earliest of them: a PDU
 * only moves the idle deadline (no timer call per PDU); the timer re-arms itself when it finds that the
 * deadline it was set for has moved.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../../../core/log.ts';
import type { SessionLog } from '../../../core/events/sessionLog.ts';
import type { EventFields } from '../../../core/events/catalogue.ts';
import { associationRequestFields } from '../associationRequestFields.ts';
import { DimseAssembler, type DimseMessage } from '../dimse/assembler.ts';
import { CommandField, encodeCommand, isResponse, type CommandInit } from '../dimse/command.ts';
import { commandPdu, pDataFragments, PDV_OVERHEAD } from '../dimse/fragment.ts';
import { DulMachine, type AssociateRqVerdict, type DulIndication, type DulPort } from '../dul/index.ts';
import type { AbortReason, AbortSource, AssociateRejection } from '../dul/constants.ts';
import { identifyClient, type ClientIdentification } from '../fingerprint.ts';
import { PduFramer, type FramedPdu, type FramerError } from '../net/framer.ts';
import { abortReasonName, encodeAbort } from '../pdu/abort.ts';
import { encodeAssociateAc, type AssociateAcInit } from '../pdu/associateAc.ts';
import { encodeAssociateRj, rejectReasonName } from '../pdu/associateRj.ts';
import type { AssociateRq } from '../pdu/associateRq.ts';
import { decodePdu } from '../pdu/decode.ts';
import { presentationContextResultName } from '../pdu/items/presentationContext.ts';
import type { PData } from '../pdu/pData.ts';
import { encodeReleaseRp } from '../pdu/releaseRp.ts';
import { encodeReleaseRq } from '../pdu/releaseRq.ts';
import { negotiate, type AcceptedContext, type Negotiation } from '../persona/negotiate.ts';
import type { Persona } from '../../../domain/dicom/persona.ts';
import type { SessionPduRecorder } from '../record/sessionRecorder.ts';
import type { AssociationInfo, ServiceContext } from '../services/service.ts';
import type { ServiceRegistry } from '../services/registry.ts';
import type { ConnectionLimits } from './limits.ts';

interface Payloads {
  associateRq: AssociateRq;
  associateAc: AssociateAcInit;
  /** Received: the decoded P-DATA-TF; sent: an encoded P-DATA-TF PDU. */
  pData: PData | Buffer;
}

export interface ConnectionDeps {
  socket: Socket;
  log: SessionLog;
  /** The session's raw PDU record (every PDU in and out); null: not recorded. */
  record: SessionPduRecorder | null;
  persona: Persona;
  aeTitle: string;
  limits: ConnectionLimits;
  services: ServiceRegistry;
  diag: Logger;
  peerIp: string;
  listenerPort: number;
  onClosed(): void;
}

/** Extra fields of `dicomhawk.session.connect` known to the listener (TLS parameters, PROXY v2 origin). */
export type ConnectExtra = Omit<EventFields<'dicomhawk.session.connect'>, 'listener_port'>;

/** Default Maximum Length Received when the peer announced none (PS3.8 D.1 leaves it to us; DCMTK uses 16384). */
const DEFAULT_PEER_MAX_PDU = 16384;
/** Time to wait in Sta13 for the peer to close after we rejected or aborted. */
const CLOSING_GRACE_MS = 1000;
const SLOW_WINDOW_MS = 10_000;
const MAX_QUEUED_MESSAGES = 32;
/** One reason object for every ended association (AbortController.abort() would build a DOMException each time). */
const ASSOCIATION_ENDED = Object.freeze({ reason: 'association ended' });
/** A deadline this close (ms) counts as reached: node may run a timer a fraction of a millisecond before it. */
const DEADLINE_SLACK_MS = 1;

/**
 * Fingerprint and known-client guess of recently seen A-ASSOCIATE-RQ PDUs, by their exact bytes: a pure function
 * of the PDU, and scanners send the same PDU over and over. Bounded in entries (emptied when full) and in key size.
 */
const CLIENT_MEMO_ENTRIES = 512;
const CLIENT_MEMO_MAX_PDU = 4096;
const clientMemo = new Map<string, ClientIdentification>();

function identifyClientMemo(rq: AssociateRq, raw: Buffer | null): ClientIdentification {
  if (raw === null || raw.length > CLIENT_MEMO_MAX_PDU) return identifyClient(rq);
  const key = raw.toString('latin1');
  let id = clientMemo.get(key);
  if (id === undefined) {
    id = Object.freeze(identifyClient(rq));
    if (clientMemo.size >= CLIENT_MEMO_ENTRIES) clientMemo.clear(); // O(1), unlike dropping the oldest of a Map
    clientMemo.set(key, id);
  }
  return id;
}

export class DimseConnection implements DulPort<Payloads> {
  private readonly machine: DulMachine<Payloads>;
  private readonly framer: PduFramer;
  private assembler: DimseAssembler | null = null;
  private negotiation: Negotiation | null = null;
  private association: AssociationInfo | null = null;
  private readonly startedAt = Date.now();
  /** Deadlines on the performance.now() clock (Infinity: not running). */
  private artimAt = Infinity;
  private idleAt = Infinity;
  private lifetimeAt: number;
  private slowAt = Infinity;
  private timer: NodeJS.Timeout | null = null;
  /** When `timer` fires (Infinity: not armed). */
  private timerAt = Infinity;
  private bytesIn = 0;
  private bytesOut = 0;
  private pdusIn = 0;
  private pdusOut = 0;
  private windowBytes = 0;
  private closeReason: string | null = null;
  private finished = false;
  private rqSeen = false;
  /** Abstract syntax of each proposed context, in the order sent (the AC answers in the same order). */
  private proposedSyntaxes: string[] = [];
  /** Raw bytes of the A-ASSOCIATE-RQ being examined (valid only during that synchronous call). */
  private rqRaw: Buffer | null = null;
  private readonly queue: DimseMessage[] = [];
  private busy = false;
  private readonly cancelledIds = new Set<number>();
  private responseWaiter: ((m: DimseMessage | null) => void) | null = null;
  /** Set once the association has ended; the AbortController exists only once a service asked for its signal. */
  private ended = false;
  private abortController: AbortController | null = null;
  /** The services' view of this association, made once (the association does not change once accepted). */
  private serviceCtx: ServiceContext | null = null;
  private readonly slowWindowMs: number;

  constructor(private readonly d: ConnectionDeps) {
    this.machine = new DulMachine<Payloads>({
      port: this,
      onError: (err) => d.diag.warn({ session: d.log.identity.session, err: err.message }, 'DUL error'),
    });
    this.framer = new PduFramer({
      announcedMaxPdu: d.persona.maxPdu,
      maxAssociateRqLength: d.limits.maxAssociateBytes,
      onPdu: (p) => this.onPdu(p),
      onError: (e) => this.onFramerError(e),
    });
    this.slowWindowMs = d.limits.slowWindowMs ?? SLOW_WINDOW_MS;
    const now = performance.now();
    this.lifetimeAt = now + d.limits.lifetimeMs;
    if (d.limits.minBytesPerSec > 0) this.slowAt = now + this.slowWindowMs;
  }

  /**
   * Starts the DUL on an accepted transport connection; `initial` holds bytes already read (PROXY header leftovers),
   * `connectExtra` is merged into the session.connect event (TLS protocol and cipher, `proxied`).
   */
  start(initial?: Buffer, connectExtra: ConnectExtra = {}): void {
    const s = this.d.socket;
    s.setNoDelay(true);
    s.on('data', (chunk: Buffer) => this.onData(chunk));
    s.on('error', (err) => {
      this.closeReason ??= `socket error: ${(err as NodeJS.ErrnoException).code ?? err.message}`;
    });
    s.on('close', () => this.onSocketClosed());
    this.d.log.emit('dicomhawk.session.connect', { ...connectExtra, listener_port: this.d.listenerPort });
    this.machine.handle('Evt5');
    this.arm();
    if (initial && initial.length > 0) this.onData(initial);
  }

  // ---- input ---------------------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    if (this.finished) return;
    this.bytesIn += chunk.length;
    this.windowBytes += chunk.length;
    this.framer.push(chunk);
  }

  private onFramerError(e: FramerError): void {
    this.d.log.emit('dicomhawk.pdu.malformed', { pdu_type: e.pduType, offset: e.offset, reason: e.message.slice(0, 2048), head_hex: e.headHex });
    this.closeReason ??= `malformed PDU: ${e.reason}`;
    const reason: AbortReason = e.reason === 'unknown-pdu-type' ? 1 : 6;
    if (this.machine.accepts('Evt19')) this.machine.handle('Evt19', { reason, pduType: e.pduType ?? undefined, detail: e.message });
  }

  private onPdu(p: FramedPdu): void {
    this.pdusIn += 1;
    this.d.record?.record(true, p.raw, p.receivedAt);
    this.idleAt = performance.now() + this.d.limits.idleMs;
    if (this.idleAt < this.timerAt) this.arm();
    if (this.machine.state === 'Sta1') return;
    const decoded = decodePdu(p);
    if (!decoded.ok) {
      this.d.log.emit('dicomhawk.pdu.malformed', {
        pdu_type: p.type,
        offset: p.offset + (decoded.error.offset ?? 0),
        reason: decoded.error.message.slice(0, 2048),
        head_hex: p.raw.subarray(0, 64).toString('hex'),
      });
      this.closeReason ??= 'malformed PDU';
      if (this.machine.accepts('Evt19')) this.machine.handle('Evt19', { reason: 6, pduType: p.type, detail: decoded.error.message });
      return;
    }
    const pdu = decoded.pdu;
    switch (pdu.pdu) {
      case 'A-ASSOCIATE-RQ':
        this.rqRaw = p.raw;
        try {
          this.machine.handle('Evt6', pdu);
        } finally {
          this.rqRaw = null;
        }
        break;
      case 'A-ASSOCIATE-AC':
        this.machine.handle('Evt3', pdu as never);
        break;
      case 'A-ASSOCIATE-RJ':
        this.machine.handle('Evt4', { result: pdu.result, source: pdu.source, reason: pdu.reason });
        break;
      case 'P-DATA-TF':
        this.machine.handle('Evt10', pdu);
        break;
      case 'A-RELEASE-RQ':
        this.machine.handle('Evt12');
        break;
      case 'A-RELEASE-RP':
        this.machine.handle('Evt13');
        break;
      case 'A-ABORT':
        this.closeReason ??= 'aborted by peer';
        this.machine.handle('Evt16', { source: pdu.source, reason: pdu.reason });
        break;
    }
  }

  // ---- the DUL port --------------------------------------------------------------------------------

  examineAssociateRq(rq: AssociateRq): AssociateRqVerdict {
    this.rqSeen = true;
    this.proposedSyntaxes = rq.contexts.map((c) => c.abstractSyntax ?? '');
    const fields = associationRequestFields(rq, identifyClientMemo(rq, this.rqRaw));
    this.d.log.emit('dicomhawk.association.request', fields as never);
    const n = negotiate(rq, this.d.persona, this.d.aeTitle);
    this.negotiation = n;
    if (n.verdict === 'reject') return { reject: n.rejection };
    let peerMaxPdu = rq.maxPdu ?? DEFAULT_PEER_MAX_PDU;
    if (peerMaxPdu !== 0 && peerMaxPdu < 512) peerMaxPdu = 512; // a peer announcing a tiny maximum still gets whole PDVs
    this.association = { callingAe: rq.callingAe.text, calledAe: rq.calledAe.text, peerMaxPdu, contexts: n.accepted };
    this.assembler = new DimseAssembler({ maxDatasetBytes: this.d.limits.maxDatasetBytes, isAcceptedContext: (id) => n.accepted.has(id) });
    return 'accept';
  }

  sendAssociateAc(ac: AssociateAcInit): void {
    this.write(encodeAssociateAc(ac));
    this.d.log.emit('dicomhawk.association.accept', {
      contexts: ac.contexts.map((c, i) => ({
        id: c.id,
        abstract_syntax: (this.proposedSyntaxes[i] ?? '').slice(0, 256),
        result: c.result,
        result_name: presentationContextResultName(c.result),
        transfer_syntax: c.result === 0 ? c.transferSyntax : null,
      })),
      max_pdu: ac.userInfo.maxPdu,
    });
  }

  sendAssociateRj(rejection: AssociateRejection): void {
    this.write(encodeAssociateRj(rejection));
    this.closeReason ??= 'association rejected';
    this.d.log.emit('dicomhawk.association.reject', {
      result: rejection.result,
      source: rejection.source,
      reason: rejection.reason,
      reason_name: rejectReasonName(rejection.source, rejection.reason),
    });
  }

  sendPData(p: PData | Buffer): void {
    if (Buffer.isBuffer(p)) this.write(p);
  }

  sendReleaseRq(): void {
    this.write(encodeReleaseRq());
  }

  sendReleaseRp(): void {
    this.write(encodeReleaseRp());
  }

  sendAbort(source: AbortSource, reason: AbortReason): void {
    this.write(encodeAbort({ source, reason }));
    this.closeReason ??= 'aborted';
    this.d.log.emit('dicomhawk.association.abort', { by: 'local', source, reason, reason_name: abortReasonName(source, reason) });
    this.stopWork();
  }

  closeTransport(): void {
    const s = this.d.socket;
    this.framer.stop();
    if (!s.destroyed) {
      s.end();
      setTimeout(() => s.destroy(), CLOSING_GRACE_MS).unref();
    }
  }

  startArtim(): void {
    const ms = this.rqSeen ? Math.min(CLOSING_GRACE_MS, this.d.limits.artimMs) : this.d.limits.artimMs;
    this.artimAt = performance.now() + ms;
    if (this.artimAt < this.timerAt) this.arm();
  }

  stopArtim(): void {
    this.artimAt = Infinity; // the timer, if armed for it, finds nothing due and re-arms for what is left
  }

  private onArtim(): void {
    if (!this.rqSeen) {
      this.closeReason ??= 'no A-ASSOCIATE-RQ in time';
      this.d.log.emit('dicomhawk.limit.refused', { limit: 'associate_timeout_ms', value: this.d.limits.artimMs });
    }
    if (this.machine.accepts('Evt18')) this.machine.handle('Evt18');
  }

  indicate(i: DulIndication<Payloads>): void {
    switch (i.primitive) {
      case 'A-ASSOCIATE indication':
        if (this.negotiation?.verdict === 'accept') this.machine.handle('Evt7', this.negotiation.ac);
        break;
      case 'P-DATA indication':
        if (!Buffer.isBuffer(i.pData)) this.onPData(i.pData);
        break;
      case 'A-RELEASE indication':
        this.closeReason ??= 'released';
        this.d.log.emit('dicomhawk.association.release', { by: 'peer' });
        this.stopWork();
        this.machine.handle('Evt14');
        break;
      case 'A-ABORT indication':
        this.d.log.emit('dicomhawk.association.abort', { by: 'peer', source: i.source, reason: i.reason, reason_name: abortReasonName(i.source, i.reason) });
        this.stopWork();
        break;
      case 'A-P-ABORT indication':
        if (i.origin === 'peer') {
          this.d.log.emit('dicomhawk.association.abort', { by: 'peer', source: i.source, reason: i.reason, reason_name: abortReasonName(i.source, i.reason) });
        } else if (i.origin === 'transport') this.closeReason ??= 'peer closed the connection';
        this.stopWork();
        break;
      default:
        break;
    }
  }

  // ---- timers --------------------------------------------------------------------------------------

  /** (Re-)arms the connection's timer for the earliest deadline, unless it already fires at or before it. */
  private arm(): void {
    if (this.finished) return;
    const next = Math.min(this.artimAt, this.idleAt, this.lifetimeAt, this.slowAt);
    if (this.timer !== null) {
      if (this.timerAt <= next) return;
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.timerAt = Infinity;
    if (next === Infinity) return;
    this.timerAt = next;
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(next - performance.now())));
  }

  /** Runs what is due, earliest deadline first (each may end the connection), then re-arms for the rest. */
  private readonly onTimer = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    while (!this.finished) {
      const now = performance.now() + DEADLINE_SLACK_MS;
      const at = Math.min(this.artimAt, this.idleAt, this.lifetimeAt, this.slowAt);
      if (at > now) break;
      if (at === this.artimAt) {
        this.artimAt = Infinity;
        this.onArtim();
      } else if (at === this.lifetimeAt) {
        this.lifetimeAt = Infinity;
        this.cut('max_lifetime_ms', this.d.limits.lifetimeMs, 'lifetime');
      } else if (at === this.idleAt) {
        this.idleAt = Infinity;
        this.cut('idle_timeout_ms', this.d.limits.idleMs, 'idle');
      } else {
        this.slowAt += this.slowWindowMs;
        this.checkRate();
      }
    }
    this.arm();
  };

  private checkRate(): void {
    const bytes = this.windowBytes;
    this.windowBytes = 0;
    // Only a sender that keeps a PDU incomplete while trickling is cut; an idle association is the idle timer's.
    if (this.framer.bufferedBytes > 0 && bytes < (this.d.limits.minBytesPerSec * this.slowWindowMs) / 1000) {
      this.cut('min_bytes_per_sec', this.d.limits.minBytesPerSec, 'idle', (bytes * 1000) / this.slowWindowMs);
    }
  }

  /** A honeypot limit ends the connection (Evt18T → AA-2T: close without an A-ABORT, like DCMTK's AA-2T). */
  private cut(limit: string, value: number, timer: 'idle' | 'lifetime', observed?: number): void {
    if (this.finished) return;
    this.closeReason ??= limit;
    this.d.log.emit('dicomhawk.limit.refused', { limit, value, ...(observed === undefined ? {} : { observed }) });
    if (this.machine.accepts('Evt18T')) this.machine.handle('Evt18T', { timer });
    else this.d.socket.destroy();
  }

  // ---- DIMSE ---------------------------------------------------------------------------------------

  private onPData(p: PData): void {
    const asm = this.assembler;
    if (!asm) return;
    for (const pdv of p.pdvs) {
      const r = asm.push(pdv);
      if (r.kind === 'message') this.onMessage(r.message);
      else if (r.kind === 'error') {
        const e = r.error;
        this.d.log.emit('dicomhawk.dimse.malformed', {
          offset: e.decodeError?.offset ?? e.offset ?? 0,
          reason: `${e.reason}: ${e.detail}`.slice(0, 2048),
          head_hex: pdv.data.subarray(0, 64).toString('hex'),
          context_id: e.contextId,
        });
        this.closeReason ??= `malformed DIMSE message: ${e.reason}`;
        if (this.machine.accepts('Evt15')) this.machine.handle('Evt15');
        return;
      }
    }
  }

  private onMessage(m: DimseMessage): void {
    const cmd = m.command;
    if (cmd.commandField === CommandField.C_CANCEL_RQ) {
      const id = cmd.messageIdBeingRespondedTo ?? 0;
      this.cancelledIds.add(id);
      this.d.log.emit('dicomhawk.dimse.cancel', { message_id: id });
      return;
    }
    if (isResponse(cmd.commandField) && this.responseWaiter) {
      const w = this.responseWaiter;
      this.responseWaiter = null;
      w(m);
      return;
    }
    if (this.queue.length >= MAX_QUEUED_MESSAGES) {
      this.d.log.emit('dicomhawk.limit.refused', { limit: 'queued_dimse_messages', value: MAX_QUEUED_MESSAGES });
      this.closeReason ??= 'too many queued DIMSE messages';
      if (this.machine.accepts('Evt15')) this.machine.handle('Evt15');
      return;
    }
    this.queue.push(m);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.ended) {
        const m = this.queue.shift()!;
        await this.serve(m);
      }
    } finally {
      this.busy = false;
    }
  }

  private async serve(m: DimseMessage): Promise<void> {
    const assoc = this.association;
    const context = assoc?.contexts.get(m.contextId);
    if (!assoc || !context) return;
    const cmd = m.command;
    if (isResponse(cmd.commandField)) return; // an unsolicited response: nothing to answer
    const service = this.d.services.find(context.abstractSyntax, cmd.commandField);
    const ctx = (this.serviceCtx ??= this.serviceContext(assoc));
    if (!service) {
      // PS3.7 C.5.4: unrecognized operation on this context.
      await ctx
        .send(context.id, {
          commandField: cmd.commandField | 0x8000,
          messageIdBeingRespondedTo: cmd.messageId ?? 0,
          ...(cmd.affectedSopClassUid ? { affectedSopClassUid: cmd.affectedSopClassUid } : {}),
          hasDataset: false,
          status: 0x0211,
        })
        .catch(() => undefined);
      return;
    }
    try {
      await service.handle(m, context, ctx);
    } catch (err) {
      if (this.ended) return;
      this.d.diag.error({ session: this.d.log.identity.session, service: service.name, err }, 'DIMSE service failed');
      await ctx
        .send(context.id, {
          commandField: cmd.commandField | 0x8000,
          messageIdBeingRespondedTo: cmd.messageId ?? 0,
          ...(cmd.affectedSopClassUid ? { affectedSopClassUid: cmd.affectedSopClassUid } : {}),
          hasDataset: false,
          status: 0x0110,
        })
        .catch(() => undefined);
    }
  }

  /** The association's abort signal, made on first use (a C-ECHO association never needs one). */
  private get signal(): AbortSignal {
    if (!this.abortController) {
      this.abortController = new AbortController();
      if (this.ended) this.abortController.abort(ASSOCIATION_ENDED);
    }
    return this.abortController.signal;
  }

  private serviceContext(association: AssociationInfo): ServiceContext {
    const signal = (): AbortSignal => this.signal;
    return {
      log: this.d.log,
      persona: this.d.persona,
      association,
      peerIp: this.d.peerIp,
      aeTitle: this.d.aeTitle,
      get signal(): AbortSignal {
        return signal();
      },
      cancelled: (id) => this.cancelledIds.has(id),
      send: (contextId, command, dataset) => this.sendMessage(contextId, command, dataset ?? null),
      nextResponse: () =>
        new Promise((resolve) => {
          if (this.ended) return resolve(null);
          this.responseWaiter = resolve;
        }),
    };
  }

  private async sendMessage(contextId: number, command: CommandInit, dataset: Uint8Array | null): Promise<void> {
    const maxPdu = this.association?.peerMaxPdu ?? DEFAULT_PEER_MAX_PDU;
    const encoded = encodeCommand(command);
    if (dataset === null && (maxPdu === 0 || encoded.length + PDV_OVERHEAD <= maxPdu)) {
      // The common answer (C-ECHO-RSP, a final C-FIND-RSP): one command PDU, no generator, nothing to wait for first.
      if (this.ended || this.machine.state !== 'Sta6') throw new Error('association ended');
      this.machine.handle('Evt9', commandPdu(contextId, encoded));
      if (this.d.socket.writableNeedDrain) await this.drained();
      return;
    }
    for (const pdu of pDataFragments(encoded, dataset, contextId, maxPdu)) {
      if (this.ended || this.machine.state !== 'Sta6') throw new Error('association ended');
      this.machine.handle('Evt9', pdu);
      if (this.d.socket.writableNeedDrain) await this.drained();
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const s = this.d.socket;
      const done = (): void => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }

  // ---- output and end ------------------------------------------------------------------------------

  private write(buf: Buffer): void {
    const s = this.d.socket;
    if (s.destroyed || !s.writable) return;
    this.bytesOut += buf.length;
    this.pdusOut += 1;
    this.d.record?.record(false, buf, Date.now());
    s.write(buf);
  }

  private stopWork(): void {
    if (!this.ended) {
      this.ended = true;
      this.abortController?.abort(ASSOCIATION_ENDED);
    }
    this.queue.length = 0;
    if (this.responseWaiter) {
      const w = this.responseWaiter;
      this.responseWaiter = null;
      w(null);
    }
  }

  private onSocketClosed(): void {
    if (this.machine.accepts('Evt17')) this.machine.handle('Evt17');
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.stopWork();
    this.artimAt = Infinity;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    this.framer.stop();
    this.d.log.emit('dicomhawk.session.closed', {
      duration_ms: Date.now() - this.startedAt,
      bytes_in: this.bytesIn,
      bytes_out: this.bytesOut,
      pdus_in: this.pdusIn,
      pdus_out: this.pdusOut,
      close_reason: (this.closeReason ?? 'closed').slice(0, 256),
      ...(this.d.record ? { pdu_record: this.d.record.close() } : {}),
    });
    this.d.log.close();
    this.d.onClosed();
  }

  /** Ends the connection from our side (shutdown). */
  shutdown(): void {
    this.closeReason ??= 'sensor shutdown';
    this.d.socket.destroy();
  }

  /** For tests and limits. */
  get accepted(): ReadonlyMap<number, AcceptedContext> | undefined {
    return this.association?.contexts;
  }
}
