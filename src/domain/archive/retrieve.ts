/**
 * Which instances a C-GET or C-MOVE identifier selects (PS3.4 C.4.2.2 / C.4.3.2), in a stable order:
 * study (date, time, UID), series number, instance number. Unique keys select as usual; non-unique keys
 * at or above the level select too (`getscu -k QueryRetrieveLevel=STUDY -k PatientName=…`, as the
 * original product documents), with the same matching rules as C-FIND.
 *
 * Each instance comes with what the network layer needs to stream the stored bytes without re-encoding:
 * the absolute path, whether it is a Part-10 file and where its data set starts, the transfer syntax and
 * size. Quarantined uploads are visible to their uploader only.
 */
import { isAbsolute, join } from 'node:path';
import type { QrLevel, QrModel } from './dictionary.ts';
import { validateRetrieveIdentifier, type QueryKey } from './matching.ts';
import { buildPlan, hasOwnerRows, matchingKeys, passes, QueryRetrieveError, type ArchiveSource } from './plan.ts';

export interface RetrieveRequest {
  readonly model: QrModel;
  /** QueryRetrieveLevel as sent; when omitted it is taken from the (0008,0052) key. */
  readonly level?: QrLevel | string | null;
  readonly keys: readonly QueryKey[];
  readonly requesterIp: string | null;
  /** PN matching of non-unique keys (persona). Default true. */
  readonly caseInsensitivePN?: boolean;
  /** Cap on the number of instances (the rest are not selected; `truncated` says so). */
  readonly limit?: number;
}

export interface ResolvedInstance {
  /** Absolute path of the stored file. */
  readonly path: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly transferSyntax: string;
  /** File size in bytes. */
  readonly size: number;
  /** True for a Part-10 file; false for a bare data set (a quarantined upload as received). */
  readonly part10: boolean;
  /** Offset of the data set in the file (the meta header precedes it in a Part-10 file). */
  readonly datasetOffset: number;
  readonly sha256: string | null;
  /** A quarantined upload of the requester (not part of the public archive). */
  readonly owned: boolean;
}

export interface Resolution {
  readonly level: QrLevel;
  readonly instances: readonly ResolvedInstance[];
  readonly truncated: boolean;
  readonly notes: readonly string[];
  readonly generation: string;
}

interface InstanceRow {
  _id: number;
  path: string;
  sop_class: string;
  sop_uid: string;
  study_uid: string;
  series_uid: string;
  transfer_syntax: string;
  size: number;
  part10: number;
  dataset_offset: number;
  sha256: string | null;
  owner_ip: string | null;
  [column: string]: unknown;
}

const ORDER = `st."StudyDate", st."StudyTime", st."StudyInstanceUID", CAST(se."SeriesNumber" AS INTEGER), se."SeriesInstanceUID", CAST(i."InstanceNumber" AS INTEGER), i."SOPInstanceUID", i.id`;

/** Validate a retrieve identifier and list the instances it selects. Throws QueryRetrieveError when invalid. */
export function resolveInstances(source: ArchiveSource, req: RetrieveRequest): Resolution {
  const v = validateRetrieveIdentifier(req.model, req.level ?? null, req.keys);
  if (!v.ok) throw new QueryRetrieveError(v.status, v.comment);
  const lease = source.acquire();
  try {
    // The keys at and above the level select entities; every instance beneath them is retrieved.
    const keys = matchingKeys(v.answerModel, v.level, req.keys).map((k) => k.key);
    const plan = buildPlan({
      answerModel: v.answerModel,
      level: 'IMAGE',
      keys,
      match: { caseInsensitivePN: req.caseInsensitivePN ?? true },
      select: [],
      requesterIp: req.requesterIp,
      ownerRows: hasOwnerRows(lease, req.requesterIp),
      extra: [
        'i.path AS path',
        'i."SOPClassUID" AS sop_class',
        'i."SOPInstanceUID" AS sop_uid',
        'st."StudyInstanceUID" AS study_uid',
        'se."SeriesInstanceUID" AS series_uid',
        'i.transfer_syntax AS transfer_syntax',
        'i.size AS size',
        'i.part10 AS part10',
        'i.dataset_offset AS dataset_offset',
        'i.sha256 AS sha256',
        'i.owner_ip AS owner_ip',
      ],
      paged: false,
      orderBy: ORDER,
    });
    const rows = lease.prepare(plan.sql).all(...plan.params) as InstanceRow[];
    const limit = req.limit ?? Number.POSITIVE_INFINITY;
    const instances: ResolvedInstance[] = [];
    let truncated = false;
    for (const row of rows) {
      if (!passes(plan, row)) continue;
      if (instances.length >= limit) {
        truncated = true;
        break;
      }
      instances.push({
        path: row.owner_ip === null || !isAbsolute(row.path) ? join(lease.archiveRoot, row.path) : row.path,
        sopClassUid: row.sop_class,
        sopInstanceUid: row.sop_uid,
        studyInstanceUid: row.study_uid,
        seriesInstanceUid: row.series_uid,
        transferSyntax: row.transfer_syntax,
        size: row.size,
        part10: row.part10 === 1,
        datasetOffset: row.dataset_offset,
        sha256: row.sha256,
        owned: row.owner_ip !== null,
      });
    }
    return { level: v.level, instances, truncated, notes: v.notes, generation: lease.generation };
  } finally {
    lease.release();
  }
}
