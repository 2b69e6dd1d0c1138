/**
 * Every cell of PS3.8 Table 9-10 (plus the honeypot's Evt18T column), exercised on a real machine:
 * one `describe` per state, one test per event. Each state is reached through real events
 * (`ROUTES`), then one event is fed and the test checks the action that ran, every port call it
 * made (PDUs sent, timers, indications, transport close) and the next state. Blank cells must
 * raise `InvalidDulEventError` and change nothing. The expectations are written from PS3.8
 * Tables 9-6 to 9-10, independently of `stateTable.ts`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidDulEventError } from '../../../../src/services/dimse/dul/errors.ts';
import { DUL_EVENTS, HAWK_DUL_EVENTS, type DulMachineEvent } from '../../../../src/services/dimse/dul/events.ts';
import type { DulActionName } from '../../../../src/services/dimse/dul/stateTable.ts';
import { DUL_STATE_DESCRIPTIONS, DUL_STATES, type DulState } from '../../../../src/services/dimse/dul/states.ts';
import { AC, feed, INVALID_PDU, LOCAL_REJECTION, PDATA_IN, PDATA_OUT, PEER_ABORT, PEER_RJ, reach, RQ, type Call } from './fakePort.ts';

// --- expected port calls, in the words of Tables 9-6 to 9-9 -----------------------------------

const START_ARTIM: Call = ['startArtim'];
const STOP_ARTIM: Call = ['stopArtim'];
const CLOSE: Call = ['closeTransport'];
/** AA-1: A-ABORT, service-user source (0), reason not significant (0). */
const USER_ABORT: Call = ['sendAbort', 0, 0];
const providerAbort = (reason: number): Call => ['sendAbort', 2, reason];

const AA1: readonly Call[] = [USER_ABORT, START_ARTIM];
/** AA-8 for a well-formed PDU out of place: unexpected-PDU (2). */
const AA8_UNEXPECTED: readonly Call[] = [
  providerAbort(2),
  ['indicate', { primitive: 'A-P-ABORT indication', origin: 'local', reason: 2 }],
  START_ARTIM,
];
/** AA-8 for Evt19 fed with INVALID_PDU: the diagnosed reason, invalid-PDU-parameter value (6). */
const AA8_INVALID: readonly Call[] = [
  providerAbort(INVALID_PDU.reason),
  ['indicate', { primitive: 'A-P-ABORT indication', origin: 'local', reason: INVALID_PDU.reason }],
  START_ARTIM,
];
/** AA-3 for PEER_ABORT (service-provider source). */
const AA3: readonly Call[] = [['indicate', { primitive: 'A-P-ABORT indication', origin: 'peer', ...PEER_ABORT }], CLOSE];
const AA4: readonly Call[] = [['indicate', { primitive: 'A-P-ABORT indication', origin: 'transport' }]];
const AA2: readonly Call[] = [STOP_ARTIM, CLOSE];
/** AA-2T where the service-user knows of an association (Sta3–Sta12). */
const AA2T_INDICATED: readonly Call[] = [
  STOP_ARTIM,
  ['indicate', { primitive: 'A-P-ABORT indication', origin: 'timer', timer: 'idle' }],
  CLOSE,
];
/** AA-2T in Sta2 and Sta13: nothing to tell the service-user. */
const AA2T_SILENT: readonly Call[] = [STOP_ARTIM, CLOSE];

// --- cell runners ----------------------------------------------------------------------------

const covered = new Set<string>();
const key = (state: DulState, event: DulMachineEvent): string => `${state}/${event}`;

function cell(state: DulState, event: DulMachineEvent, action: DulActionName, to: DulState, calls: readonly Call[]): void {
  covered.add(key(state, event));
  it(`${event} → ${action} → ${to}`, () => {
    const { machine, port, transitions } = reach(state);
    feed(machine, event);
    assert.deepEqual(transitions, [{ from: state, event, action, to }]);
    assert.equal(machine.state, to);
    assert.deepEqual(port.calls, calls);
  });
}

function blank(state: DulState, event: DulMachineEvent): void {
  covered.add(key(state, event));
  it(`${event} → no action (InvalidDulEventError, nothing sent)`, () => {
    const { machine, port, transitions } = reach(state);
    assert.throws(
      () => feed(machine, event),
      (error: unknown) => error instanceof InvalidDulEventError && error.state === state && error.event === event,
    );
    assert.equal(machine.state, state);
    assert.deepEqual(port.calls, []);
    assert.deepEqual(transitions, []);
  });
}

const title = (state: DulState): string => `${state} — ${DUL_STATE_DESCRIPTIONS[state]}`;

// --- the table, state by state ---------------------------------------------------------------

describe(title('Sta1'), () => {
  cell('Sta1', 'Evt1', 'AE-1', 'Sta4', [['requestTransportConnection', RQ]]);
  blank('Sta1', 'Evt2');
  blank('Sta1', 'Evt3');
  blank('Sta1', 'Evt4');
  cell('Sta1', 'Evt5', 'AE-5', 'Sta2', [START_ARTIM]);
  blank('Sta1', 'Evt6');
  blank('Sta1', 'Evt7');
  blank('Sta1', 'Evt8');
  blank('Sta1', 'Evt9');
  blank('Sta1', 'Evt10');
  blank('Sta1', 'Evt11');
  blank('Sta1', 'Evt12');
  blank('Sta1', 'Evt13');
  blank('Sta1', 'Evt14');
  blank('Sta1', 'Evt15');
  blank('Sta1', 'Evt16');
  blank('Sta1', 'Evt17');
  blank('Sta1', 'Evt18');
  blank('Sta1', 'Evt19');
  blank('Sta1', 'Evt18T');
});

describe(title('Sta2'), () => {
  blank('Sta2', 'Evt1');
  blank('Sta2', 'Evt2');
  cell('Sta2', 'Evt3', 'AA-1', 'Sta13', AA1);
  cell('Sta2', 'Evt4', 'AA-1', 'Sta13', AA1);
  blank('Sta2', 'Evt5');
  cell('Sta2', 'Evt6', 'AE-6', 'Sta3', [
    STOP_ARTIM,
    ['examineAssociateRq', RQ],
    ['indicate', { primitive: 'A-ASSOCIATE indication', associateRq: RQ }],
  ]);
  blank('Sta2', 'Evt7');
  blank('Sta2', 'Evt8');
  blank('Sta2', 'Evt9');
  cell('Sta2', 'Evt10', 'AA-1', 'Sta13', AA1);
  blank('Sta2', 'Evt11');
  cell('Sta2', 'Evt12', 'AA-1', 'Sta13', AA1);
  cell('Sta2', 'Evt13', 'AA-1', 'Sta13', AA1);
  blank('Sta2', 'Evt14');
  blank('Sta2', 'Evt15');
  cell('Sta2', 'Evt16', 'AA-2', 'Sta1', AA2);
  cell('Sta2', 'Evt17', 'AA-5', 'Sta1', [STOP_ARTIM]);
  cell('Sta2', 'Evt18', 'AA-2', 'Sta1', AA2);
  cell('Sta2', 'Evt19', 'AA-1', 'Sta13', AA1);
  cell('Sta2', 'Evt18T', 'AA-2T', 'Sta1', AA2T_SILENT);
});

describe(title('Sta3'), () => {
  blank('Sta3', 'Evt1');
  blank('Sta3', 'Evt2');
  cell('Sta3', 'Evt3', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta3', 'Evt4', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta3', 'Evt5');
  cell('Sta3', 'Evt6', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta3', 'Evt7', 'AE-7', 'Sta6', [['sendAssociateAc', AC]]);
  cell('Sta3', 'Evt8', 'AE-8', 'Sta13', [['sendAssociateRj', LOCAL_REJECTION], START_ARTIM]);
  blank('Sta3', 'Evt9');
  cell('Sta3', 'Evt10', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta3', 'Evt11');
  cell('Sta3', 'Evt12', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta3', 'Evt13', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta3', 'Evt14');
  cell('Sta3', 'Evt15', 'AA-1', 'Sta13', AA1);
  cell('Sta3', 'Evt16', 'AA-3', 'Sta1', AA3);
  cell('Sta3', 'Evt17', 'AA-4', 'Sta1', AA4);
  blank('Sta3', 'Evt18');
  cell('Sta3', 'Evt19', 'AA-8', 'Sta13', AA8_INVALID);
  cell('Sta3', 'Evt18T', 'AA-2T', 'Sta1', AA2T_INDICATED);
});

describe(title('Sta4'), () => {
  blank('Sta4', 'Evt1');
  cell('Sta4', 'Evt2', 'AE-2', 'Sta5', [['sendAssociateRq', RQ]]);
  blank('Sta4', 'Evt3');
  blank('Sta4', 'Evt4');
  blank('Sta4', 'Evt5');
  blank('Sta4', 'Evt6');
  blank('Sta4', 'Evt7');
  blank('Sta4', 'Evt8');
  blank('Sta4', 'Evt9');
  blank('Sta4', 'Evt10');
  blank('Sta4', 'Evt11');
  blank('Sta4', 'Evt12');
  blank('Sta4', 'Evt13');
  blank('Sta4', 'Evt14');
  cell('Sta4', 'Evt15', 'AA-2', 'Sta1', AA2);
  blank('Sta4', 'Evt16');
  cell('Sta4', 'Evt17', 'AA-4', 'Sta1', AA4);
  blank('Sta4', 'Evt18');
  blank('Sta4', 'Evt19');
  cell('Sta4', 'Evt18T', 'AA-2T', 'Sta1', AA2T_INDICATED);
});

describe(title('Sta5'), () => {
  blank('Sta5', 'Evt1');
  blank('Sta5', 'Evt2');
  cell('Sta5', 'Evt3', 'AE-3', 'Sta6', [
    ['indicate', { primitive: 'A-ASSOCIATE confirmation', result: 'accepted', associateAc: AC }],
  ]);
  cell('Sta5', 'Evt4', 'AE-4', 'Sta1', [
    ['indicate', { primitive: 'A-ASSOCIATE confirmation', result: 'rejected', rejection: PEER_RJ }],
    CLOSE,
  ]);
  blank('Sta5', 'Evt5');
  cell('Sta5', 'Evt6', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta5', 'Evt7');
  blank('Sta5', 'Evt8');
  blank('Sta5', 'Evt9');
  cell('Sta5', 'Evt10', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta5', 'Evt11');
  cell('Sta5', 'Evt12', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta5', 'Evt13', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta5', 'Evt14');
  cell('Sta5', 'Evt15', 'AA-1', 'Sta13', AA1);
  cell('Sta5', 'Evt16', 'AA-3', 'Sta1', AA3);
  cell('Sta5', 'Evt17', 'AA-4', 'Sta1', AA4);
  blank('Sta5', 'Evt18');
  cell('Sta5', 'Evt19', 'AA-8', 'Sta13', AA8_INVALID);
  cell('Sta5', 'Evt18T', 'AA-2T', 'Sta1', AA2T_INDICATED);
});

describe(title('Sta6'), () => {
  blank('Sta6', 'Evt1');
  blank('Sta6', 'Evt2');
  cell('Sta6', 'Evt3', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta6', 'Evt4', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta6', 'Evt5');
  cell('Sta6', 'Evt6', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta6', 'Evt7');
  blank('Sta6', 'Evt8');
  cell('Sta6', 'Evt9', 'DT-1', 'Sta6', [['sendPData', PDATA_OUT]]);
  cell('Sta6', 'Evt10', 'DT-2', 'Sta6', [['indicate', { primitive: 'P-DATA indication', pData: PDATA_IN }]]);
  cell('Sta6', 'Evt11', 'AR-1', 'Sta7', [['sendReleaseRq']]);
  cell('Sta6', 'Evt12', 'AR-2', 'Sta8', [['indicate', { primitive: 'A-RELEASE indication', collision: false }]]);
  cell('Sta6', 'Evt13', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta6', 'Evt14');
  cell('Sta6', 'Evt15', 'AA-1', 'Sta13', AA1);
  cell('Sta6', 'Evt16', 'AA-3', 'Sta1', AA3);
  cell('Sta6', 'Evt17', 'AA-4', 'Sta1', AA4);
  blank('Sta6', 'Evt18');
  cell('Sta6', 'Evt19', 'AA-8', 'Sta13', AA8_INVALID);
  cell('Sta6', 'Evt18T', 'AA-2T', 'Sta1', AA2T_INDICATED);
});

describe(title('Sta7'), () => {
  blank('Sta7', 'Evt1');
  blank('Sta7', 'Evt2');
  cell('Sta7', 'Evt3', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta7', 'Evt4', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta7', 'Evt5');
  cell('Sta7', 'Evt6', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta7', 'Evt7');
  blank('Sta7', 'Evt8');
  blank('Sta7', 'Evt9');
  cell('Sta7', 'Evt10', 'AR-6', 'Sta7', [['indicate', { primitive: 'P-DATA indication', pData: PDATA_IN }]]);
  blank('Sta7', 'Evt11');
  // Release collision on the acceptor side (the route reaches Sta7 as acceptor) → Sta10.
  cell('Sta7', 'Evt12', 'AR-8', 'Sta10', [['indicate', { primitive: 'A-RELEASE indication', collision: true }]]);
  cell('Sta7', 'Evt13', 'AR-3', 'Sta1', [['indicate', { primitive: 'A-RELEASE confirmation' }], CLOSE]);
  blank('Sta7', 'Evt14');
  cell('Sta7', 'Evt15', 'AA-1', 'Sta13', AA1);
  cell('Sta7', 'Evt16', 'AA-3', 'Sta1', AA3);
  cell('Sta7', 'Evt17', 'AA-4', 'Sta1', AA4);
  blank('Sta7', 'Evt18');
  cell('Sta7', 'Evt19', 'AA-8', 'Sta13', AA8_INVALID);
  cell('Sta7', 'Evt18T', 'AA-2T', 'Sta1', AA2T_INDICATED);
});

describe(title('Sta8'), () => {
  blank('Sta8', 'Evt1');
  blank('Sta8', 'Evt2');
  cell('Sta8', 'Evt3', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta8', 'Evt4', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta8', 'Evt5');
  cell('Sta8', 'Evt6', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta8', 'Evt7');
  blank('Sta8', 'Evt8');
  cell('Sta8', 'Evt9', 'AR-7', 'Sta8', [['sendPData', PDATA_OUT]]);
  cell('Sta8', 'Evt10', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta8', 'Evt11');
  cell('Sta8', 'Evt12', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta8', 'Evt13', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta8', 'Evt14', 'AR-4', 'Sta13', [['sendReleaseRp'], START_ARTIM]);
  cell('Sta8', 'Evt15', 'AA-1', 'Sta13', AA1);
  cell('Sta8', 'Evt16', 'AA-3', 'Sta1', AA3);
  cell('Sta8', 'Evt17', 'AA-4', 'Sta1', AA4);
  blank('Sta8', 'Evt18');
  cell('Sta8', 'Evt19', 'AA-8', 'Sta13', AA8_INVALID);
  cell('Sta8', 'Evt18T', 'AA-2T', 'Sta1', AA2T_INDICATED);
});

describe(title('Sta9'), () => {
  blank('Sta9', 'Evt1');
  blank('Sta9', 'Evt2');
  cell('Sta9', 'Evt3', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta9', 'Evt4', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta9', 'Evt5');
  cell('Sta9', 'Evt6', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta9', 'Evt7');
  blank('Sta9', 'Evt8');
  blank('Sta9', 'Evt9');
  cell('Sta9', 'Evt10', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta9', 'Evt11');
  cell('Sta9', 'Evt12', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta9', 'Evt13', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta9', 'Evt14', 'AR-9', 'Sta11', [['sendReleaseRp']]);
  cell('Sta9', 'Evt15', 'AA-1', 'Sta13', AA1);
  cell('Sta9', 'Evt16', 'AA-3', 'Sta1', AA3);
  cell('Sta9', 'Evt17', 'AA-4', 'Sta1', AA4);
  blank('Sta9', 'Evt18');
  cell('Sta9', 'Evt19', 'AA-8', 'Sta13', AA8_INVALID);
  cell('Sta9', 'Evt18T', 'AA-2T', 'Sta1', AA2T_INDICATED);
});

describe(title('Sta10'), () => {
  blank('Sta10', 'Evt1');
  blank('Sta10', 'Evt2');
  cell('Sta10', 'Evt3', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta10', 'Evt4', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta10', 'Evt5');
  cell('Sta10', 'Evt6', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta10', 'Evt7');
  blank('Sta10', 'Evt8');
  blank('Sta10', 'Evt9');
  cell('Sta10', 'Evt10', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta10', 'Evt11');
  cell('Sta10', 'Evt12', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta10', 'Evt13', 'AR-10', 'Sta12', [['indicate', { primitive: 'A-RELEASE confirmation' }]]);
  blank('Sta10', 'Evt14');
  cell('Sta10', 'Evt15', 'AA-1', 'Sta13', AA1);
  cell('Sta10', 'Evt16', 'AA-3', 'Sta1', AA3);
  cell('Sta10', 'Evt17', 'AA-4', 'Sta1', AA4);
  blank('Sta10', 'Evt18');
  cell('Sta10', 'Evt19', 'AA-8', 'Sta13', AA8_INVALID);
  cell('Sta10', 'Evt18T', 'AA-2T', 'Sta1', AA2T_INDICATED);
});

describe(title('Sta11'), () => {
  blank('Sta11', 'Evt1');
  blank('Sta11', 'Evt2');
  cell('Sta11', 'Evt3', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta11', 'Evt4', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta11', 'Evt5');
  cell('Sta11', 'Evt6', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta11', 'Evt7');
  blank('Sta11', 'Evt8');
  blank('Sta11', 'Evt9');
  cell('Sta11', 'Evt10', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta11', 'Evt11');
  cell('Sta11', 'Evt12', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta11', 'Evt13', 'AR-3', 'Sta1', [['indicate', { primitive: 'A-RELEASE confirmation' }], CLOSE]);
  blank('Sta11', 'Evt14');
  cell('Sta11', 'Evt15', 'AA-1', 'Sta13', AA1);
  cell('Sta11', 'Evt16', 'AA-3', 'Sta1', AA3);
  cell('Sta11', 'Evt17', 'AA-4', 'Sta1', AA4);
  blank('Sta11', 'Evt18');
  cell('Sta11', 'Evt19', 'AA-8', 'Sta13', AA8_INVALID);
  cell('Sta11', 'Evt18T', 'AA-2T', 'Sta1', AA2T_INDICATED);
});

describe(title('Sta12'), () => {
  blank('Sta12', 'Evt1');
  blank('Sta12', 'Evt2');
  cell('Sta12', 'Evt3', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta12', 'Evt4', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta12', 'Evt5');
  cell('Sta12', 'Evt6', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta12', 'Evt7');
  blank('Sta12', 'Evt8');
  blank('Sta12', 'Evt9');
  cell('Sta12', 'Evt10', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  blank('Sta12', 'Evt11');
  cell('Sta12', 'Evt12', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta12', 'Evt13', 'AA-8', 'Sta13', AA8_UNEXPECTED);
  cell('Sta12', 'Evt14', 'AR-4', 'Sta13', [['sendReleaseRp'], START_ARTIM]);
  cell('Sta12', 'Evt15', 'AA-1', 'Sta13', AA1);
  cell('Sta12', 'Evt16', 'AA-3', 'Sta1', AA3);
  cell('Sta12', 'Evt17', 'AA-4', 'Sta1', AA4);
  blank('Sta12', 'Evt18');
  cell('Sta12', 'Evt19', 'AA-8', 'Sta13', AA8_INVALID);
  cell('Sta12', 'Evt18T', 'AA-2T', 'Sta1', AA2T_INDICATED);
});

describe(title('Sta13'), () => {
  blank('Sta13', 'Evt1');
  blank('Sta13', 'Evt2');
  cell('Sta13', 'Evt3', 'AA-6', 'Sta13', []);
  cell('Sta13', 'Evt4', 'AA-6', 'Sta13', []);
  blank('Sta13', 'Evt5');
  cell('Sta13', 'Evt6', 'AA-7', 'Sta13', [providerAbort(2)]);
  blank('Sta13', 'Evt7');
  blank('Sta13', 'Evt8');
  blank('Sta13', 'Evt9');
  cell('Sta13', 'Evt10', 'AA-6', 'Sta13', []);
  blank('Sta13', 'Evt11');
  cell('Sta13', 'Evt12', 'AA-6', 'Sta13', []);
  cell('Sta13', 'Evt13', 'AA-6', 'Sta13', []);
  blank('Sta13', 'Evt14');
  blank('Sta13', 'Evt15');
  cell('Sta13', 'Evt16', 'AA-2', 'Sta1', AA2);
  cell('Sta13', 'Evt17', 'AR-5', 'Sta1', [STOP_ARTIM]);
  cell('Sta13', 'Evt18', 'AA-2', 'Sta1', AA2);
  cell('Sta13', 'Evt19', 'AA-7', 'Sta13', [providerAbort(INVALID_PDU.reason)]);
  cell('Sta13', 'Evt18T', 'AA-2T', 'Sta1', AA2T_SILENT);
});

describe('coverage of this suite', () => {
  it('declares a test for every one of the 13 × 20 cells (19 standard events + Evt18T)', () => {
    const missing: string[] = [];
    for (const state of DUL_STATES) {
      for (const event of [...DUL_EVENTS, ...HAWK_DUL_EVENTS]) if (!covered.has(key(state, event))) missing.push(key(state, event));
    }
    assert.deepEqual(missing, []);
    assert.equal(covered.size, 13 * 20);
  });
});
