/**
 * Shared parts of C-GET and C-MOVE (PS3.4 C.4.2, C.4.3): the sub-operation counters, the Pending / final
 * responses with their counts, and reading a stored object's data set exactly as stored.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { writeIdentifier } from '../dataset/identifier.ts';
import type { CommandInit } from '../dimse/command.ts';
import type { ServiceContext } from './service.ts';
import { QueryRetrieveError } from '../../../domain/archive/plan.ts';
import type { InstanceResolver, RetrieveRequest } from './get.ts';
import { decodeIdentifier, type DecodedIdentifier } from './identifierKeys.ts';

export interface RetrievableInstance {
  /** Absolute path of the stored Part 10 file. */
  readonly path: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly size: number;
  /** Where the data set starts in the file (after the Part 10 header; 0 for a bare data set). */
  readonly datasetOffset: number;
}

export class SubOps {
  completed = 0;
  failed = 0;
  warning = 0;
  bytes = 0;
  readonly sent: string[] = [];
  readonly failedUids: string[] = [];
  constructor(readonly total: number) {}

  get remaining(): number {
    return Math.max(0, this.total - this.completed - this.failed - this.warning);
  }

  record(uid: string, status: number | null, bytes: number): void {
    if (status === 0x0000) {
      this.completed += 1;
      this.bytes += bytes;
      if (this.sent.length < 1000) this.sent.push(uid);
    } else if (status !== null && (status & 0xf000) === 0xb000) {
      this.warning += 1;
      this.bytes += bytes;
      if (this.sent.length < 1000) this.sent.push(uid);
    } else {
      this.failed += 1;
      this.failedUids.push(uid);
    }
  }

  /** The final status (PS3.4 C.4.3.1.4): success, B000 when anything failed or warned, or cancel. */
  finalStatus(cancelled: boolean): number {
    if (cancelled) return 0xfe00;
    if (this.failed > 0 && this.completed === 0 && this.warning === 0 && this.total > 0) return 0xa702;
    return this.failed > 0 || this.warning > 0 ? 0xb000 : 0x0000;
  }
}

/**
 * The data set bytes of a stored object, exactly as stored (the Part 10 header left out): one positioned read
 * of just the data set. Synchronous on purpose: decoy objects are small, and four thread-pool hand-offs per
 * object (open, stat, read, close) cost more than the read itself (measured in `npm run bench -- qr`).
 */
export function storedDataset(instance: Pick<RetrievableInstance, 'path' | 'datasetOffset'>): Buffer {
  const fd = openSync(instance.path, 'r');
  try {
    const len = Math.max(0, fstatSync(fd).size - instance.datasetOffset);
    const buf = Buffer.allocUnsafe(len);
    let done = 0;
    while (done < len) {
      const n = readSync(fd, buf, done, len - done, instance.datasetOffset + done);
      if (n <= 0) break;
      done += n;
    }
    return done === len ? buf : buf.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

export async function sendRetrieveResponse(
  ctx: ServiceContext,
  contextId: number,
  base: Pick<CommandInit, 'commandField' | 'messageIdBeingRespondedTo' | 'affectedSopClassUid'>,
  status: number,
  ops: SubOps,
  transferSyntax: string,
  final: boolean,
): Promise<void> {
  const withFailures = final && ops.failedUids.length > 0;
  const dataset = withFailures ? writeIdentifier([{ tag: '00080058', vr: 'UI', value: ops.failedUids.slice(0, 1000) }], transferSyntax) : undefined;
  await ctx.send(
    contextId,
    {
      ...base,
      hasDataset: dataset !== undefined,
      status,
      ...(final && status !== 0xfe00 ? {} : { remaining: ops.remaining }),
      completed: ops.completed,
      failed: ops.failed,
      warning: ops.warning,
    },
    dataset,
  );
}

/**
 * Decodes a C-GET/C-MOVE identifier and resolves the instances it names; an undecodable identifier is
 * 0xC000 and an invalid one carries the archive's status (0xA900 …) and Error Comment.
 */
export function selectInstances(
  dataset: Buffer | null,
  transferSyntax: string,
  model: RetrieveRequest['model'],
  requesterIp: string,
  resolve: InstanceResolver,
): { id: DecodedIdentifier; instances: RetrievableInstance[]; failure: { status: number; comment: string } | null } {
  const id = decodeIdentifier(dataset, transferSyntax);
  if (!id.ok) return { id, instances: [], failure: { status: 0xc000, comment: `Cannot understand identifier: ${id.reason}` } };
  try {
    return { id, instances: resolve({ model, level: id.level, keys: id.keys, requesterIp }), failure: null };
  } catch (err) {
    if (!(err instanceof QueryRetrieveError)) throw err;
    return { id, instances: [], failure: { status: err.status, comment: err.comment } };
  }
}
