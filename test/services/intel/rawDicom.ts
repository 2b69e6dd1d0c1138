// A minimal DICOM requester on a raw socket for tests that need a chosen source address (127.0.0.x), which DCMTK's
// tools cannot bind: send a PDU, await the next PDU of an expected type.
import type { Socket } from 'node:net';
import { CommandField, encodeCommand } from '../../../src/services/dimse/dimse/command.ts';
import { appContext, dcmtkEchoscuRq, implClassUid, maxLength, pcRq, pDataPdu, pdv, releaseRqPdu, rqPdu, UID, userInfo } from '../../fixtures/pdu.ts';
import { openRaw } from '../../helpers/rawClient.ts';

export interface RawPeer {
  /** Writes `pdu` and resolves with the body of the next PDU, which must be of type `expect`. */
  send(pdu: Buffer, expect: number): Promise<Buffer>;
  close(): void;
}

export async function rawPeer(port: number, localAddress: string): Promise<RawPeer> {
  const s: Socket = await openRaw(port, '127.0.0.1', localAddress);
  let buf = Buffer.alloc(0);
  const waiting: Array<{ type: number; resolve: (body: Buffer) => void; reject: (e: Error) => void }> = [];
  const fail = (e: Error): void => {
    for (const w of waiting.splice(0)) w.reject(e);
  };
  s.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 6 && buf.length >= 6 + buf.readUInt32BE(2)) {
      const type = buf[0]!;
      const body = buf.subarray(6, 6 + buf.readUInt32BE(2));
      buf = buf.subarray(6 + body.length);
      const w = waiting.shift();
      if (!w) continue;
      if (type === w.type) w.resolve(body);
      else w.reject(new Error(`expected PDU type ${w.type}, got ${type} (${localAddress})`));
    }
  });
  s.on('error', fail);
  s.on('close', () => fail(new Error(`closed early (${localAddress})`)));
  return {
    send(pdu, expect) {
      const p = new Promise<Buffer>((resolve, reject) => waiting.push({ type: expect, resolve, reject }));
      s.write(pdu);
      return p;
    },
    close() {
      s.removeAllListeners('close');
      s.destroy();
    },
  };
}

/** One association from `localAddress`: A-ASSOCIATE-RQ → AC, C-ECHO-RQ → RSP, A-RELEASE-RQ → RP. */
export async function rawEcho(port: number, localAddress: string): Promise<void> {
  const peer = await rawPeer(port, localAddress);
  try {
    await peer.send(dcmtkEchoscuRq('ANY-SCP', 'BURST'), 0x02);
    await peer.send(pDataPdu(pdv(1, 0x03, encodeCommand({ commandField: CommandField.C_ECHO_RQ, messageId: 1, affectedSopClassUid: UID.VERIFICATION, hasDataset: false }))), 0x04);
    await peer.send(releaseRqPdu(), 0x06);
  } finally {
    peer.close();
  }
}

/** One association storing `dataset` as a CT image (Implicit VR LE) whatever its bytes are; resolves at the release. */
export async function rawStore(port: number, localAddress: string, dataset: Buffer, sopInstance = '1.2.826.0.1.3680043.2.1143.1'): Promise<void> {
  const peer = await rawPeer(port, localAddress);
  try {
    const rq = rqPdu({
      called: 'ANY-SCP',
      calling: 'STORESCU',
      items: [appContext(), pcRq(1, UID.CT_IMAGE_STORAGE, [UID.IMPLICIT_LE]), userInfo(maxLength(16384), implClassUid('1.2.276.0.7230010.3.0.3.6.9'))],
    });
    await peer.send(rq, 0x02);
    const command = encodeCommand({ commandField: CommandField.C_STORE_RQ, messageId: 1, affectedSopClassUid: UID.CT_IMAGE_STORAGE, affectedSopInstanceUid: sopInstance, priority: 0, hasDataset: true });
    await peer.send(pDataPdu(pdv(1, 0x03, command), pdv(1, 0x02, dataset)), 0x04);
    await peer.send(releaseRqPdu(), 0x06);
  } finally {
    peer.close();
  }
}
