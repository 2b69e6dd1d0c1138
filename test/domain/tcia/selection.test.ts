import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NbiaSeries } from '../../../src/domain/tcia/nbiaClient.ts';
import { selectSeries } from '../../../src/domain/tcia/selection.ts';

function s(modality: string, study: string, series: string, imageCount: number, collection = 'C'): NbiaSeries {
  return { seriesInstanceUid: series, studyInstanceUid: study, patientId: `P-${study}`, collection, modality, imageCount, fileSize: imageCount * 1000, licenseName: '', licenseUri: '' };
}

const rules = { minFiles: 5, maxFiles: 100, studiesPerModality: 2, seriesPerStudy: 2 };

describe('series selection', () => {
  const ct = [
    s('CT', '1.1', '1.1.1', 4), // below the minimum
    s('CT', '1.1', '1.1.2', 5), // at the minimum
    s('CT', '1.2', '1.2.1', 100), // at the maximum
    s('CT', '1.2', '1.2.2', 101), // above
    s('CT', '1.2', '1.2.3', 50),
    s('CT', '1.2', '1.2.4', 60),
    s('CT', '1.3', '1.3.1', 20),
    s('CT', '1.4', '1.4.1', 20),
  ];

  it('keeps MINIMUM_ ≤ ImageCount ≤ MAXIMUM_TCIA_FILES_IN_SERIE, the study budget and the series-per-study cap', () => {
    const r = selectSeries(new Map([['CT', ct]]), () => false, rules, 'seed-a');
    assert.ok(r.series.every((x) => x.imageCount >= 5 && x.imageCount <= 100));
    assert.equal(new Set(r.series.map((x) => x.studyInstanceUid)).size, 2);
    for (const study of new Set(r.series.map((x) => x.studyInstanceUid))) assert.ok(r.series.filter((x) => x.studyInstanceUid === study).length <= 2);
    assert.deepEqual(r.modalities[0], { modality: 'CT', listed: 8, outOfRange: 2, alreadyServed: 0, studies: 2, series: r.series.length });
  });

  it('never takes a study served before, nor one study for two modalities', () => {
    const pt = [s('PT', '1.3', '1.3.9', 30), s('PT', '1.5', '1.5.1', 30)];
    const served = new Set(['1.1', '1.2']);
    const r = selectSeries(new Map([['CT', ct], ['PT', pt]]), (u) => served.has(u), rules, 'seed-b');
    const ctStudies = r.series.filter((x) => x.modality === 'CT').map((x) => x.studyInstanceUid);
    const ptStudies = r.series.filter((x) => x.modality === 'PT').map((x) => x.studyInstanceUid);
    assert.deepEqual(new Set(ctStudies), new Set(['1.3', '1.4']));
    assert.deepEqual(ptStudies, ['1.5'], 'study 1.3 was taken for CT already');
    assert.equal(r.modalities[0]?.alreadyServed, 4, 'the in-range series of the two served studies');
  });

  it('draws differently per rotation seed and identically for the same seed', () => {
    const many = Array.from({ length: 40 }, (_, i) => s('MR', `2.${i}`, `2.${i}.1`, 10));
    const pick = (seed: string) => selectSeries(new Map([['MR', many]]), () => false, { ...rules, studiesPerModality: 3 }, seed).series.map((x) => x.studyInstanceUid);
    assert.deepEqual(pick('x'), pick('x'));
    assert.notDeepEqual(pick('x'), pick('y'));
  });

  it('selects nothing when every study was served', () => {
    const r = selectSeries(new Map([['CT', ct]]), () => true, rules, 's');
    assert.equal(r.series.length, 0);
  });
});
