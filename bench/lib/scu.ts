/**
 * The one small SCU every benchmark drives servers with, built on our own encoders and PduFramer (the same
 * client code drives every server, so its cost is the same for all): associates with the contexts and
 * SCP/SCU role selections it is given (the encoded A-ASSOCIATE-RQ is reused for identical proposals), sends
 * C-ECHO-RQ / C-FIND-RQ / C-GET-RQ, counts the responses, and — for C-GET — acts as the storage SCP on the
 * same association, answering every C-STORE-RQ with Success as soon as its data set is complete and counting
 * the data set bytes received. Data sets are counted, not kept. One operation is outstanding at a time;
 * Nagle is off. The C-ECHO association of `bench dimse` is in echoScu.ts.
 */
import { connect, type Socket } from 'node:net';
import { CommandField, decodeCommand, encodeCommand, Priority, type CommandInit, type DimseCommand } from '../../src/services/dimse/dimse/command.ts';
import { PduFramer, type FramedPdu } from '../../src/services/dimse/net/framer.ts';
import { decodeAssociateAc } from '../../src/services/dimse/pdu/associateAc.ts';
import { encodeAssociateRq } from '../../src/services/dimse/pdu/associateRq.ts';
import type { RoleSelection } from '../../src/services/dimse/pdu/items/userInfo.ts';
import { decodePData, encodePData } from '../../src/services/dimse/pdu/pData.ts';
import { encodeReleaseRq } from '../../src/services/dimse/pdu/releaseRq.ts';
import { PduType } from '../../src/services/dimse/pdu/types.ts';

export const HOST = '127.0.0.1';
export const VERIFICATION = '1.2.840.10008.1.1';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
/** The bench's own implementation class UID (a UUID-derived 2.25 UID, ITU-T X.667), so it never poses as a real product. */
export const BENCH_IMPL_UID = '2.25.204973953485238387051965284162170384870';
export const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
export const STUDY_ROOT_GET = '1.2.840.10008.5.1.4.1.2.2.3';

export interface ProposedContext {
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}

export interface AssociateOptions {
  calledAe: string;
  contexts: ProposedContext[];
  roles?: RoleSelection[];
  /** Maximum Length we announce (default 16 384, DCMTK's default). */
  maxPdu?: number;
}

/** A complete DIMSE message as the SCU sees it: the command, and the size of its data set. */
interface Message {
  contextId: number;
  command: DimseCommand;
  datasetBytes: number;
}

export interface FindResult {
  /** Pending responses (matches). */
  matches: number;
  /** Bytes of the identifiers received. */
  bytes: number;
  status: number;
}

export interface GetResult {
  /** C-STORE sub-operations received (and answered with Success). */
  stores: number;
  /** Data set bytes received in them. */
  bytes: number;
  completed: number;
  failed: number;
  status: number;
}

const RELEASE_RQ = encodeReleaseRq();

/** Encoded A-ASSOCIATE-RQs by proposal (a benchmark proposes the same few over and over). */
const associateRqs = new Map<string, Buffer>();
function associateRq(opts: AssociateOptions): Buffer {
  const key = JSON.stringify([opts.calledAe, opts.contexts, opts.roles ?? [], opts.maxPdu ?? 16384]);
  let rq = associateRqs.get(key);
  if (rq === undefined) {
    rq = encodeAssociateRq({
      calledAe: opts.calledAe,
      callingAe: 'BENCHSCU',
      contexts: opts.contexts,
      userInfo: { maxPdu: opts.maxPdu ?? 16384, implClassUid: BENCH_IMPL_UID, implVersionName: 'HAWKBENCH', ...(opts.roles?.length ? { roles: opts.roles } : {}) },
    });
    if (associateRqs.size >= 64) associateRqs.clear();
    associateRqs.set(key, rq);
  }
  return rq;
}

export class Scu {
  private readonly inbox: Message[] = [];
  private waiter: ((m: Message | Error) => void) | null = null;
  private failure: Error | null = null;
  private commandParts: Buffer[] = [];
  private pending: { contextId: number; command: DimseCommand; bytes: number } | null = null;
  private releaseWaiter: ((ok: boolean) => void) | null = null;
  private peerMaxPdu = 16384;
  private messageId = 0;
  private associated: ((r: Map<number, string> | Error) => void) | null = null;
  /** Accepted presentation contexts: id → transfer syntax. */
  accepted = new Map<number, string>();
  /** C-STORE sub-operations answered on this association, and their data set bytes. */
  stores = 0;
  storeBytes = 0;
  private readonly framer: PduFramer;

  private constructor(
    private readonly socket: Socket,
    maxPdu: number,
    private readonly timeoutMs: number,
  ) {
    this.framer = new PduFramer({ announcedMaxPdu: maxPdu, onPdu: (p) => this.onPdu(p), onError: (e) => this.fail(new Error(`framing: ${e.message}`)) });
    socket.on('data', (chunk: Buffer) => this.framer.push(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static open(port: number, opts: { maxPdu?: number; timeoutMs?: number } = {}): Promise<Scu> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: HOST, port, noDelay: true });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error('connect timeout'));
      }, opts.timeoutMs ?? 30_000);
      s.once('connect', () => {
        clearTimeout(timer);
        s.off('error', reject);
        resolve(new Scu(s, opts.maxPdu ?? 16384, opts.timeoutMs ?? 30_000));
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Opens, associates (throws unless every proposed context is accepted) and returns the SCU. */
  static async connect(port: number, opts: AssociateOptions, timeoutMs?: number): Promise<Scu> {
    const scu = await Scu.open(port, { maxPdu: opts.maxPdu, timeoutMs });
    try {
      await scu.associate(opts);
      return scu;
    } catch (err) {
      scu.close();
      throw err;
    }
  }

  private onPdu(p: FramedPdu): void {
    switch (p.type) {
      case PduType.ASSOCIATE_AC: {
        const ac = decodeAssociateAc(p.body);
        for (const c of ac.contexts) if (c.result === 0 && c.transferSyntax) this.accepted.set(c.id, c.transferSyntax);
        this.peerMaxPdu = ac.maxPdu ?? 0;
        const w = this.associated;
        this.associated = null;
        w?.(this.accepted);
        return;
      }
      case PduType.ASSOCIATE_RJ:
        this.fail(new Error('association rejected'));
        return;
      case PduType.P_DATA_TF:
        this.onPData(p.body);
        return;
      case PduType.RELEASE_RP: {
        const w = this.releaseWaiter;
        this.releaseWaiter = null;
        w?.(true);
        return;
      }
      case PduType.ABORT:
        this.fail(new Error('association aborted by the peer'));
        return;
      default:
        this.fail(new Error(`unexpected PDU type ${p.type}`));
    }
  }

  private onPData(body: Buffer): void {
    for (const pdv of decodePData(body).pdvs) {
      if (pdv.command) {
        this.commandParts.push(Buffer.from(pdv.data));
        if (!pdv.last) continue;
        const r = decodeCommand(this.commandParts.length === 1 ? this.commandParts[0]! : Buffer.concat(this.commandParts));
        this.commandParts = [];
        if (!r.ok) {
          this.fail(new Error(`bad command: ${r.error.message}`));
          return;
        }
        if (r.command.hasDataset) this.pending = { contextId: pdv.contextId, command: r.command, bytes: 0 };
        else this.complete({ contextId: pdv.contextId, command: r.command, datasetBytes: 0 });
      } else {
        const m = this.pending;
        if (!m) {
          this.fail(new Error('data set fragment without a command'));
          return;
        }
        m.bytes += pdv.data.length;
        if (pdv.last) {
          this.pending = null;
          this.complete({ contextId: m.contextId, command: m.command, datasetBytes: m.bytes });
        }
      }
    }
  }

  /** A C-STORE-RQ (C-GET sub-operation) is answered here, at once; everything else goes to the waiter. */
  private complete(m: Message): void {
    if (m.command.commandField === CommandField.C_STORE_RQ) {
      this.stores += 1;
      this.storeBytes += m.datasetBytes;
      this.send(m.contextId, {
        commandField: CommandField.C_STORE_RSP,
        messageIdBeingRespondedTo: m.command.messageId ?? 0,
        affectedSopClassUid: m.command.affectedSopClassUid ?? '',
        affectedSopInstanceUid: m.command.affectedSopInstanceUid ?? '',
        hasDataset: false,
        status: 0,
      });
      return;
    }
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      w(m);
    } else this.inbox.push(m);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    const w = this.waiter;
    this.waiter = null;
    w?.(err);
    const a = this.associated;
    this.associated = null;
    a?.(err);
    const r = this.releaseWaiter;
    this.releaseWaiter = null;
    r?.(false);
  }

  private next(): Promise<Message> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error('response timeout')), this.timeoutMs);
      this.waiter = (m) => {
        clearTimeout(timer);
        if (m instanceof Error) reject(m);
        else resolve(m);
      };
    });
  }

  async associate(opts: AssociateOptions): Promise<Map<number, string>> {
    const rq = associateRq(opts);
    const done = new Promise<Map<number, string> | Error>((resolve) => {
      this.associated = resolve;
    });
    const timer = setTimeout(() => this.fail(new Error('associate timeout')), this.timeoutMs);
    this.socket.write(rq);
    const r = await done;
    clearTimeout(timer);
    if (r instanceof Error) throw r;
    const missing = opts.contexts.filter((c) => !r.has(c.id)).map((c) => c.abstractSyntax);
    if (missing.length) throw new Error(`presentation contexts not accepted: ${missing.join(', ')}`);
    return r;
  }

  /** Sends a command (and data set), fragmented to the peer's Maximum Length. */
  private send(contextId: number, init: CommandInit, dataset?: Buffer): void {
    const max = this.peerMaxPdu > 0 ? this.peerMaxPdu - 6 : Number.MAX_SAFE_INTEGER;
    const command = encodeCommand(init);
    const pdus: Buffer[] = [];
    const fragments = (data: Buffer, isCommand: boolean): void => {
      for (let o = 0; o < data.length || o === 0; o += max) {
        const part = data.subarray(o, Math.min(data.length, o + max));
        pdus.push(encodePData([{ contextId, command: isCommand, last: o + max >= data.length, data: part }]));
        if (o + max >= data.length) break;
      }
    };
    fragments(command, true);
    if (dataset) fragments(dataset, false);
    this.socket.write(pdus.length === 1 ? pdus[0]! : Buffer.concat(pdus));
  }

  private nextMessageId(): number {
    this.messageId = (this.messageId % 0xffff) + 1;
    return this.messageId;
  }

  /** C-ECHO on the context; throws unless the response says Success. */
  async echo(contextId: number): Promise<void> {
    const messageId = this.nextMessageId();
    this.send(contextId, { commandField: CommandField.C_ECHO_RQ, messageId, affectedSopClassUid: VERIFICATION, hasDataset: false });
    const m = await this.next();
    if (m.command.commandField !== CommandField.C_ECHO_RSP) throw new Error(`unexpected ${m.command.commandName} while waiting for C-ECHO-RSP`);
    if (m.command.status !== 0) throw new Error(`C-ECHO-RSP status ${m.command.status}`);
  }

  async find(contextId: number, sopClassUid: string, identifier: Buffer): Promise<FindResult> {
    const messageId = this.nextMessageId();
    this.send(contextId, { commandField: CommandField.C_FIND_RQ, messageId, affectedSopClassUid: sopClassUid, priority: Priority.MEDIUM, hasDataset: true }, identifier);
    let matches = 0;
    let bytes = 0;
    for (;;) {
      const m = await this.next();
      if (m.command.commandField !== CommandField.C_FIND_RSP) throw new Error(`unexpected ${m.command.commandName} during C-FIND`);
      const status = m.command.status ?? -1;
      if (status === 0xff00 || status === 0xff01) {
        matches += 1;
        bytes += m.datasetBytes;
        continue;
      }
      return { matches, bytes, status };
    }
  }

  async get(contextId: number, sopClassUid: string, identifier: Buffer): Promise<GetResult> {
    const messageId = this.nextMessageId();
    const stores0 = this.stores;
    const bytes0 = this.storeBytes;
    this.send(contextId, { commandField: CommandField.C_GET_RQ, messageId, affectedSopClassUid: sopClassUid, priority: Priority.MEDIUM, hasDataset: true }, identifier);
    for (;;) {
      const m = await this.next();
      if (m.command.commandField !== CommandField.C_GET_RSP) throw new Error(`unexpected ${m.command.commandName} during C-GET`);
      const status = m.command.status ?? -1;
      if (status === 0xff00) continue;
      return { stores: this.stores - stores0, bytes: this.storeBytes - bytes0, completed: m.command.completed ?? 0, failed: m.command.failed ?? 0, status };
    }
  }

  /** A-RELEASE-RQ, wait for the RP, then close the transport. */
  async release(): Promise<void> {
    if (this.failure) throw this.failure;
    const done = new Promise<boolean>((resolve) => {
      this.releaseWaiter = resolve;
    });
    const timer = setTimeout(() => this.fail(new Error('release timeout')), this.timeoutMs);
    this.socket.write(RELEASE_RQ);
    const ok = await done;
    clearTimeout(timer);
    this.close();
    if (!ok) throw this.failure ?? new Error('release failed');
  }

  close(): void {
    this.failure ??= new Error('closed');
    this.framer.stop();
    this.socket.destroy();
  }
}

/** The Q/R benchmark's name for the same SCU. */
export { Scu as QrScu };
