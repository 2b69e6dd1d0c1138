/**
 * Test doubles for the DUL machine: a port that records every call in order, payload fixtures, and
 * routes that drive a fresh machine into each PS3.8 state through real events (no back door).
 */
import assert from 'node:assert/strict';
import type { AssociateRejection } from '../../../../src/services/dimse/dul/constants.ts';
import type {
  DulEventPayloads,
  DulMachineEvent,
  DulPayloadTypes,
} from '../../../../src/services/dimse/dul/events.ts';
import { DulMachine, type DulMachineOptions, type DulTransition } from '../../../../src/services/dimse/dul/machine.ts';
import type { AssociateRqVerdict, DulIndication, DulPort, DulRole } from '../../../../src/services/dimse/dul/port.ts';
import type { DulState } from '../../../../src/services/dimse/dul/states.ts';

/** Concrete payload shapes standing in for the PDU codec's. */
export interface TestPayloads extends DulPayloadTypes {
  readonly associateRq: { readonly kind: 'rq'; readonly calling: string };
  readonly associateAc: { readonly kind: 'ac' };
  readonly pData: { readonly kind: 'pdata'; readonly from: 'peer' | 'us' };
}

export const RQ: TestPayloads['associateRq'] = Object.freeze({ kind: 'rq', calling: 'ATTACKER' });
export const AC: TestPayloads['associateAc'] = Object.freeze({ kind: 'ac' });
export const PDATA_IN: TestPayloads['pData'] = Object.freeze({ kind: 'pdata', from: 'peer' });
export const PDATA_OUT: TestPayloads['pData'] = Object.freeze({ kind: 'pdata', from: 'us' });
/** What the local user answers with Evt8: permanent, service-user, calling AE title not recognized. */
export const LOCAL_REJECTION: AssociateRejection = Object.freeze({ result: 1, source: 1, reason: 3 });
/** What a peer sends in an A-ASSOCIATE-RJ (Evt4). */
export const PEER_RJ = Object.freeze({ result: 1, source: 1, reason: 7 });
/** What a peer sends in an A-ABORT (Evt16): service-provider, unexpected PDU. */
export const PEER_ABORT = Object.freeze({ source: 2, reason: 2 });
/** How the socket layer describes an undecodable PDU (Evt19): invalid PDU parameter value. */
export const INVALID_PDU = Object.freeze({ reason: 6, pduType: 0x04, detail: 'PDV item overruns its PDU' } as const);

/** The payload each event is fed with in the cell tests. */
export const PAYLOADS: { readonly [E in DulMachineEvent]: DulEventPayloads<TestPayloads>[E] } = Object.freeze({
  Evt1: RQ,
  Evt2: undefined,
  Evt3: AC,
  Evt4: PEER_RJ,
  Evt5: undefined,
  Evt6: RQ,
  Evt7: AC,
  Evt8: LOCAL_REJECTION,
  Evt9: PDATA_OUT,
  Evt10: PDATA_IN,
  Evt11: undefined,
  Evt12: undefined,
  Evt13: undefined,
  Evt14: undefined,
  Evt15: undefined,
  Evt16: PEER_ABORT,
  Evt17: undefined,
  Evt18: undefined,
  Evt19: INVALID_PDU,
  Evt18T: Object.freeze({ timer: 'idle' as const }),
});

/** One recorded port call: method name, then its arguments. */
export type Call = readonly [method: string, ...args: unknown[]];

/** A port that records every call; hooks let a test react (e.g. answer an indication). */
export class RecordingPort implements DulPort<TestPayloads> {
  readonly calls: Call[] = [];
  verdict: () => AssociateRqVerdict = () => 'accept';
  onIndicate: (indication: DulIndication<TestPayloads>) => void = () => undefined;

  examineAssociateRq(associateRq: TestPayloads['associateRq']): AssociateRqVerdict {
    this.calls.push(['examineAssociateRq', associateRq]);
    return this.verdict();
  }
  sendAssociateAc(associateAc: TestPayloads['associateAc']): void {
    this.calls.push(['sendAssociateAc', associateAc]);
  }
  sendAssociateRj(rejection: AssociateRejection): void {
    this.calls.push(['sendAssociateRj', rejection]);
  }
  sendPData(pData: TestPayloads['pData']): void {
    this.calls.push(['sendPData', pData]);
  }
  sendReleaseRq(): void {
    this.calls.push(['sendReleaseRq']);
  }
  sendReleaseRp(): void {
    this.calls.push(['sendReleaseRp']);
  }
  sendAbort(source: number, reason: number): void {
    this.calls.push(['sendAbort', source, reason]);
  }
  closeTransport(): void {
    this.calls.push(['closeTransport']);
  }
  startArtim(): void {
    this.calls.push(['startArtim']);
  }
  stopArtim(): void {
    this.calls.push(['stopArtim']);
  }
  indicate(indication: DulIndication<TestPayloads>): void {
    this.calls.push(['indicate', indication]);
    this.onIndicate(indication);
  }
  requestTransportConnection(associateRq: TestPayloads['associateRq']): void {
    this.calls.push(['requestTransportConnection', associateRq]);
  }
  sendAssociateRq(associateRq: TestPayloads['associateRq']): void {
    this.calls.push(['sendAssociateRq', associateRq]);
  }

  /** Names of the methods called, in order. */
  methods(): string[] {
    return this.calls.map(([method]) => method);
  }
}

export interface Harness {
  readonly machine: DulMachine<TestPayloads>;
  readonly port: RecordingPort;
  readonly transitions: DulTransition[];
}

export function makeMachine(
  options: { role?: DulRole } & Omit<Partial<DulMachineOptions<TestPayloads>>, 'port' | 'onTransition'> = {},
): Harness {
  const port = new RecordingPort();
  const transitions: DulTransition[] = [];
  const machine = new DulMachine<TestPayloads>({
    ...options,
    port,
    onTransition: (transition) => transitions.push(transition),
  });
  return { machine, port, transitions };
}

/** Feed any event with its cell-test payload, or with the one given (even `undefined`), untyped. */
export function feed(machine: DulMachine<TestPayloads>, event: DulMachineEvent, ...payload: [unknown?]): void {
  const handle = machine.handle.bind(machine) as (event: DulMachineEvent, payload?: unknown) => void;
  handle(event, payload.length > 0 ? payload[0] : PAYLOADS[event]);
}

/** Real event sequences reaching each state; each state's role is the one that can reach it. */
export const ROUTES: Readonly<Record<DulState, { readonly role: DulRole; readonly events: readonly DulMachineEvent[] }>> =
  Object.freeze({
    Sta1: { role: 'acceptor', events: [] },
    Sta2: { role: 'acceptor', events: ['Evt5'] },
    Sta3: { role: 'acceptor', events: ['Evt5', 'Evt6'] },
    Sta4: { role: 'requestor', events: ['Evt1'] },
    Sta5: { role: 'requestor', events: ['Evt1', 'Evt2'] },
    Sta6: { role: 'acceptor', events: ['Evt5', 'Evt6', 'Evt7'] },
    Sta7: { role: 'acceptor', events: ['Evt5', 'Evt6', 'Evt7', 'Evt11'] },
    Sta8: { role: 'acceptor', events: ['Evt5', 'Evt6', 'Evt7', 'Evt12'] },
    Sta9: { role: 'requestor', events: ['Evt1', 'Evt2', 'Evt3', 'Evt11', 'Evt12'] },
    Sta10: { role: 'acceptor', events: ['Evt5', 'Evt6', 'Evt7', 'Evt11', 'Evt12'] },
    Sta11: { role: 'requestor', events: ['Evt1', 'Evt2', 'Evt3', 'Evt11', 'Evt12', 'Evt14'] },
    Sta12: { role: 'acceptor', events: ['Evt5', 'Evt6', 'Evt7', 'Evt11', 'Evt12', 'Evt13'] },
    Sta13: { role: 'acceptor', events: ['Evt5', 'Evt6', 'Evt7', 'Evt12', 'Evt14'] },
  });

/** A fresh machine driven into `state` by its route, with the records cleared. */
export function reach(state: DulState, options: { role?: DulRole } = {}): Harness {
  const route = ROUTES[state];
  const harness = makeMachine({ role: options.role ?? route.role });
  for (const event of route.events) feed(harness.machine, event);
  assert.equal(harness.machine.state, state, `route to ${state} ended in ${harness.machine.state}`);
  harness.port.calls.length = 0;
  harness.transitions.length = 0;
  return harness;
}
