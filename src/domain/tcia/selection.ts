/**
 * Which TCIA series a rotation fetches: for each modality of MODALITIES, series whose ImageCount lies within
 * [MINIMUM_TCIA_FILES_IN_SERIE, MAXIMUM_TCIA_FILES_IN_SERIE], grouped by study; studies served in an earlier
 * rotation (or already chosen for another modality) are never taken; up to TCIA_STUDIES_PER_MODALITY studies
 * per modality and TCIA_SERIES_PER_STUDY series per study. The order is a keyed hash of the rotation's seed,
 * so each rotation draws a different sample while a resumed rotation draws the same one.
 */
import { createHash } from 'node:crypto';
import type { NbiaSeries } from './nbiaClient.ts';

export interface SelectionRules {
  readonly minFiles: number;
  readonly maxFiles: number;
  readonly studiesPerModality: number;
  readonly seriesPerStudy: number;
}

export interface ModalityCount {
  readonly modality: string;
  readonly listed: number;
  readonly outOfRange: number;
  readonly alreadyServed: number;
  readonly studies: number;
  readonly series: number;
}

export interface Selection {
  readonly series: readonly NbiaSeries[];
  readonly modalities: readonly ModalityCount[];
}

function rank(seed: string, key: string): string {
  return createHash('sha256').update(seed).update('\0').update(key).digest('hex');
}

/** Picks the series of one rotation from what getSeries listed per modality. */
export function selectSeries(listed: ReadonlyMap<string, readonly NbiaSeries[]>, served: (studyUid: string) => boolean, rules: SelectionRules, seed: string): Selection {
  const taken = new Set<string>();
  const series: NbiaSeries[] = [];
  const modalities: ModalityCount[] = [];
  for (const [modality, list] of listed) {
    let outOfRange = 0;
    let alreadyServed = 0;
    const byStudy = new Map<string, NbiaSeries[]>();
    const seen = new Set<string>();
    for (const s of list) {
      if (seen.has(s.seriesInstanceUid)) continue;
      seen.add(s.seriesInstanceUid);
      if (s.imageCount < rules.minFiles || s.imageCount > rules.maxFiles) {
        outOfRange++;
        continue;
      }
      if (served(s.studyInstanceUid)) {
        alreadyServed++;
        continue;
      }
      const group = byStudy.get(s.studyInstanceUid) ?? [];
      group.push(s);
      byStudy.set(s.studyInstanceUid, group);
    }
    const studies = [...byStudy.keys()].filter((uid) => !taken.has(uid)).sort((a, b) => (rank(seed, a) < rank(seed, b) ? -1 : 1));
    let nStudies = 0;
    let nSeries = 0;
    for (const uid of studies) {
      if (nStudies >= rules.studiesPerModality) break;
      const group = (byStudy.get(uid) ?? []).sort((a, b) => (rank(seed, a.seriesInstanceUid) < rank(seed, b.seriesInstanceUid) ? -1 : 1)).slice(0, rules.seriesPerStudy);
      taken.add(uid);
      series.push(...group);
      nStudies++;
      nSeries += group.length;
    }
    modalities.push({ modality, listed: list.length, outOfRange, alreadyServed, studies: nStudies, series: nSeries });
  }
  return { series, modalities };
}
