/** C-ECHO SCP (PS3.7 §9.1.5, Verification SOP Class PS3.4 Annex A). */
import { CommandField } from '../dimse/command.ts';
import { SopClass } from '../persona/uids.ts';
import type { DimseService } from './service.ts';

export const echoService: DimseService = {
  name: 'verification',
  sopClasses: [SopClass.Verification],
  async handle(message, context, ctx) {
    const rq = message.command;
    const status = 0x0000;
    await ctx.send(context.id, {
      commandField: CommandField.C_ECHO_RSP,
      messageIdBeingRespondedTo: rq.messageId ?? 0,
      affectedSopClassUid: rq.affectedSopClassUid ?? SopClass.Verification,
      hasDataset: false,
      status,
    });
    ctx.log.emit('dicomhawk.dimse.echo', { message_id: rq.messageId ?? 0, status });
  },
};
