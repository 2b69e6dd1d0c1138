/**
 * C-MOVE SCP (PS3.7 §9.1.4, PS3.4 C.4.2). Destinations come only from the operator's MOVE_DESTINATIONS
 * table: an unknown destination gets 0xA801 (Move Destination Unknown) as real PACS answer, and the event
 * records the destination and what would have been sent. The honeypot never connects to an address an
 * attacker chose.
 */
import type { MoveDestination } from '../../../core/config/parsers.ts';
import { CommandField } from '../dimse/command.ts';
import { QR_MODELS } from '../persona/uids.ts';
import { storeToDestination, type StoreOutcome } from '../scu/storeScu.ts';
import type { InstanceResolver, RetrieveHooks } from './get.ts';
import { selectInstances, sendRetrieveResponse, storedDataset, SubOps } from './retrieveCommon.ts';
import type { DimseService } from './service.ts';

export function moveService(resolve: InstanceResolver, destinations: readonly MoveDestination[], hooks: RetrieveHooks = {}): DimseService {
  return {
    name: 'move',
    sopClasses: (uid) => QR_MODELS[uid]?.op === 'move',
    async handle(message, context, ctx) {
      const rq = message.command;
      const messageId = rq.messageId ?? 0;
      const model = QR_MODELS[context.abstractSyntax]!.model;
      const base = { commandField: CommandField.C_MOVE_RSP, messageIdBeingRespondedTo: messageId, affectedSopClassUid: rq.affectedSopClassUid ?? context.abstractSyntax };
      const destAe = (rq.moveDestination ?? '').trim();
      const destination = destinations.find((d) => d.ae === destAe) ?? null;
      const { id, instances, failure: refused } = selectInstances(message.dataset, context.transferSyntax, model, ctx.peerIp, resolve);
      let failure = refused;
      if (!failure && !destination) failure = { status: 0xa801, comment: 'Move Destination Unknown' };
      const ops = new SubOps(instances.length);
      const emit = (status: number, wouldSend: boolean) =>
        ctx.log.emit('dicomhawk.dimse.move', {
          message_id: messageId,
          model,
          level: id.ok ? (id.level?.slice(0, 16) ?? null) : null,
          keys: id.ok ? id.eventKeys : [],
          destination_ae: { text: destAe.slice(0, 256), hex: Buffer.from(rq.moveDestination ?? '', 'latin1').toString('hex').slice(0, 64) },
          completed: ops.completed,
          failed: ops.failed,
          warning: ops.warning,
          // for a refused destination: what would have been sent
          instances: wouldSend ? instances.slice(0, 1000).map((i) => i.sopInstanceUid) : ops.sent,
          bytes: wouldSend ? instances.reduce((n, i) => n + i.size, 0) : ops.bytes,
          status,
        });
      if (failure || !destination) {
        const status = failure?.status ?? 0xa801;
        await ctx.send(context.id, { ...base, hasDataset: false, status, errorComment: (failure?.comment ?? '').slice(0, 64) });
        emit(status, status === 0xa801);
        return;
      }
      let cancelled = false;
      const abort = new AbortController();
      const onCancel = setInterval(() => {
        if (ctx.cancelled(messageId) || ctx.signal.aborted) {
          cancelled = ctx.cancelled(messageId);
          abort.abort();
        }
      }, 50);
      try {
        await storeToDestination(
          instances.map((i) => ({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, transferSyntaxUid: i.transferSyntaxUid, load: async () => storedDataset(i) })),
          { host: destination.host, port: destination.port, calledAe: destination.ae, callingAe: ctx.aeTitle, persona: ctx.persona, moveOriginatorAe: ctx.association.callingAe.slice(0, 16), moveOriginatorMessageId: messageId, signal: abort.signal },
          (r: StoreOutcome) => {
            ops.record(r.sopInstanceUid, r.status, r.bytes);
            const inst = instances.find((i) => i.sopInstanceUid === r.sopInstanceUid);
            if (inst && r.status !== null && (r.status === 0 || (r.status & 0xf000) === 0xb000)) hooks.onSent?.(inst, ctx.log.identity.session, ctx.log);
            if (ops.remaining > 0 && !ctx.signal.aborted) void sendRetrieveResponse(ctx, context.id, base, 0xff00, ops, context.transferSyntax, false).catch(() => undefined);
          },
        );
      } catch {
        // the destination failed part-way: what was not sent counts as failed
        for (const i of instances.slice(ops.completed + ops.failed + ops.warning)) if (!cancelled) ops.record(i.sopInstanceUid, null, 0);
      } finally {
        clearInterval(onCancel);
      }
      if (ctx.signal.aborted) return;
      const status = ops.finalStatus(cancelled);
      await sendRetrieveResponse(ctx, context.id, base, status, ops, context.transferSyntax, true);
      emit(status, false);
    },
  };
}
