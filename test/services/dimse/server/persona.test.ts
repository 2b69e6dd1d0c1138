import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodeAssociateAc } from '../../../../src/services/dimse/pdu/associateAc.ts';
import { loadPersona, PersonaError, shippedPersonas } from '../../../../src/domain/dicom/persona.ts';
import { UID, appContext, implClassUid, maxLength, pcRq, roleSelection, rqPdu, userInfo } from '../../../fixtures/pdu.ts';
import { startDimseServer } from '../../../helpers/dimseServer.ts';
import { exchange } from '../../../helpers/rawClient.ts';

const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.70';

describe('personas', () => {
  test('at least two personas ship, none with a library default identity', () => {
    const names = shippedPersonas();
    assert.ok(names.length >= 2);
    assert.ok(names.includes('hospital-pacs') && names.includes('dcm4chee-arc'));
    for (const n of names) {
      const p = loadPersona(n);
      for (const lib of ['1.2.826.0.1.3680043.10.854', '1.2.826.0.1.3680043.9.3811', '1.2.276.0.7230010.3']) assert.ok(!p.implementation.classUid.startsWith(lib), `${n} uses ${lib}`);
    }
  });

  for (const name of ['hospital-pacs', 'dcm4chee-arc']) {
    test(`${name}: the A-ASSOCIATE-AC bytes say what the persona file says`, async () => {
      const persona = loadPersona(name);
      const server = await startDimseServer({ persona: name });
      try {
        const rq = rqPdu({
          called: 'SOMEPACS',
          calling: 'PROBE',
          items: [
            appContext(),
            pcRq(1, UID.VERIFICATION, [UID.EXPLICIT_LE, UID.IMPLICIT_LE]),
            pcRq(3, UID.STUDY_ROOT_FIND, [UID.IMPLICIT_LE, UID.EXPLICIT_LE]),
            pcRq(5, '1.2.3.4.99', [UID.IMPLICIT_LE]),
            pcRq(7, UID.CT_IMAGE_STORAGE, ['1.2.3.999']),
            pcRq(9, UID.CT_IMAGE_STORAGE, [JPEG_LOSSLESS, UID.EXPLICIT_LE]),
            userInfo(maxLength(32768), implClassUid('1.2.3.4'), roleSelection(UID.CT_IMAGE_STORAGE, 0, 1)),
          ],
        });
        const r = await exchange(server.port, [rq], { waitMs: 300 });
        assert.equal(r.received[0], 0x02);
        const ac = decodeAssociateAc(r.received.subarray(6, 6 + r.received.readUInt32BE(2)));
        assert.equal(ac.implClassUid, persona.implementation.classUid);
        assert.equal(ac.implVersionName, persona.implementation.versionName);
        assert.equal(ac.maxPdu, persona.maxPdu);
        assert.equal(ac.calledAe.text, 'SOMEPACS', 'the called AE title is echoed as sent');
        const byId = new Map(ac.contexts.map((c) => [c.id, c]));
        const pick = (ours: string[], proposed: string[]) =>
          persona.transferSyntaxSelection === 'scp-preference' ? ours.find((t) => proposed.includes(t)) : proposed.find((t) => ours.includes(t));
        assert.equal(byId.get(1)!.result, 0);
        assert.equal(byId.get(1)!.transferSyntax, pick(persona.transferSyntaxes.nonStorage, [UID.EXPLICIT_LE, UID.IMPLICIT_LE]));
        assert.equal(byId.get(3)!.transferSyntax, pick(persona.transferSyntaxes.nonStorage, [UID.IMPLICIT_LE, UID.EXPLICIT_LE]));
        assert.equal(byId.get(5)!.result, 3, 'abstract syntax not supported');
        assert.equal(byId.get(7)!.result, 4, 'transfer syntaxes not supported');
        assert.equal(byId.get(9)!.result, 0);
        assert.equal(byId.get(9)!.transferSyntax, pick(persona.transferSyntaxes.storage, [JPEG_LOSSLESS, UID.EXPLICIT_LE]));
        assert.deepEqual((ac.userInfo?.roles ?? []).map((x) => [x.sopClassUid, x.scu, x.scp]), [[UID.CT_IMAGE_STORAGE, 0, 1]], 'SCP role for storage accepted (C-GET)');
      } finally {
        await server.stop();
      }
    });
  }

  test('a bad persona file is refused with the file and field named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dh-persona-'));
    const f = join(dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ ...loadPersona('hospital-pacs'), maxPdu: -1, implementation: { classUid: 'not a uid', versionName: 'x' } }));
    assert.throws(() => loadPersona(f), (e: unknown) => e instanceof PersonaError && /bad\.json/.test(e.message) && /maxPdu/.test(e.message) && /implementation\.classUid/.test(e.message));
    assert.throws(() => loadPersona('no-such-persona'), /shipped personas: .*hospital-pacs/);
    writeFileSync(f, '{');
    assert.throws(() => loadPersona(f), /not valid JSON/);
  });
});
