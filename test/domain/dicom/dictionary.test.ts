import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DICTIONARY, lookupKeyword, lookupTag, parseTag, tagNumber, tagString } from '../../../src/domain/dicom/dictionary.ts';
import { KNOWN_VRS } from '../../../src/domain/dicom/vr.ts';

test('covers the Query/Retrieve keys with their VRs', () => {
  const expect: [string, number, string][] = [
    ['SpecificCharacterSet', 0x00080005, 'CS'],
    ['QueryRetrieveLevel', 0x00080052, 'CS'],
    ['RetrieveAETitle', 0x00080054, 'AE'],
    ['InstanceAvailability', 0x00080056, 'CS'],
    ['ModalitiesInStudy', 0x00080061, 'CS'],
    ['SOPClassesInStudy', 0x00080062, 'UI'],
    ['PatientName', 0x00100010, 'PN'],
    ['PatientID', 0x00100020, 'LO'],
    ['PatientBirthDate', 0x00100030, 'DA'],
    ['PatientSex', 0x00100040, 'CS'],
    ['StudyInstanceUID', 0x0020000d, 'UI'],
    ['SeriesInstanceUID', 0x0020000e, 'UI'],
    ['SOPInstanceUID', 0x00080018, 'UI'],
    ['AccessionNumber', 0x00080050, 'SH'],
    ['ReferringPhysicianName', 0x00080090, 'PN'],
    ['StudyDescription', 0x00081030, 'LO'],
    ['SeriesDescription', 0x0008103e, 'LO'],
    ['SeriesNumber', 0x00200011, 'IS'],
    ['InstanceNumber', 0x00200013, 'IS'],
    ['NumberOfStudyRelatedInstances', 0x00201208, 'IS'],
    ['NumberOfSeriesRelatedInstances', 0x00201209, 'IS'],
    ['NumberOfPatientRelatedStudies', 0x00201200, 'IS'],
  ];
  for (const [keyword, tag, vr] of expect) {
    assert.deepEqual(lookupKeyword(keyword), { tag, keyword, vr });
    assert.equal(lookupTag(tag)?.keyword, keyword);
  }
});

test('the table is sorted, unique and uses only known VRs', () => {
  const tags = DICTIONARY.map((e) => e.tag);
  assert.deepEqual(tags, [...tags].sort((a, b) => a - b));
  assert.equal(new Set(tags).size, tags.length);
  assert.equal(new Set(DICTIONARY.map((e) => e.keyword)).size, tags.length);
  for (const e of DICTIONARY) assert.ok(KNOWN_VRS.has(e.vr), e.keyword);
});

test('group lengths, private creators and tag text', () => {
  assert.equal(lookupTag(0x00100000)?.vr, 'UL');
  assert.equal(lookupTag(0x00090010)?.keyword, 'PrivateCreator');
  assert.equal(lookupTag(0x00091001), undefined);
  assert.equal(lookupTag(0x00100011), undefined);
  assert.equal(tagString(tagNumber(0x7fe0, 0x10)), '7FE00010');
  assert.equal(parseTag('(0010,0010)'), 0x00100010);
  assert.equal(parseTag('0020000d'), 0x0020000d);
  assert.equal(parseTag('PatientName'), null);
});
