/**
 * C-GET SCP (PS3.7 §9.1.3, PS3.4 C.4.3): C-STORE sub-operations on the same association, each object sent as
 * stored (no re-encoding) on a context the client accepted for its SOP class and transfer syntax, one Pending
 * response with the counts after each, and always a final response. A sub-operation that cannot be sent counts
 * as failed; nothing leaves the client hanging. One object is in memory at a time.
 */
import type { SessionLog } from '../../../core/events/sessionLog.ts';
import type { QueryKey } from '../../../domain/archive/matching.ts';
import { CommandField, Priority } from '../dimse/command.ts';
import { QR_MODELS } from '../persona/uids.ts';
import { selectInstances, sendRetrieveResponse, storedDataset, SubOps, type RetrievableInstance } from './retrieveCommon.ts';
import type { DimseService } from './service.ts';

export interface RetrieveRequest {
  model: 'patient-root' | 'study-root' | 'patient-study-only';
  level: string | null;
  keys: QueryKey[];
  requesterIp: string;
}

/** Resolves the instances a C-GET / C-MOVE identifier names (throws QueryRetrieveError when invalid). */
export type InstanceResolver = (req: RetrieveRequest) => RetrievableInstance[];

export interface RetrieveHooks {
  /** Called for each object handed to a client (honeytokens are issued here), with the session's log. */
  onSent?: (instance: RetrievableInstance, session: string, log: SessionLog) => void;
}

export function getService(resolve: InstanceResolver, hooks: RetrieveHooks = {}): DimseService {
  return {
    name: 'get',
    sopClasses: (uid) => QR_MODELS[uid]?.op === 'get',
    async handle(message, context, ctx) {
      const rq = message.command;
      const messageId = rq.messageId ?? 0;
      const model = QR_MODELS[context.abstractSyntax]!.model;
      const base = { commandField: CommandField.C_GET_RSP, messageIdBeingRespondedTo: messageId, affectedSopClassUid: rq.affectedSopClassUid ?? context.abstractSyntax };
      const { id, instances, failure } = selectInstances(message.dataset, context.transferSyntax, model, ctx.peerIp, resolve);
      const ops = new SubOps(instances.length);
      const emit = (status: number) =>
        ctx.log.emit('dicomhawk.dimse.get', {
          message_id: messageId,
          model,
          level: id.ok ? (id.level?.slice(0, 16) ?? null) : null,
          keys: id.ok ? id.eventKeys : [],
          completed: ops.completed,
          failed: ops.failed,
          warning: ops.warning,
          instances: ops.sent,
          bytes: ops.bytes,
          status,
        });
      if (failure) {
        await ctx.send(context.id, { ...base, hasDataset: false, status: failure.status, errorComment: failure.comment.slice(0, 64) });
        emit(failure.status);
        return;
      }
      let cancelled = false;
      let storeMessageId = 1;
      for (const inst of instances) {
        if (ctx.signal.aborted) {
          emit(0xfe00);
          return;
        }
        if (ctx.cancelled(messageId)) {
          cancelled = true;
          break;
        }
        const target = [...ctx.association.contexts.values()].find((c) => c.abstractSyntax === inst.sopClassUid && c.transferSyntax === inst.transferSyntaxUid && c.peerIsScp);
        let status: number | null = null;
        let bytes = 0;
        if (target) {
          let dataset: Buffer | null;
          try {
            dataset = storedDataset(inst);
          } catch {
            dataset = null; // vanished or unreadable: the sub-operation counts as failed
          }
          if (dataset) {
            await ctx.send(target.id, {
              commandField: CommandField.C_STORE_RQ,
              messageId: storeMessageId++,
              affectedSopClassUid: inst.sopClassUid,
              affectedSopInstanceUid: inst.sopInstanceUid,
              priority: Priority.MEDIUM,
              hasDataset: true,
            }, dataset);
            const rsp = await ctx.nextResponse();
            if (rsp === null) {
              emit(0xfe00);
              return;
            }
            status = rsp.command.commandField === CommandField.C_STORE_RSP ? (rsp.command.status ?? 0xc000) : 0xc000;
            bytes = dataset.length;
            if (status === 0 || (status & 0xf000) === 0xb000) hooks.onSent?.(inst, ctx.log.identity.session, ctx.log);
          }
        }
        ops.record(inst.sopInstanceUid, status, bytes);
        if (ops.remaining > 0) await sendRetrieveResponse(ctx, context.id, base, 0xff00, ops, context.transferSyntax, false);
      }
      const status = ops.finalStatus(cancelled);
      await sendRetrieveResponse(ctx, context.id, base, status, ops, context.transferSyntax, true);
      emit(status);
    },
  };
}
