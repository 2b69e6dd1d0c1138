import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../../../src/domain/dataset/rng.ts';
import { createPatient, toPN } from '../../../src/domain/dataset/identity.ts';
import { allNames } from '../../../src/domain/dataset/danishNames.ts';
import { POSTCODES, STREET_NAMES } from '../../../src/domain/dataset/danishPlaces.ts';
import { isTellText } from '../../../src/domain/dataset/deidTells.ts';
import { hospitalAddress } from '../../../src/domain/dataset/hospitals.ts';
import { parseCpr } from '../../../src/domain/dataset/cpr.ts';
import { createSite } from '../../../src/domain/dataset/site.ts';
import { HOSPITALS } from '../../../src/domain/dataset/hospitals.ts';
import { put } from '../../../src/domain/dataset/dicom/dataset.ts';
import { writePart10 } from '../../../src/domain/dataset/dicom/part10Writer.ts';
import type { Charset } from '../../../src/domain/dataset/dicom/charset.ts';
import { dcmdump, problems, tempDir } from './dcmtk.ts';

const tmp = tempDir('identity');
after(() => tmp.remove());

describe('Danish identities', () => {
  it('pairs CPR, birth date and sex, and uses the CPR digits as PatientID', () => {
    const rng = createRng('id-test', 'patients');
    for (let i = 0; i < 300; i++) {
      const p = createPatient(rng.fork(i), { region: 'MJ' });
      const info = parseCpr(p.cpr);
      assert.ok(info);
      assert.equal(info.birthDate, p.birthDate);
      assert.equal(info.sex, p.sex);
      assert.equal(p.patientId, p.cpr.replace('-', ''));
      assert.match(p.phone, /^\+45 \d{8}$/);
    }
  });

  it('writes names as DICOM PN Family^Given with the middle name in the given component', () => {
    const rng = createRng('id-test', 'names');
    let withSpace = 0;
    for (let i = 0; i < 300; i++) {
      const p = createPatient(rng.fork(i), { region: 'H', sex: i % 2 ? 'M' : 'F' });
      const pn = toPN(p.name);
      const parts = pn.split('^');
      assert.equal(parts.length, 2, pn);
      assert.ok(parts.every((c) => c.length > 0 && !c.includes('=')), pn);
      assert.ok(pn.length <= 64, pn);
      if (parts[1]!.includes(' ')) withSpace++;
    }
    assert.ok(withSpace > 30, 'some patients carry second given names or middle names');
  });

  it('has æ, ø and å in the name pool and uses only real postcode–city pairs', () => {
    const names = allNames().join(' ');
    for (const ch of ['æ', 'ø', 'å', 'Ø', 'Å']) assert.ok(names.includes(ch), `name pool lacks ${ch}`);
    for (const n of ['Søren', 'Jørgen', 'Søndergaard', 'Bækgaard', 'Østergaard', 'Mølgaard', 'Kjær', 'Aagaard', 'Brøndum']) {
      assert.ok(allNames().includes(n), n);
    }
    const rng = createRng('id-test', 'addresses');
    const known = new Map(Object.values(POSTCODES).flat().map(([code, city]) => [code, city]));
    for (let i = 0; i < 200; i++) {
      const p = createPatient(rng.fork(i), { region: 'SD' });
      assert.equal(known.get(p.address.postcode), p.address.city);
      assert.ok(POSTCODES.SD.some(([code]) => code === p.address.postcode));
    }
  });

  it('encodes æ/ø/å correctly in ISO_IR 100 and ISO_IR 192', () => {
    for (const [charset, bytes] of [
      ['ISO_IR 100', Buffer.from('Søndergaard^Jørgen Bækgaard', 'latin1')],
      ['ISO_IR 192', Buffer.from('Søndergaard^Jørgen Bækgaard', 'utf8')],
    ] as const) {
      const ds = {};
      put(ds, 'SOPClassUID', '1.2.840.10008.5.1.4.1.1.7');
      put(ds, 'SOPInstanceUID', '2.25.1');
      put(ds, 'PatientName', 'Søndergaard^Jørgen Bækgaard');
      put(ds, 'InstitutionName', 'Sjællands Universitetshospital Roskilde');
      const file = join(tmp.path, `${charset.replace(' ', '_')}.dcm`);
      writeFileSync(file, writePart10(ds, { charset: charset as Charset }));
      assert.ok(readFileSync(file).includes(bytes), `raw ${charset} bytes present`);
      const dump = dcmdump(file);
      assert.equal(dump.status, 0);
      assert.deepEqual(problems(dump), []);
      assert.match(dump.stdout, /Søndergaard\^Jørgen Bækgaard/);
      assert.match(dump.stdout, /Sjællands Universitetshospital Roskilde/);
    }
  });
});

describe('tell detection and our own vocabulary', () => {
  it('never mistakes a Danish name, street, town or hospital for a de-identification tell', () => {
    const ours = [
      ...allNames(), ...STREET_NAMES, ...Object.values(POSTCODES).flat().map(([, city]) => city),
      ...HOSPITALS.flatMap((h) => [h.name, h.department, hospitalAddress(h)]),
    ];
    assert.deepEqual(ours.filter((t) => isTellText(t)), []);
  });
});

describe('installation site', () => {
  it('is a stable Danish hospital group per install secret', () => {
    const a = createSite('install-a');
    assert.deepEqual(createSite('install-a'), a);
    const main = a.hospitals[0]!.hospital;
    assert.ok(HOSPITALS.includes(main));
    assert.ok(a.hospitals.every((h) => h.hospital.region === a.region));
    for (const h of a.hospitals) {
      for (const scanners of Object.values(h.scanners)) {
        for (const s of scanners) assert.ok(s.stationName.startsWith(h.hospital.code) && s.stationName.length <= 16);
      }
    }
    const mains = new Set(Array.from({ length: 12 }, (_, i) => createSite(`install-${i}`).hospitals[0]!.hospital.code));
    assert.ok(mains.size > 3, 'different installations pretend to be different hospitals');
    assert.equal(createSite('x', { hospitalCode: 'AUH' }).hospitals[0]!.hospital.name, 'Aarhus Universitetshospital');
  });
});
