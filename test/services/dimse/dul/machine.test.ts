import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AA_8, type DulActionContext } from '../../../../src/services/dimse/dul/actions.ts';
import type { AssociateRejection } from '../../../../src/services/dimse/dul/constants.ts';
import { DulActionError, InvalidDulEventError } from '../../../../src/services/dimse/dul/errors.ts';
import { DulMachine, type DulTransition } from '../../../../src/services/dimse/dul/machine.ts';
import type { DulPort } from '../../../../src/services/dimse/dul/port.ts';
import type { DulState } from '../../../../src/services/dimse/dul/states.ts';
import {
  AC,
  feed,
  LOCAL_REJECTION,
  makeMachine,
  PDATA_IN,
  PDATA_OUT,
  reach,
  RecordingPort,
  RQ,
  type TestPayloads,
} from './fakePort.ts';

const steps = (transitions: readonly DulTransition[]): string[] =>
  transitions.map((t) => `${t.from} ${t.event} ${t.action} ${t.to}`);

describe('hostile input before association (Sta2)', () => {
  it('answers an A-RELEASE-RQ before association with an A-ABORT, never an A-RELEASE-RP (AA-1)', () => {
    const { machine, port } = reach('Sta2');
    machine.handle('Evt12');
    assert.equal(machine.state, 'Sta13');
    assert.deepEqual(port.calls, [['sendAbort', 0, 0], ['startArtim']]);
    assert.ok(!port.methods().includes('sendReleaseRp'));
    assert.ok(!port.methods().includes('indicate'), 'no association exists, so the user hears nothing');
  });

  it('aborts P-DATA sent before association (AA-1)', () => {
    const { machine, port } = reach('Sta2');
    machine.handle('Evt10', PDATA_IN);
    assert.equal(machine.state, 'Sta13');
    assert.deepEqual(port.calls, [['sendAbort', 0, 0], ['startArtim']]);
  });

  it('aborts an unrecognized PDU before association (Evt19 → AA-1)', () => {
    const { machine, port } = reach('Sta2');
    machine.handle('Evt19', { pduType: 0x09 });
    assert.deepEqual(port.calls, [['sendAbort', 0, 0], ['startArtim']]);
  });

  it('closes a connection that never sends an A-ASSOCIATE-RQ when ARTIM expires (AA-2)', () => {
    const { machine, port } = makeMachine();
    machine.handle('Evt5');
    machine.handle('Evt18');
    assert.equal(machine.state, 'Sta1');
    assert.deepEqual(port.calls, [['startArtim'], ['stopArtim'], ['closeTransport']]);
  });

  it('then closes when ARTIM expires in Sta13 (AA-2), and ignores late PDUs meanwhile (AA-6)', () => {
    const { machine, port } = reach('Sta2');
    machine.handle('Evt12');
    machine.handle('Evt10', PDATA_IN);
    machine.handle('Evt18');
    assert.equal(machine.state, 'Sta1');
    assert.deepEqual(port.methods(), ['sendAbort', 'startArtim', 'stopArtim', 'closeTransport']);
  });
});

describe('hostile input on an established association (Sta6)', () => {
  it('aborts a second A-ASSOCIATE-RQ (AA-8: provider source, unexpected-PDU)', () => {
    const { machine, port } = reach('Sta6');
    machine.handle('Evt6', RQ);
    assert.equal(machine.state, 'Sta13');
    assert.deepEqual(port.calls, [
      ['sendAbort', 2, 2],
      ['indicate', { primitive: 'A-P-ABORT indication', origin: 'local', reason: 2 }],
      ['startArtim'],
    ]);
    assert.ok(!port.methods().includes('examineAssociateRq'), 'the policy is not asked twice');
  });

  it('aborts an invalid PDU with the reason the socket layer diagnosed (Evt19 → AA-8)', () => {
    const { machine, port } = reach('Sta6');
    machine.handle('Evt19', { reason: 4, pduType: 0x01, detail: 'unknown item 0x99' });
    assert.deepEqual(port.calls[0], ['sendAbort', 2, 4]);
  });

  it('uses unrecognized-PDU when Evt19 carries no usable reason', () => {
    for (const payload of [undefined, {}, { reason: 3 }, { reason: 99 }]) {
      const { machine, port } = reach('Sta6');
      feed(machine, 'Evt19', payload);
      assert.deepEqual(port.calls[0], ['sendAbort', 2, 1], JSON.stringify(payload));
    }
  });

  it('closes the transport after the peer aborts; a service-user abort is an A-ABORT indication (AA-3)', () => {
    const { machine, port } = reach('Sta6');
    machine.handle('Evt16', { source: 0, reason: 0 });
    assert.equal(machine.state, 'Sta1');
    assert.deepEqual(port.calls, [['indicate', { primitive: 'A-ABORT indication', source: 0, reason: 0 }], ['closeTransport']]);
  });

  it('treats a provider or reserved abort source as A-P-ABORT (AA-3)', () => {
    for (const source of [1, 2, 0xff]) {
      const { machine, port } = reach('Sta6');
      machine.handle('Evt16', { source, reason: 6 });
      assert.deepEqual(port.calls, [
        ['indicate', { primitive: 'A-P-ABORT indication', origin: 'peer', source, reason: 6 }],
        ['closeTransport'],
      ]);
    }
  });

  it('reports a transport close as A-P-ABORT and does not close again (AA-4)', () => {
    const { machine, port } = reach('Sta6');
    machine.handle('Evt17');
    assert.equal(machine.state, 'Sta1');
    assert.deepEqual(port.calls, [['indicate', { primitive: 'A-P-ABORT indication', origin: 'transport' }]]);
  });

  it('cuts an idle association (AA-2T) and says which timer did it', () => {
    const { machine, port } = reach('Sta6');
    machine.handle('Evt18T', { timer: 'lifetime' });
    assert.deepEqual(port.calls, [
      ['stopArtim'],
      ['indicate', { primitive: 'A-P-ABORT indication', origin: 'timer', timer: 'lifetime' }],
      ['closeTransport'],
    ]);
    const bare = reach('Sta6');
    bare.machine.handle('Evt18T');
    assert.deepEqual(bare.port.calls[1], ['indicate', { primitive: 'A-P-ABORT indication', origin: 'timer' }]);
  });
});

describe('association establishment (acceptor)', () => {
  it('runs a whole association: accept, data both ways, release, peer close', () => {
    const { machine, port, transitions } = makeMachine();
    port.onIndicate = (indication) => {
      // The upper layer answers every indication synchronously, from inside the action.
      if (indication.primitive === 'A-ASSOCIATE indication') machine.handle('Evt7', AC);
      if (indication.primitive === 'P-DATA indication') machine.handle('Evt9', PDATA_OUT);
      if (indication.primitive === 'A-RELEASE indication') machine.handle('Evt14');
    };
    machine.handle('Evt5');
    machine.handle('Evt6', RQ);
    machine.handle('Evt10', PDATA_IN);
    machine.handle('Evt12');
    machine.handle('Evt17');
    assert.deepEqual(steps(transitions), [
      'Sta1 Evt5 AE-5 Sta2',
      'Sta2 Evt6 AE-6 Sta3',
      'Sta3 Evt7 AE-7 Sta6',
      'Sta6 Evt10 DT-2 Sta6',
      'Sta6 Evt9 DT-1 Sta6',
      'Sta6 Evt12 AR-2 Sta8',
      'Sta8 Evt14 AR-4 Sta13',
      'Sta13 Evt17 AR-5 Sta1',
    ]);
    assert.deepEqual(port.methods(), [
      'startArtim',
      'stopArtim',
      'examineAssociateRq',
      'indicate',
      'sendAssociateAc',
      'indicate',
      'sendPData',
      'indicate',
      'sendReleaseRp',
      'startArtim',
      'stopArtim',
    ]);
  });

  it('sends the policy rejection at once when examineAssociateRq rejects (AE-6 otherwise branch)', () => {
    const rejection: AssociateRejection = { result: 1, source: 1, reason: 7 };
    const { machine, port, transitions } = makeMachine();
    port.verdict = () => ({ reject: rejection });
    machine.handle('Evt5');
    machine.handle('Evt6', RQ);
    assert.equal(machine.state, 'Sta13');
    assert.deepEqual(port.calls, [
      ['startArtim'],
      ['stopArtim'],
      ['examineAssociateRq', RQ],
      ['sendAssociateRj', rejection],
      ['startArtim'],
    ]);
    assert.deepEqual(steps(transitions), ['Sta1 Evt5 AE-5 Sta2', 'Sta2 Evt6 AE-6 Sta13']);
  });

  it('lets the upper layer reject after the indication (Evt8 → AE-8)', () => {
    const { machine, port } = reach('Sta3');
    machine.handle('Evt8', LOCAL_REJECTION);
    assert.equal(machine.state, 'Sta13');
    assert.deepEqual(port.calls, [['sendAssociateRj', LOCAL_REJECTION], ['startArtim']]);
  });

  it('sends the fallback rejection and reports when the policy hook throws', () => {
    const errors: Error[] = [];
    const { machine, port } = makeMachine({ onError: (error) => errors.push(error) });
    const boom = new Error('persona file unreadable');
    port.verdict = () => {
      throw boom;
    };
    machine.handle('Evt5');
    machine.handle('Evt6', RQ);
    assert.equal(machine.state, 'Sta13');
    assert.deepEqual(port.calls.at(-2), ['sendAssociateRj', { result: 2, source: 3, reason: 1 }]);
    assert.equal(errors.length, 1);
    const [error] = errors;
    assert.ok(error instanceof DulActionError);
    assert.equal(error.action, 'AE-6');
    assert.equal(error.state, 'Sta2');
    assert.equal(error.cause, boom);
  });

  it('sends the configured fallback when the policy answers nonsense', () => {
    const fallbackRejection: AssociateRejection = { result: 1, source: 2, reason: 2 };
    const errors: Error[] = [];
    const { machine, port } = makeMachine({ fallbackRejection, onError: (error) => errors.push(error) });
    for (const nonsense of ['yes', { reject: { result: 1, source: 1, reason: 5 } }, null]) {
      port.verdict = () => nonsense as never;
      machine.handle('Evt5');
      machine.handle('Evt6', RQ);
      assert.equal(machine.state, 'Sta13');
      assert.deepEqual(port.calls.at(-2), ['sendAssociateRj', fallbackRejection]);
      machine.handle('Evt17');
    }
    assert.equal(errors.length, 3);
    assert.ok(errors.every((error) => error instanceof DulActionError && error.action === 'AE-6'));
  });

  it('replaces an undefined rejection triple from the upper layer with the fallback (AE-8)', () => {
    const errors: Error[] = [];
    const harness = reach('Sta3');
    const machine = new DulMachine<TestPayloads>({ port: harness.port, onError: (error) => errors.push(error) });
    machine.handle('Evt5');
    machine.handle('Evt6', RQ);
    harness.port.calls.length = 0;
    machine.handle('Evt8', { result: 1, source: 1, reason: 9 } as unknown as AssociateRejection);
    assert.deepEqual(harness.port.calls, [['sendAssociateRj', { result: 2, source: 3, reason: 1 }], ['startArtim']]);
    assert.ok(errors[0] instanceof DulActionError && errors[0].action === 'AE-8');
  });

  it('asks the policy exactly once, after ARTIM has stopped', () => {
    const { machine, port } = makeMachine();
    machine.handle('Evt5');
    machine.handle('Evt6', RQ);
    assert.deepEqual(port.methods().slice(1, 3), ['stopArtim', 'examineAssociateRq']);
    assert.equal(port.methods().filter((m) => m === 'examineAssociateRq').length, 1);
  });
});

describe('release collision', () => {
  it('walks the acceptor side: Sta7 → Sta10 → Sta12 → Sta13 → Sta1', () => {
    const { machine, port, transitions } = reach('Sta6');
    machine.handle('Evt11'); // the SCP asks to release (rare, but allowed)
    machine.handle('Evt12'); // the peer asked at the same time
    machine.handle('Evt13'); // the peer answers ours first
    machine.handle('Evt14'); // then we answer theirs
    machine.handle('Evt17'); // and the peer closes
    assert.deepEqual(steps(transitions), [
      'Sta6 Evt11 AR-1 Sta7',
      'Sta7 Evt12 AR-8 Sta10',
      'Sta10 Evt13 AR-10 Sta12',
      'Sta12 Evt14 AR-4 Sta13',
      'Sta13 Evt17 AR-5 Sta1',
    ]);
    assert.deepEqual(port.calls, [
      ['sendReleaseRq'],
      ['indicate', { primitive: 'A-RELEASE indication', collision: true }],
      ['indicate', { primitive: 'A-RELEASE confirmation' }],
      ['sendReleaseRp'],
      ['startArtim'],
      ['stopArtim'],
    ]);
  });

  it('walks the requestor side: Sta7 → Sta9 → Sta11 → Sta1', () => {
    const { machine, port, transitions } = makeMachine({ role: 'requestor' });
    for (const event of ['Evt1', 'Evt2', 'Evt3', 'Evt11'] as const) feed(machine, event);
    port.calls.length = 0;
    transitions.length = 0;
    machine.handle('Evt12');
    machine.handle('Evt14');
    machine.handle('Evt13');
    assert.deepEqual(steps(transitions), ['Sta7 Evt12 AR-8 Sta9', 'Sta9 Evt14 AR-9 Sta11', 'Sta11 Evt13 AR-3 Sta1']);
    assert.deepEqual(port.calls, [
      ['indicate', { primitive: 'A-RELEASE indication', collision: true }],
      ['sendReleaseRp'],
      ['indicate', { primitive: 'A-RELEASE confirmation' }],
      ['closeTransport'],
    ]);
  });
});

describe('event queue', () => {
  it('queues an event raised from inside an action and runs it after the state has moved', () => {
    const { machine, port, transitions } = reach('Sta2');
    const seen: { state: DulState; busy: boolean; transitionsSoFar: number }[] = [];
    port.onIndicate = () => {
      seen.push({ state: machine.state, busy: machine.busy, transitionsSoFar: transitions.length });
      machine.handle('Evt7', AC);
      assert.equal(machine.state, 'Sta2', 'the nested call only queued');
    };
    machine.handle('Evt6', RQ);
    assert.deepEqual(seen, [{ state: 'Sta2', busy: true, transitionsSoFar: 0 }]);
    assert.deepEqual(steps(transitions), ['Sta2 Evt6 AE-6 Sta3', 'Sta3 Evt7 AE-7 Sta6']);
    assert.equal(machine.busy, false);
  });

  it('processes queued events in order, including several raised by one action', () => {
    const { machine, port, transitions } = reach('Sta6');
    port.onIndicate = (indication) => {
      if (indication.primitive !== 'P-DATA indication') return;
      machine.handle('Evt9', PDATA_OUT);
      machine.handle('Evt9', PDATA_OUT);
      machine.handle('Evt11');
    };
    machine.handle('Evt10', PDATA_IN);
    assert.deepEqual(steps(transitions), [
      'Sta6 Evt10 DT-2 Sta6',
      'Sta6 Evt9 DT-1 Sta6',
      'Sta6 Evt9 DT-1 Sta6',
      'Sta6 Evt11 AR-1 Sta7',
    ]);
  });

  it('lets onTransition see the new state', () => {
    const port = new RecordingPort();
    const states: DulState[] = [];
    const machine: DulMachine<TestPayloads> = new DulMachine<TestPayloads>({
      port,
      onTransition: () => states.push(machine.state),
    });
    machine.handle('Evt5');
    assert.deepEqual(states, ['Sta2']);
  });
});

describe('failures are typed and never silent', () => {
  it('throws InvalidDulEventError for a blank cell, changing nothing', () => {
    const { machine, port, transitions } = reach('Sta6');
    assert.throws(
      () => machine.handle('Evt18'),
      (error: unknown) =>
        error instanceof InvalidDulEventError &&
        error.state === 'Sta6' &&
        error.event === 'Evt18' &&
        /ARTIM runs only in Sta2 and Sta13/.test(error.message),
    );
    assert.equal(machine.state, 'Sta6');
    assert.deepEqual(port.calls, []);
    assert.deepEqual(transitions, []);
  });

  it('reports to onError instead of throwing when one is given', () => {
    const errors: Error[] = [];
    const { machine } = makeMachine({ onError: (error) => errors.push(error) });
    machine.handle('Evt17'); // the socket closed after the machine had already gone back to Sta1
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof InvalidDulEventError);
    assert.equal(machine.state, 'Sta1');
  });

  it('rejects a name that is not a DUL event', () => {
    const { machine } = reach('Sta6');
    assert.throws(() => feed(machine, 'Evt99' as never), (error: unknown) => error instanceof InvalidDulEventError && /not a DUL event/.test(error.message));
  });

  it('drains the queue past an invalid event, then throws it', () => {
    const { machine, port, transitions } = reach('Sta6');
    port.onIndicate = (indication) => {
      if (indication.primitive !== 'P-DATA indication') return;
      machine.handle('Evt7', AC); // a local-user mistake: Evt7 is blank in Sta6
      machine.handle('Evt9', PDATA_OUT);
    };
    assert.throws(() => machine.handle('Evt10', PDATA_IN), InvalidDulEventError);
    assert.deepEqual(steps(transitions), ['Sta6 Evt10 DT-2 Sta6', 'Sta6 Evt9 DT-1 Sta6']);
    assert.equal(machine.busy, false);
  });

  it('throws an AggregateError when one drain collects several', () => {
    const { machine, port } = reach('Sta6');
    port.onIndicate = () => {
      machine.handle('Evt7', AC);
      machine.handle('Evt8', LOCAL_REJECTION);
    };
    assert.throws(
      () => machine.handle('Evt10', PDATA_IN),
      (error: unknown) => error instanceof AggregateError && error.errors.length === 2,
    );
  });

  it('leaves the state unchanged and reports a DulActionError when the port throws', () => {
    const { machine, port, transitions } = reach('Sta6');
    const boom = new Error('EPIPE');
    port.sendPData = () => {
      throw boom;
    };
    assert.throws(
      () => machine.handle('Evt9', PDATA_OUT),
      (error: unknown) => error instanceof DulActionError && error.action === 'DT-1' && error.cause === boom,
    );
    assert.equal(machine.state, 'Sta6');
    assert.deepEqual(transitions, []);
    machine.handle('Evt17'); // the machine still works afterwards
    assert.equal(machine.state, 'Sta1');
  });

  it('keeps the transition when onTransition throws, and reports it', () => {
    const errors: Error[] = [];
    const machine = new DulMachine<TestPayloads>({
      port: new RecordingPort(),
      onTransition: () => {
        throw new Error('listener bug');
      },
      onError: (error) => errors.push(error),
    });
    machine.handle('Evt5');
    assert.equal(machine.state, 'Sta2');
    assert.ok(errors[0] instanceof DulActionError);
  });

  it('refuses AE-1 on a port that cannot open connections', () => {
    const port = new RecordingPort();
    const acceptorOnly: DulPort<TestPayloads> = {
      examineAssociateRq: (rq) => port.examineAssociateRq(rq),
      sendAssociateAc: (ac) => port.sendAssociateAc(ac),
      sendAssociateRj: (rj) => port.sendAssociateRj(rj),
      sendPData: (p) => port.sendPData(p),
      sendReleaseRq: () => port.sendReleaseRq(),
      sendReleaseRp: () => port.sendReleaseRp(),
      sendAbort: (s, r) => port.sendAbort(s, r),
      closeTransport: () => port.closeTransport(),
      startArtim: () => port.startArtim(),
      stopArtim: () => port.stopArtim(),
      indicate: (i) => port.indicate(i),
    };
    const machine = new DulMachine<TestPayloads>({ port: acceptorOnly });
    assert.throws(() => machine.handle('Evt1', RQ), (error: unknown) => error instanceof DulActionError && error.action === 'AE-1');
    assert.equal(machine.state, 'Sta1');
  });

  it('fails loudly if an action is run for an event it is not defined for', () => {
    const port = new RecordingPort();
    const ctx: DulActionContext<TestPayloads> = {
      port,
      role: 'acceptor',
      state: 'Sta6',
      fallbackRejection: LOCAL_REJECTION,
      requested: undefined,
      report: () => undefined,
    };
    assert.throws(() => AA_8(ctx, { event: 'Evt9', payload: PDATA_OUT }), /AA-8 is not defined for Evt9/);
    assert.deepEqual(port.calls, []);
  });
});

describe('driving helpers', () => {
  it('accepts() tells the socket layer whether an event applies in the current state', () => {
    const { machine } = makeMachine();
    assert.equal(machine.accepts('Evt5'), true);
    assert.equal(machine.accepts('Evt17'), false);
    assert.equal(machine.accepts('Evt18T'), false);
    machine.handle('Evt5');
    assert.equal(machine.accepts('Evt17'), true);
    assert.equal(machine.accepts('Evt18T'), true);
  });

  it('types payloads per event', () => {
    const { machine } = reach('Sta6');
    // @ts-expect-error Evt16 needs the received A-ABORT fields
    assert.throws(() => machine.handle('Evt16'), DulActionError);
    assert.equal(machine.state, 'Sta6');
    // @ts-expect-error not a machine event
    assert.throws(() => machine.handle('Evt20'), InvalidDulEventError);
  });
});
