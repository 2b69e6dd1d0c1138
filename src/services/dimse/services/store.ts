/**
 * C-STORE SCP (PS3.7 §9.1.1, Storage Service Class PS3.4 Annex B). The exact received data set goes to the
 * quarantine, content-addressed, with a record of who sent it; a full quota answers 0xA700 (Out of
 * Resources) instead of dropping silently. A data set our bounded walker cannot walk is kept as evidence and
 * answered 0xC000 (Cannot understand). The uploader may later see its own upload; nobody else does.
 */
import { contentKind } from '../../../domain/quarantine/contentKind.ts';
import type { Quarantine } from '../../../domain/quarantine/quarantine.ts';
import { CommandField } from '../dimse/command.ts';
import { walkDataset } from '../../../domain/dicom/walker.ts';
import { acceptedAbstractSyntaxes } from '../persona/negotiate.ts';
import type { DimseService } from './service.ts';

export interface StoredUpload {
  sha256: string;
  /** The quarantined data set, exactly as received (no file meta header). */
  path: string;
  srcIp: string;
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
}

export interface StoreServiceOptions {
  quarantine: Quarantine;
  /** Called for each upload accepted (the archive makes it visible to its uploader when configured). */
  onStored?: (u: StoredUpload) => void;
}

export function storeService(o: StoreServiceOptions): DimseService {
  return {
    name: 'storage',
    sopClasses: () => true,
    async handle(message, context, ctx) {
      const rq = message.command;
      const sopClass = rq.affectedSopClassUid ?? context.abstractSyntax;
      const sopInstance = rq.affectedSopInstanceUid ?? '';
      const dataset = message.dataset ?? Buffer.alloc(0);
      const isStorage = acceptedAbstractSyntaxes(ctx.persona).get(context.abstractSyntax) === 'storage';
      let status = 0x0000;
      let sha: string | null = null;
      let quarantineId: string | null = null;
      if (!isStorage) status = 0x0122; // SOP class not supported on this context
      else {
        const walk = walkDataset(dataset, context.transferSyntax);
        const put = o.quarantine.put(dataset, {
          session: ctx.log.identity.session,
          srcIp: ctx.peerIp,
          channel: 'dimse',
          sopClass,
          sopInstance,
          transferSyntax: context.transferSyntax,
        });
        sha = put.sha256;
        if (!put.ok) status = 0xa700;
        else {
          quarantineId = put.sha256;
          if (!walk.ok) status = 0xc000;
          else o.onStored?.({ sha256: put.sha256, path: put.path, srcIp: ctx.peerIp, sopClassUid: sopClass, sopInstanceUid: sopInstance, transferSyntaxUid: context.transferSyntax });
        }
      }
      await ctx.send(context.id, {
        commandField: CommandField.C_STORE_RSP,
        messageIdBeingRespondedTo: rq.messageId ?? 0,
        affectedSopClassUid: sopClass,
        ...(sopInstance ? { affectedSopInstanceUid: sopInstance } : {}),
        hasDataset: false,
        status,
      });
      ctx.log.emit('dicomhawk.dimse.store', {
        message_id: rq.messageId ?? 0,
        sop_class: sopClass.slice(0, 256),
        sop_instance: sopInstance.slice(0, 256),
        transfer_syntax: context.transferSyntax,
        size: dataset.length,
        sha256: sha,
        quarantine_id: quarantineId,
        status,
        ...(isStorage ? { content: contentKind(dataset) } : {}),
      });
    },
  };
}
