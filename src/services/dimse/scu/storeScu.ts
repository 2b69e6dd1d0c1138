/**
 * A minimal Storage SCU for C-MOVE sub-operations: one association to a destination from the operator's
 * MOVE_DESTINATIONS table (never an address an attacker chose), one presentation context per SOP class and
 * transfer syntax needed, C-STORE of each object as stored (no re-encoding), then A-RELEASE.
 */
import { connect, type Socket } from 'node:net';
import { DimseAssembler, type DimseMessage } from '../dimse/assembler.ts';
import { CommandField, encodeCommand, Priority } from '../dimse/command.ts';
import { pDataFragments } from '../dimse/fragment.ts';
import { PduFramer, type FramedPdu } from '../net/framer.ts';
import { encodeAbort } from '../pdu/abort.ts';
import { encodeAssociateRq } from '../pdu/associateRq.ts';
import { decodePdu } from '../pdu/decode.ts';
import { encodeReleaseRq } from '../pdu/releaseRq.ts';
import type { Persona } from '../../../domain/dicom/persona.ts';

export interface StoreItem {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** Loads the data set bytes (after the file meta) when it is this item's turn. */
  load(): Promise<Buffer>;
}

export interface StoreScuOptions {
  host: string;
  port: number;
  calledAe: string;
  callingAe: string;
  persona: Persona;
  moveOriginatorAe?: string;
  moveOriginatorMessageId?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface StoreOutcome {
  sopInstanceUid: string;
  status: number | null;
  bytes: number;
}

/** Reads PDUs from a socket one at a time. */
class PduReader {
  private readonly queue: FramedPdu[] = [];
  private waiter: ((p: FramedPdu | null) => void) | null = null;
  private ended = false;
  private readonly framer: PduFramer;

  constructor(socket: Socket) {
    this.framer = new PduFramer({
      announcedMaxPdu: 0,
      onPdu: (p) => this.deliver({ ...p, raw: Buffer.from(p.raw), body: Buffer.from(p.body) }),
      onError: () => this.end(),
    });
    socket.on('data', (d: Buffer) => this.framer.push(d));
    socket.on('close', () => this.end());
    socket.on('error', () => this.end());
  }

  private deliver(p: FramedPdu): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(p);
    } else this.queue.push(p);
  }

  private end(): void {
    this.ended = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(null);
    }
  }

  next(timeoutMs: number): Promise<FramedPdu | null> {
    const q = this.queue.shift();
    if (q) return Promise.resolve(q);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      this.waiter = (p) => {
        clearTimeout(t);
        resolve(p);
      };
    });
  }
}

export async function storeToDestination(items: readonly StoreItem[], o: StoreScuOptions, onEach?: (r: StoreOutcome) => void): Promise<StoreOutcome[]> {
  const timeout = o.timeoutMs ?? 15_000;
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: o.host, port: o.port, noDelay: true });
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`connecting to ${o.calledAe} timed out`));
    }, timeout);
    s.once('connect', () => {
      clearTimeout(t);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
  const reader = new PduReader(socket);
  const outcomes: StoreOutcome[] = [];
  try {
    const pairs = [...new Map(items.map((i) => [`${i.sopClassUid}|${i.transferSyntaxUid}`, i])).values()];
    const contexts = pairs.map((p, k) => ({ id: 2 * k + 1, abstractSyntax: p.sopClassUid, transferSyntaxes: [p.transferSyntaxUid] }));
    socket.write(
      encodeAssociateRq({
        calledAe: o.calledAe,
        callingAe: o.callingAe,
        contexts,
        userInfo: { maxPdu: o.persona.maxPdu, implClassUid: o.persona.implementation.classUid, implVersionName: o.persona.implementation.versionName },
      }),
    );
    const first = await reader.next(timeout);
    const dec = first ? decodePdu(first) : null;
    if (!dec || !dec.ok || dec.pdu.pdu !== 'A-ASSOCIATE-AC') throw new Error(`${o.calledAe} did not accept the association`);
    const ac = dec.pdu;
    const peerMax = ac.maxPdu ?? 16384;
    const accepted = new Map<string, number>();
    for (const c of ac.contexts) {
      const asked = contexts.find((x) => x.id === c.id);
      if (asked && c.result === 0) accepted.set(`${asked.abstractSyntax}|${asked.transferSyntaxes[0]}`, c.id);
    }
    const asm = new DimseAssembler({ maxDatasetBytes: 1024 * 1024 });
    let messageId = 1;
    for (const item of items) {
      if (o.signal?.aborted) break;
      const ctxId = accepted.get(`${item.sopClassUid}|${item.transferSyntaxUid}`);
      if (ctxId === undefined) {
        const r = { sopInstanceUid: item.sopInstanceUid, status: null, bytes: 0 };
        outcomes.push(r);
        onEach?.(r);
        continue;
      }
      const dataset = await item.load();
      const cmd = encodeCommand({
        commandField: CommandField.C_STORE_RQ,
        messageId: messageId++,
        affectedSopClassUid: item.sopClassUid,
        affectedSopInstanceUid: item.sopInstanceUid,
        priority: Priority.MEDIUM,
        hasDataset: true,
        ...(o.moveOriginatorAe ? { moveOriginatorAe: o.moveOriginatorAe, moveOriginatorMessageId: o.moveOriginatorMessageId ?? 0 } : {}),
      });
      for (const pdu of pDataFragments(cmd, dataset, ctxId, peerMax)) {
        if (!socket.write(pdu)) await new Promise((r) => socket.once('drain', r));
      }
      let rsp: DimseMessage | null = null;
      while (!rsp) {
        const p = await reader.next(timeout);
        const d = p ? decodePdu(p) : null;
        if (!d || !d.ok || d.pdu.pdu !== 'P-DATA-TF') break;
        for (const pdv of d.pdu.pdvs) {
          const r = asm.push(pdv);
          if (r.kind === 'message') rsp = r.message;
        }
      }
      const r = { sopInstanceUid: item.sopInstanceUid, status: rsp?.command.status ?? null, bytes: dataset.length };
      outcomes.push(r);
      onEach?.(r);
      if (!rsp) throw new Error(`${o.calledAe} stopped answering`);
    }
    socket.write(encodeReleaseRq());
    await reader.next(timeout);
    return outcomes;
  } catch (err) {
    if (!socket.destroyed) socket.write(encodeAbort({ source: 0, reason: 0 }));
    (err as { outcomes?: StoreOutcome[] }).outcomes = outcomes;
    throw err;
  } finally {
    socket.destroy();
  }
}
