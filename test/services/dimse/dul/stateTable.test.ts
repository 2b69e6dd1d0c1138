import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DUL_ACTIONS } from '../../../../src/services/dimse/dul/actions.ts';
import { DUL_EVENTS, HAWK_DUL_EVENTS, type DulEvent } from '../../../../src/services/dimse/dul/events.ts';
import {
  DUL_ACTION_DESCRIPTIONS,
  DUL_ACTION_NAMES,
  DUL_STATE_TABLE,
  HAWK_STATE_TABLE,
  lookupAction,
  noActionReason,
  type DulActionName,
} from '../../../../src/services/dimse/dul/stateTable.ts';
import { DUL_STATES, type DulState } from '../../../../src/services/dimse/dul/states.ts';

/**
 * PS3.8 Table 9-10 transcribed a second time, in the standard's own layout (a row per event, a
 * column per state), so the state-major table in `stateTable.ts` can be checked against it.
 */
const _ = null;
const TABLE_9_10: Readonly<Record<DulEvent, readonly (DulActionName | null)[]>> = {
  //       Sta1    Sta2    Sta3    Sta4    Sta5    Sta6    Sta7    Sta8    Sta9    Sta10   Sta11   Sta12   Sta13
  Evt1:  ['AE-1', _,      _,      _,      _,      _,      _,      _,      _,      _,      _,      _,      _     ],
  Evt2:  [_,      _,      _,      'AE-2', _,      _,      _,      _,      _,      _,      _,      _,      _     ],
  Evt3:  [_,      'AA-1', 'AA-8', _,      'AE-3', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-6'],
  Evt4:  [_,      'AA-1', 'AA-8', _,      'AE-4', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-6'],
  Evt5:  ['AE-5', _,      _,      _,      _,      _,      _,      _,      _,      _,      _,      _,      _     ],
  Evt6:  [_,      'AE-6', 'AA-8', _,      'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-7'],
  Evt7:  [_,      _,      'AE-7', _,      _,      _,      _,      _,      _,      _,      _,      _,      _     ],
  Evt8:  [_,      _,      'AE-8', _,      _,      _,      _,      _,      _,      _,      _,      _,      _     ],
  Evt9:  [_,      _,      _,      _,      _,      'DT-1', _,      'AR-7', _,      _,      _,      _,      _     ],
  Evt10: [_,      'AA-1', 'AA-8', _,      'AA-8', 'DT-2', 'AR-6', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-6'],
  Evt11: [_,      _,      _,      _,      _,      'AR-1', _,      _,      _,      _,      _,      _,      _     ],
  Evt12: [_,      'AA-1', 'AA-8', _,      'AA-8', 'AR-2', 'AR-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-6'],
  Evt13: [_,      'AA-1', 'AA-8', _,      'AA-8', 'AA-8', 'AR-3', 'AA-8', 'AA-8', 'AR-10','AR-3', 'AA-8', 'AA-6'],
  Evt14: [_,      _,      _,      _,      _,      _,      _,      'AR-4', 'AR-9', _,      _,      'AR-4', _     ],
  Evt15: [_,      _,      'AA-1', 'AA-2', 'AA-1', 'AA-1', 'AA-1', 'AA-1', 'AA-1', 'AA-1', 'AA-1', 'AA-1', _     ],
  Evt16: [_,      'AA-2', 'AA-3', _,      'AA-3', 'AA-3', 'AA-3', 'AA-3', 'AA-3', 'AA-3', 'AA-3', 'AA-3', 'AA-2'],
  Evt17: [_,      'AA-5', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AR-5'],
  Evt18: [_,      'AA-2', _,      _,      _,      _,      _,      _,      _,      _,      _,      _,      'AA-2'],
  Evt19: [_,      'AA-1', 'AA-8', _,      'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-7'],
};

describe('DUL_STATE_TABLE (PS3.8 Table 9-10)', () => {
  it('is total: every one of the 13 × 19 cells is present, holding an action name or an explicit null', () => {
    const names = new Set<string>(DUL_ACTION_NAMES);
    let cells = 0;
    for (const state of DUL_STATES) {
      assert.ok(Object.hasOwn(DUL_STATE_TABLE, state), `row ${state} missing`);
      const row = DUL_STATE_TABLE[state];
      for (const event of DUL_EVENTS) {
        assert.ok(Object.hasOwn(row, event), `cell ${state}/${event} missing`);
        const action = row[event];
        assert.ok(action === null || names.has(action), `cell ${state}/${event} holds ${String(action)}`);
        cells += 1;
      }
      assert.deepEqual(Object.keys(row).sort(), [...DUL_EVENTS].sort(), `row ${state} has stray keys`);
    }
    assert.equal(cells, 247);
    assert.deepEqual(Object.keys(DUL_STATE_TABLE).sort(), [...DUL_STATES].sort());
  });

  it('matches the standard cell for cell', () => {
    for (const event of DUL_EVENTS) {
      DUL_STATES.forEach((state, column) => {
        assert.equal(DUL_STATE_TABLE[state][event], TABLE_9_10[event][column], `${state}/${event}`);
      });
    }
  });

  it('uses only PS3.8 actions (no honeypot action in the standard table)', () => {
    for (const state of DUL_STATES) {
      for (const event of DUL_EVENTS) assert.ok(!DUL_STATE_TABLE[state][event]?.endsWith('T'), `${state}/${event}`);
    }
  });

  it('uses every PS3.8 action somewhere', () => {
    const used = new Set(DUL_STATES.flatMap((state) => DUL_EVENTS.map((event) => DUL_STATE_TABLE[state][event])));
    for (const name of DUL_ACTION_NAMES.filter((n) => !n.endsWith('T'))) assert.ok(used.has(name), `${name} unused`);
  });

  it('is frozen, rows included', () => {
    assert.ok(Object.isFrozen(DUL_STATE_TABLE));
    for (const state of DUL_STATES) assert.ok(Object.isFrozen(DUL_STATE_TABLE[state]), state);
    assert.throws(() => {
      (DUL_STATE_TABLE.Sta6 as Record<string, unknown>).Evt12 = 'AR-4';
    }, TypeError);
  });
});

describe('HAWK_STATE_TABLE (honeypot extension column)', () => {
  it('is total over the 13 states for every honeypot event', () => {
    for (const state of DUL_STATES) {
      for (const event of HAWK_DUL_EVENTS) assert.ok(Object.hasOwn(HAWK_STATE_TABLE[state], event), `${state}/${event}`);
    }
    assert.ok(Object.isFrozen(HAWK_STATE_TABLE));
  });

  it('cuts every open connection with AA-2T and has nothing to do in Sta1', () => {
    for (const state of DUL_STATES) assert.equal(HAWK_STATE_TABLE[state].Evt18T, state === 'Sta1' ? null : 'AA-2T');
  });
});

describe('action registry', () => {
  it('has a function and a PS3.8 description for every action name', () => {
    for (const name of DUL_ACTION_NAMES) {
      assert.equal(typeof DUL_ACTIONS[name], 'function', name);
      assert.ok(DUL_ACTION_DESCRIPTIONS[name].length > 0, name);
    }
    assert.deepEqual(Object.keys(DUL_ACTIONS).sort(), [...DUL_ACTION_NAMES].sort());
  });

  it('names functions after the standard (AE-6 → AE_6, AA-2T → AA_2T)', () => {
    for (const name of DUL_ACTION_NAMES) assert.equal(DUL_ACTIONS[name].name, name.replace('-', '_'));
  });
});

describe('lookupAction / noActionReason', () => {
  it('answers both tables and undefined for names it does not know', () => {
    assert.equal(lookupAction('Sta2', 'Evt6'), 'AE-6');
    assert.equal(lookupAction('Sta2', 'Evt18T'), 'AA-2T');
    assert.equal(lookupAction('Sta1', 'Evt17'), null);
    assert.equal(lookupAction('Sta1', 'Evt99' as DulEvent), undefined);
    assert.equal(lookupAction('Sta14' as DulState, 'Evt1'), undefined);
    assert.equal(lookupAction('Sta1', 'toString' as DulEvent), undefined);
  });

  it('gives a reason for every blank cell', () => {
    for (const state of DUL_STATES) {
      for (const event of [...DUL_EVENTS, ...HAWK_DUL_EVENTS]) {
        if (lookupAction(state, event) !== null) continue;
        const reason = noActionReason(state, event);
        assert.ok(!reason.includes('is not a DUL event'), `${state}/${event}: ${reason}`);
      }
    }
    assert.match(noActionReason('Sta6', 'Evt18'), /ARTIM runs only in Sta2 and Sta13/);
    assert.match(noActionReason('Sta1', 'Evt10'), /no open transport connection/);
    assert.match(noActionReason('Sta1', 'Evt99'), /not a DUL event/);
  });
});
