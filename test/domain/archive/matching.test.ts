import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attributeByTag } from '../../../src/domain/archive/dictionary.ts';
import {
  classifyKey,
  compileKey,
  dateTimeKey,
  foldCase,
  pnNormalise,
  QR_STATUS,
  timeKey,
  validateIdentifier,
  validateRetrieveIdentifier,
  wildcardMatch,
  type QueryKey,
} from '../../../src/domain/archive/matching.ts';
import { k } from './helpers.ts';

const ci = { caseInsensitivePN: true };
const cs = { caseInsensitivePN: false };

function matches(key: QueryKey, stored: string, opts = ci): boolean {
  return compileKey(key, attributeByTag(key.tag), opts).test(stored);
}

describe('classifyKey (PS3.4 C.2.2.2)', () => {
  it('names every kind of matching', () => {
    assert.equal(classifyKey('00100010', 'PN', ''), 'empty');
    assert.equal(classifyKey('00100010', 'PN', '*'), 'universal');
    assert.equal(classifyKey('00100010', 'PN', '**'), 'universal');
    assert.equal(classifyKey('00100010', 'PN', 'Hansen*'), 'wildcard');
    assert.equal(classifyKey('00100010', 'PN', 'Hans?n^Jens'), 'wildcard');
    assert.equal(classifyKey('00100010', 'PN', 'Hansen^Jens'), 'single');
    assert.equal(classifyKey('0020000D', 'UI', '1.2.3\\1.2.4'), 'list');
    assert.equal(classifyKey('00080020', 'DA', '20200101-20201231'), 'range');
    assert.equal(classifyKey('00080020', 'DA', '-20201231'), 'range');
    assert.equal(classifyKey('00080020', 'DA', '20200101-'), 'range');
    assert.equal(classifyKey('00080020', 'DA', '20200101'), 'single');
    assert.equal(classifyKey('00080030', 'TM', '0800-1200'), 'range');
    assert.equal(classifyKey('0008002A', 'DT', '20200101120000-20200102'), 'range');
    assert.equal(classifyKey('00081110', 'SQ', ''), 'sequence');
  });

  it('uses the dictionary VR over the one sent (implicit VR identifiers say UN)', () => {
    assert.equal(classifyKey('00080020', 'UN', '2020-2021'), 'range');
    // A date holds no wild cards: "2020*" is a single (invalid) value, not a pattern.
    assert.equal(classifyKey('00080020', 'DA', '2020*'), 'single');
  });
});

describe('wild card matching', () => {
  it('matches * and ? per character, including non-ASCII', () => {
    assert.ok(wildcardMatch('S?ren*', 'Søren^Kierkegaard'));
    assert.ok(wildcardMatch('*gaard', 'Søren^Kierkegaard'));
    assert.ok(wildcardMatch('*', ''));
    assert.ok(!wildcardMatch('?', ''));
    assert.ok(!wildcardMatch('S?ren', 'Sren'));
    assert.ok(wildcardMatch('a*b*c', 'aXXbYYc'));
    assert.ok(!wildcardMatch('a*b*c', 'aXXbYY'));
  });

  it('treats % _ [ ] and quotes as ordinary characters', () => {
    assert.ok(wildcardMatch('Ho_lm%*', 'Ho_lm%^Bo'));
    assert.ok(!wildcardMatch('Ho_lm*', 'Hoxlmy^Bo'));
    assert.ok(wildcardMatch("P4[x]'*", "P4[x]'; DROP TABLE"));
    assert.ok(!wildcardMatch('P4[x]', 'P4x'));
  });

  it('stays polynomial on hostile patterns', () => {
    const started = process.hrtime.bigint();
    assert.ok(!wildcardMatch(`${'*a'.repeat(30)}b`, 'a'.repeat(64)));
    assert.ok(process.hrtime.bigint() - started < 50_000_000n);
  });

  it('escapes GLOB syntax in the SQL pre-filter and binds it as a parameter', () => {
    const m = compileKey(k('PatientID', "P4[x]*'"), attributeByTag('00100020'), ci);
    const f = m.sql({ raw: 'p."PatientID"' });
    assert.deepEqual(f, { clause: 'p."PatientID" GLOB ?', params: ["P4[[]x]*'"] });
  });
});

describe('PN rules', () => {
  it('ignores trailing empty components and groups', () => {
    assert.equal(pnNormalise('Hansen^Jens^^^'), 'Hansen^Jens');
    assert.equal(pnNormalise('Hansen^Jens=^'), 'Hansen^Jens');
    assert.ok(matches(k('PatientName', 'Hansen^Jens'), 'Hansen^Jens^^'));
  });

  it('matches case-insensitively only when the persona says so, without changing string length', () => {
    assert.ok(matches(k('PatientName', 'sørensen^jørgen'), 'Sørensen^Jørgen', ci));
    assert.ok(!matches(k('PatientName', 'sørensen^jørgen'), 'Sørensen^Jørgen', cs));
    assert.ok(matches(k('PatientName', 'æRØ*'), 'Ærø^Åse', ci));
    assert.equal(foldCase('straße').length, 'straße'.length);
    assert.ok(matches(k('PatientName', 'STRA?E'), 'Straße', ci));
  });
});

describe('date and time ranges', () => {
  it('DA: a-b, -b, a-, single, and the ACR-NEMA dotted form', () => {
    const d = (q: string, v: string): boolean => matches(k('StudyDate', q), v);
    assert.ok(d('20200101-20201231', '20200115'));
    assert.ok(d('20200101-20201231', '20201231'));
    assert.ok(!d('20200101-20201231', '20210101'));
    assert.ok(d('-20191231', '20191231'));
    assert.ok(!d('-20191231', '20200101'));
    assert.ok(d('20220505-', '20220506'));
    assert.ok(d('20200115', '20200115'));
    assert.ok(d('2020.01.15', '20200115'));
    assert.ok(!d('20200115', ''), 'an empty stored value never matches a value');
    assert.ok(!d('2020-2021-2022', '20200115'), 'a malformed range matches nothing');
  });

  it('TM: padded comparison with fractions', () => {
    assert.equal(timeKey('0930'), '093000.000000');
    assert.equal(timeKey('12:00:00.5'), '120000.500000');
    const t = (q: string, v: string): boolean => matches(k('StudyTime', q), v);
    assert.ok(t('0900-1000', '093000'));
    assert.ok(t('1200-', '120000.5'));
    assert.ok(!t('-1159', '1200'));
    assert.ok(t('1200', '120000'));
  });

  it('DT: ranges split at the right hyphen despite UTC offsets', () => {
    assert.equal(dateTimeKey('2020'), '20200101000000.000000');
    const t = (q: string, v: string): boolean => matches({ tag: '0008002A', vr: 'DT', value: q }, v);
    assert.ok(t('20200101-20201231', '20200615120000'));
    assert.ok(t('20200101120000-0100-20200102', '20200101130000+0100'));
    assert.ok(!t('20200102-', '20200101235959'));
  });
});

describe('lists and multi-valued attributes', () => {
  it('UID lists match any UID; lists of wild cards too', () => {
    assert.ok(matches(k('StudyInstanceUID', '1.2.3\\1.2.4'), '1.2.4'));
    assert.ok(!matches(k('StudyInstanceUID', '1.2.3\\1.2.4'), '1.2.5'));
    assert.ok(matches(k('Modality', 'CT\\M?'), 'MR'));
  });

  it('ModalitiesInStudy matches when any stored value does', () => {
    assert.ok(matches(k('ModalitiesInStudy', 'PR'), 'CT\\PR'));
    assert.ok(matches(k('ModalitiesInStudy', 'MR\\PR'), 'CT\\PR'));
    assert.ok(!matches(k('ModalitiesInStudy', 'MR'), 'CT\\PR'));
    assert.equal(compileKey(k('ModalitiesInStudy', 'PR'), attributeByTag('00080061'), ci).sql({ raw: 'x', multi: true }), null);
  });

  it('unknown attributes and sequences match universally', () => {
    assert.ok(compileKey({ tag: '00091001', vr: 'LO', value: 'x' }, undefined, ci).universal);
    assert.ok(compileKey({ tag: '00081110', vr: 'SQ', value: '', items: [[k('StudyInstanceUID', '1.2')]] }, undefined, ci).universal);
  });
});

describe('validateIdentifier', () => {
  const hier = { relational: false };
  const rel = { relational: true };

  it('accepts the hierarchical identifiers of each model', () => {
    assert.equal(validateIdentifier('study-root', 'STUDY', [k('PatientName', 'H*'), k('StudyDate', '2020-')], hier).ok, true);
    assert.equal(validateIdentifier('study-root', 'SERIES', [k('StudyInstanceUID', '1.2'), k('Modality', 'CT')], hier).ok, true);
    assert.equal(validateIdentifier('patient-root', 'SERIES', [k('PatientID', 'X'), k('StudyInstanceUID', '1.2'), k('Modality')], hier).ok, true);
    assert.equal(validateIdentifier('patient-root', 'IMAGE', [k('PatientID', 'X'), k('StudyInstanceUID', '1.2'), k('SeriesInstanceUID', '1.2.1\\1.2.2')], hier).ok, true);
    assert.equal(validateIdentifier('patient-study-only', 'STUDY', [k('PatientID', 'X'), k('StudyDate')], hier).ok, true);
  });

  it('fails 0xA900 without QueryRetrieveLevel, and 0xC000 for an unknown one', () => {
    assert.deepEqual(validateIdentifier('study-root', null, [k('PatientName')], hier), { ok: false, status: 0xa900, comment: 'missing QueryRetrieveLevel (0008,0052)' });
    const bad = validateIdentifier('study-root', 'FRAME', [], hier);
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.status, QR_STATUS.UnableToProcess);
    // The level can come from the identifier itself.
    assert.equal(validateIdentifier('study-root', undefined, [k('QueryRetrieveLevel', 'STUDY')], hier).ok, true);
  });

  it('fails 0xA900 when a hierarchical query lacks a higher unique key or matches a non-unique key above its level', () => {
    const missing = validateIdentifier('study-root', 'SERIES', [k('Modality', 'CT')], hier);
    assert.equal(!missing.ok && missing.status, 0xa900);
    assert.match(!missing.ok ? missing.comment : '', /StudyInstanceUID/);
    const wild = validateIdentifier('study-root', 'SERIES', [k('StudyInstanceUID', '*')], hier);
    assert.equal(!wild.ok && wild.status, 0xa900);
    const nonUnique = validateIdentifier('study-root', 'SERIES', [k('StudyInstanceUID', '1.2'), k('PatientName', 'H*')], { relational: false, strict: true });
    assert.equal(!nonUnique.ok && nonUnique.status, 0xa900);
    const patientRoot = validateIdentifier('patient-root', 'STUDY', [k('StudyDate', '2020-')], hier);
    assert.match(!patientRoot.ok ? patientRoot.comment : '', /PatientID/);
    assert.equal(validateIdentifier('patient-study-only', 'SERIES', [], hier).ok, false);
  });

  it('relational queries accept any key at or above the level', () => {
    assert.equal(validateIdentifier('study-root', 'IMAGE', [k('PatientName', 'H*'), k('Modality', 'CT')], rel).ok, true);
  });

  it('answers but does not match non-unique keys above the level, ignores keys below it (unless strict)', () => {
    const v = validateIdentifier('study-root', 'SERIES', [k('StudyInstanceUID', '1.2'), k('PatientName'), k('PatientID', 'X'), k('SOPInstanceUID', '1.2.3')], hier);
    assert.equal(v.ok, true);
    assert.deepEqual(v.ok && v.notes, ['return-key-above-level:PatientName', 'ignored-key-above-level:PatientID', 'lower-level-key:SOPInstanceUID']);
    assert.deepEqual(v.ok && v.ignored, ['00100020']);
    const strict = validateIdentifier('study-root', 'STUDY', [k('Modality', 'CT')], { relational: false, strict: true });
    assert.equal(!strict.ok && strict.status, 0xa900);
  });

  it('answers a Study Root query at PATIENT level leniently, as Orthanc does', () => {
    const v = validateIdentifier('study-root', 'PATIENT', [k('PatientName', 'H*')], hier);
    assert.equal(v.ok, true);
    assert.equal(v.ok && v.answerModel, 'patient-root');
    assert.deepEqual(v.ok && v.notes, ['study-root-patient-level']);
  });

  it('retrieve identifiers: unique or non-unique keys select, an empty identifier fails 0xA900', () => {
    assert.equal(validateRetrieveIdentifier('study-root', 'STUDY', [k('StudyInstanceUID', '1.2')]).ok, true);
    const byName = validateRetrieveIdentifier('study-root', 'STUDY', [k('PatientName', 'Hansen^Jens')]);
    assert.deepEqual(byName.ok && byName.notes, ['retrieve-by-non-unique-key:PatientName']);
    const none = validateRetrieveIdentifier('study-root', 'STUDY', [k('StudyInstanceUID')]);
    assert.equal(!none.ok && none.status, 0xa900);
    assert.equal(validateRetrieveIdentifier('study-root', 'PATIENT', [k('PatientID', 'X')]).ok, true);
  });
});
