/**
 * C-FIND SCP (PS3.7 §9.1.2, PS3.4 C.4.1): one Pending response per match carrying exactly the requested keys,
 * then a final Success; C-CANCEL stops the stream with Cancel (0xFE00); an invalid identifier gets its failure
 * status (0xA900 / 0xC000) with an Error Comment. Every request is an event with its keys and match count.
 */
import { find as archiveFind } from '../../../domain/archive/query.ts';
import { QueryRetrieveError, type ArchiveSource } from '../../../domain/archive/plan.ts';
import { CommandField } from '../dimse/command.ts';
import { writeIdentifier } from '../dataset/identifier.ts';
import { QR_MODELS } from '../persona/uids.ts';
import { decodeIdentifier } from './identifierKeys.ts';
import type { DimseService } from './service.ts';

export function findService(archive: ArchiveSource): DimseService {
  return {
    name: 'find',
    sopClasses: (uid) => QR_MODELS[uid]?.op === 'find',
    async handle(message, context, ctx) {
      const rq = message.command;
      const messageId = rq.messageId ?? 0;
      const sopClass = rq.affectedSopClassUid ?? context.abstractSyntax;
      const model = QR_MODELS[context.abstractSyntax]!.model;
      const id = decodeIdentifier(message.dataset, context.transferSyntax);
      const respond = (status: number, dataset?: Buffer, comment?: string) =>
        ctx.send(
          context.id,
          {
            commandField: CommandField.C_FIND_RSP,
            messageIdBeingRespondedTo: messageId,
            affectedSopClassUid: sopClass,
            hasDataset: dataset !== undefined,
            status,
            ...(comment ? { errorComment: comment.slice(0, 64) } : {}),
          },
          dataset,
        );
      const emit = (status: number, matches: number) =>
        ctx.log.emit('dicomhawk.dimse.find', {
          message_id: messageId,
          model,
          level: id.ok ? (id.level?.slice(0, 16) ?? null) : null,
          keys: id.ok ? id.eventKeys : [],
          charset: id.ok ? (id.charset?.slice(0, 64) ?? null) : null,
          matches,
          status,
        });
      if (!id.ok) {
        await respond(0xc000, undefined, `Cannot understand identifier: ${id.reason}`);
        emit(0xc000, 0);
        return;
      }
      let matches = 0;
      let status = 0x0000;
      let gen: ReturnType<typeof archiveFind> | null = null;
      try {
        gen = archiveFind(archive, {
          model,
          level: id.level,
          keys: id.keys,
          requesterIp: ctx.peerIp,
          retrieveAeTitle: ctx.aeTitle,
          relational: ctx.persona.query.relational,
          caseInsensitivePN: ctx.persona.query.caseInsensitivePN,
          limit: ctx.persona.query.maxMatches,
        });
        for (const r of gen) {
          if (ctx.cancelled(messageId)) {
            status = 0xfe00;
            break;
          }
          if (ctx.signal.aborted) return;
          await respond(0xff00, writeIdentifier(r.elements.map((e) => ({ tag: e.tag, vr: e.vr, value: e.value })), context.transferSyntax));
          matches += 1;
          // Let the socket deliver a C-CANCEL-RQ between responses (the sends above complete without yielding).
          if (matches % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (err) {
        if (!(err instanceof QueryRetrieveError)) throw err;
        await respond(err.status, undefined, err.comment);
        emit(err.status, 0);
        return;
      } finally {
        gen?.return(undefined as never);
      }
      if (ctx.signal.aborted) return;
      await respond(status);
      emit(status, matches);
    },
  };
}
