/**
 * A minimal Verification SCU: A-ASSOCIATE (Verification SOP class), C-ECHO, A-RELEASE, built on the honeypot's
 * own PDU and DIMSE codecs. `dicomhawk healthcheck` runs it against the sensor itself; it identifies itself
 * (calling AE HEALTHCHECK, its own implementation class UID and version name), so its sessions are easy to tell
 * apart from attackers' in the events.
 */
import { connect, type Socket } from 'node:net';
import { CommandField, decodeCommand, encodeCommand } from '../dimse/command.ts';
import { PduFramer, type FramedPdu } from '../net/framer.ts';
import { decodeAssociateAc } from '../pdu/associateAc.ts';
import { decodeAssociateRj } from '../pdu/associateRj.ts';
import { encodeAssociateRq } from '../pdu/associateRq.ts';
import { decodePData, encodePData } from '../pdu/pData.ts';
import { encodeReleaseRq } from '../pdu/releaseRq.ts';
import { PduType } from '../pdu/types.ts';

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
/** The healthcheck's own implementation class UID (UUID-derived, ITU-T X.667): never poses as a product. */
export const HEALTHCHECK_IMPL_UID = '2.25.137262836514627738941785304461178339214';
export const HEALTHCHECK_AE = 'HEALTHCHECK';

export interface EchoOptions {
  host: string;
  port: number;
  calledAe: string;
  timeoutMs: number;
}

/** Resolves with the C-ECHO round trip in ms; rejects with a reason a human can act on. */
export function cEcho(o: EchoOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let socket: Socket | null = null;
    let step: 'associate' | 'echo' | 'release' | 'done' = 'associate';
    let command: Buffer[] = [];
    const finish = (err: Error | null): void => {
      if (step === 'done') return;
      step = 'done';
      clearTimeout(timer);
      framer.stop();
      socket?.destroy();
      if (err) reject(err);
      else resolve(Date.now() - started);
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${o.timeoutMs} ms (while waiting for the ${step} response)`)), o.timeoutMs);
    const onPdu = (p: FramedPdu): void => {
      if (p.type === PduType.ABORT) return finish(new Error(`the peer aborted the association during ${step}`));
      if (step === 'associate') {
        if (p.type === PduType.ASSOCIATE_RJ) {
          const rj = decodeAssociateRj(Buffer.from(p.body));
          return finish(new Error(`association rejected: ${rj.reasonName}`));
        }
        if (p.type !== PduType.ASSOCIATE_AC) return finish(new Error(`unexpected PDU type 0x${p.type.toString(16)} instead of A-ASSOCIATE-AC`));
        const ac = decodeAssociateAc(Buffer.from(p.body));
        if (!ac.contexts.some((c) => c.id === 1 && c.result === 0)) return finish(new Error('the Verification SOP class was not accepted'));
        step = 'echo';
        const rq = encodeCommand({ commandField: CommandField.C_ECHO_RQ, messageId: 1, affectedSopClassUid: VERIFICATION, hasDataset: false });
        socket!.write(encodePData([{ contextId: 1, command: true, last: true, data: rq }]));
        return;
      }
      if (step === 'echo') {
        if (p.type !== PduType.P_DATA_TF) return finish(new Error(`unexpected PDU type 0x${p.type.toString(16)} instead of the C-ECHO response`));
        for (const pdv of decodePData(Buffer.from(p.body)).pdvs) {
          if (!pdv.command) continue;
          command.push(Buffer.from(pdv.data));
          if (!pdv.last) continue;
          const r = decodeCommand(Buffer.concat(command));
          command = [];
          if (!r.ok) return finish(new Error(`undecodable C-ECHO response: ${r.error.message}`));
          if (r.command.commandField !== CommandField.C_ECHO_RSP) return finish(new Error(`unexpected DIMSE command 0x${r.command.commandField.toString(16)}`));
          if (r.command.status !== 0) return finish(new Error(`C-ECHO answered status 0x${(r.command.status ?? 0xffff).toString(16).padStart(4, '0')}`));
          step = 'release';
          socket!.write(encodeReleaseRq());
          return;
        }
        return;
      }
      if (step === 'release') finish(p.type === PduType.RELEASE_RP ? null : new Error(`unexpected PDU type 0x${p.type.toString(16)} instead of A-RELEASE-RP`));
    };
    const framer = new PduFramer({ announcedMaxPdu: 16384, onPdu, onError: (e) => finish(new Error(`malformed answer: ${e.message}`)) });
    socket = connect({ host: o.host, port: o.port, noDelay: true });
    socket.on('data', (d: Buffer) => framer.push(d));
    socket.on('error', (err) => finish(new Error(`cannot connect to ${o.host}:${o.port}: ${err.message}`)));
    socket.on('close', () => finish(new Error(`the connection closed during ${step}`)));
    socket.once('connect', () => {
      socket!.write(
        encodeAssociateRq({
          calledAe: o.calledAe,
          callingAe: HEALTHCHECK_AE,
          contexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }],
          userInfo: { maxPdu: 16384, implClassUid: HEALTHCHECK_IMPL_UID, implVersionName: 'DH_HEALTHCHECK' },
        }),
      );
    });
  });
}
