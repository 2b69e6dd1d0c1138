/**
 * A study or series as a streamed ZIP (stored, not deflated: DICOM pixel data hardly compresses): each
 * file is opened only when the archive writer reaches it, so memory and open files stay flat however
 * many instances a study has. The layout is a PACS export's: `<folder>/S0001/I0001.dcm`.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import yazl from 'yazl';
import type { ResolvedInstance } from '../../../domain/archive/retrieve.ts';
import { part10 } from '../../../domain/dicom/part10.ts';

const IMPLEMENTATION_CLASS_UID = '1.2.826.0.1.3680043.2.1545.742';

/** The bytes of an instance as a Part-10 file (stored files are already; bare uploads get a meta header). */
export function instanceStream(i: ResolvedInstance): Readable {
  if (i.part10) return createReadStream(i.path);
  const out = new PassThrough();
  try {
    const ds = readFileSync(i.path).subarray(i.datasetOffset);
    out.end(part10({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, transferSyntaxUid: i.transferSyntax, implementationClassUid: IMPLEMENTATION_CLASS_UID }, ds));
  } catch (err) {
    process.nextTick(() => out.destroy(err as Error));
  }
  return out;
}

export interface ZipPlan {
  /** Instances included (within the byte budget). */
  readonly included: readonly ResolvedInstance[];
  /** Instances left out by the budget. */
  readonly omitted: number;
}

export function planZip(instances: readonly ResolvedInstance[], maxBytes: number): ZipPlan {
  const included: ResolvedInstance[] = [];
  let bytes = 0;
  for (const i of instances) {
    if (bytes + i.size > maxBytes) break;
    bytes += i.size;
    included.push(i);
  }
  return { included, omitted: instances.length - included.length };
}

/** The ZIP stream; `onOpen` runs as each instance's bytes start to be read. */
export function zipInstances(folder: string, instances: readonly ResolvedInstance[], onOpen: (i: ResolvedInstance) => void): Readable {
  const zip = new yazl.ZipFile();
  const seriesIndex = new Map<string, number>();
  const counters = new Map<string, number>();
  const mtime = new Date();
  for (const i of instances) {
    let s = seriesIndex.get(i.seriesInstanceUid);
    if (s === undefined) seriesIndex.set(i.seriesInstanceUid, (s = seriesIndex.size + 1));
    const n = (counters.get(i.seriesInstanceUid) ?? 0) + 1;
    counters.set(i.seriesInstanceUid, n);
    const name = `${folder}/S${String(s).padStart(4, '0')}/I${String(n).padStart(4, '0')}.dcm`;
    const size = i.part10 ? i.size : undefined;
    zip.addReadStreamLazy(name, { compress: false, mtime, ...(size !== undefined ? { size } : {}) }, (cb) => {
      onOpen(i);
      cb(null, instanceStream(i));
    });
  }
  zip.end();
  return zip.outputStream as Readable;
}
