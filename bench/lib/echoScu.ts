/**
 * The C-ECHO SCU the benchmarks drive servers with (and probe them with until they serve): a small
 * TypeScript SCU built on our own encoders and PduFramer, Nagle off, one operation outstanding.
 */
import { connect, type Socket } from 'node:net';
import { CommandField, decodeCommand, encodeCommand } from '../../src/services/dimse/dimse/command.ts';
import { PduFramer, type FramedPdu } from '../../src/services/dimse/net/framer.ts';
import { decodeAssociateAc } from '../../src/services/dimse/pdu/associateAc.ts';
import { encodeAssociateRq } from '../../src/services/dimse/pdu/associateRq.ts';
import { decodePData, encodePData } from '../../src/services/dimse/pdu/pData.ts';
import { encodeReleaseRq } from '../../src/services/dimse/pdu/releaseRq.ts';
import { PduType } from '../../src/services/dimse/pdu/types.ts';

export const OP_TIMEOUT_MS = 5000;
export const HOST = '127.0.0.1';

export const VERIFICATION = '1.2.840.10008.1.1';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const CONTEXT_ID = 1;
/** The bench's own implementation class UID (a UUID-derived 2.25 UID, ITU-T X.667), so it never poses as a real product. */
export const BENCH_IMPL_UID = '2.25.204973953485238387051965284162170384870';

/** What the SCU needs of a received PDU, extracted synchronously (the framer's views are not kept). */
type Received =
  | { type: typeof PduType.ASSOCIATE_AC; accepted: boolean }
  | { type: typeof PduType.P_DATA_TF; status: number | null; complete: boolean }
  | { type: number };

/** The called AE title the SCUs use unless told otherwise (DICOMHawk and Orthanc, as configured here, accept any). */
export const DEFAULT_CALLED_AE = 'ANY-SCP';

const associateRqs = new Map<string, Buffer>();
function associateRq(calledAe: string): Buffer {
  let rq = associateRqs.get(calledAe);
  if (!rq) {
    rq = encodeAssociateRq({
      calledAe,
      callingAe: 'BENCHSCU',
      contexts: [{ id: CONTEXT_ID, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }],
      userInfo: { maxPdu: 16384, implClassUid: BENCH_IMPL_UID, implVersionName: 'HAWKBENCH' },
    });
    associateRqs.set(calledAe, rq);
  }
  return rq;
}
const RELEASE_RQ = encodeReleaseRq();

function echoRq(messageId: number): Buffer {
  const command = encodeCommand({ commandField: CommandField.C_ECHO_RQ, messageId, affectedSopClassUid: VERIFICATION, hasDataset: false });
  return encodePData([{ contextId: CONTEXT_ID, command: true, last: true, data: command }]);
}

export class EchoScu {
  private readonly inbox: Received[] = [];
  private waiter: ((r: Received | Error) => void) | null = null;
  private failure: Error | null = null;
  private commandParts: Buffer[] = [];
  private readonly framer = new PduFramer({
    announcedMaxPdu: 16384,
    onPdu: (p) => this.deliver(this.extract(p)),
    onError: (e) => this.fail(new Error(`framing: ${e.message}`)),
  });

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.framer.push(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static open(port: number): Promise<EchoScu> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: HOST, port, noDelay: true });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error('connect timeout'));
      }, OP_TIMEOUT_MS);
      s.once('connect', () => {
        clearTimeout(timer);
        s.off('error', reject);
        resolve(new EchoScu(s));
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  private extract(p: FramedPdu): Received {
    if (p.type === PduType.ASSOCIATE_AC) {
      const ac = decodeAssociateAc(p.body);
      return { type: p.type, accepted: ac.contexts.some((c) => c.id === CONTEXT_ID && c.result === 0) };
    }
    if (p.type === PduType.P_DATA_TF) {
      let status: number | null = null;
      let complete = false;
      for (const pdv of decodePData(p.body).pdvs) {
        if (!pdv.command) continue;
        this.commandParts.push(Buffer.from(pdv.data));
        if (!pdv.last) continue;
        const r = decodeCommand(this.commandParts.length === 1 ? this.commandParts[0]! : Buffer.concat(this.commandParts));
        this.commandParts = [];
        status = r.ok ? r.command.status : null;
        complete = true;
      }
      return { type: p.type, status, complete };
    }
    return { type: p.type };
  }

  private deliver(r: Received): void {
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      w(r);
    } else this.inbox.push(r);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    const w = this.waiter;
    this.waiter = null;
    w?.(err);
  }

  private next(): Promise<Received> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error('response timeout')), OP_TIMEOUT_MS);
      this.waiter = (r) => {
        clearTimeout(timer);
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
    });
  }

  async associate(calledAe = DEFAULT_CALLED_AE): Promise<void> {
    this.socket.write(associateRq(calledAe));
    const r = await this.next();
    if (r.type !== PduType.ASSOCIATE_AC) throw new Error(`association not accepted (PDU type ${r.type})`);
    if (!('accepted' in r) || !r.accepted) throw new Error('Verification context not accepted');
  }

  async echo(messageId: number): Promise<void> {
    this.socket.write(echoRq(messageId));
    for (;;) {
      const r = await this.next();
      if (r.type !== PduType.P_DATA_TF || !('complete' in r)) throw new Error(`unexpected PDU type ${r.type} while waiting for C-ECHO-RSP`);
      if (!r.complete) continue;
      if (r.status !== 0) throw new Error(`C-ECHO-RSP status ${r.status}`);
      return;
    }
  }

  /** A-RELEASE-RQ, wait for the RP, then close the transport (as DCMTK's SCUs do). */
  async release(): Promise<void> {
    this.socket.write(RELEASE_RQ);
    const r = await this.next();
    if (r.type !== PduType.RELEASE_RP) throw new Error(`unexpected PDU type ${r.type} while waiting for A-RELEASE-RP`);
    this.close();
  }

  close(): void {
    this.failure ??= new Error('closed');
    this.framer.stop();
    this.socket.destroy();
  }
}

/** One whole association: connect → A-ASSOCIATE → C-ECHO → A-RELEASE → close. */
export async function oneAssociation(port: number, calledAe = DEFAULT_CALLED_AE): Promise<void> {
  const scu = await EchoScu.open(port);
  try {
    await scu.associate(calledAe);
    await scu.echo(1);
    await scu.release();
  } finally {
    scu.close();
  }
}
