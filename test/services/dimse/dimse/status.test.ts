import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS_RULES, Status, describeStatus, statusCategory } from '../../../../src/services/dimse/dimse/status.ts';
import { COMMAND_FIELD_NAMES, CommandField, commandFieldName, isResponse } from '../../../../src/services/dimse/dimse/commandFields.ts';

test('PS3.7 Annex C status types', () => {
  const expect: [number, string][] = [
    [0x0000, 'success'],
    [0xff00, 'pending'],
    [0xff01, 'pending'],
    [0xfe00, 'cancel'],
    [0x0001, 'warning'],
    [0x0107, 'warning'],
    [0x0116, 'warning'],
    [0xb000, 'warning'],
    [0xb006, 'warning'],
    [0xb007, 'warning'],
    [0x0110, 'failure'],
    [0x0122, 'failure'],
    [0x0124, 'failure'],
    [0x0211, 'failure'],
    [0xa700, 'failure'],
    [0xa7ff, 'failure'],
    [0xa801, 'failure'],
    [0xa900, 'failure'],
    [0xc000, 'failure'],
    [0xcfff, 'failure'],
  ];
  for (const [code, category] of expect) assert.equal(statusCategory(code), category, code.toString(16));
});

test('the table is total: every 16-bit code has a category, unknown codes are failures', () => {
  let unknown = 0;
  for (let code = 0; code <= 0xffff; code++) {
    const d = describeStatus(code);
    assert.ok(['success', 'pending', 'cancel', 'warning', 'failure'].includes(d.category));
    if (!d.known) {
      unknown++;
      assert.equal(d.category, 'failure');
    }
  }
  assert.ok(unknown > 0);
  assert.equal(describeStatus(0x1234).known, false);
  assert.equal(describeStatus(Status.REFUSED_MOVE_DESTINATION_UNKNOWN).name, 'refused-move-destination-unknown');
  assert.ok(STATUS_RULES.every((r) => r.from <= r.to));
});

test('command field names and the response bit', () => {
  assert.equal(commandFieldName(0x0020), 'C-FIND-RQ');
  assert.equal(commandFieldName(0x8021), 'C-MOVE-RSP');
  assert.equal(commandFieldName(0x0fff), 'C-CANCEL-RQ');
  assert.equal(commandFieldName(0x1234), 'unknown-0x1234');
  for (const [code, name] of Object.entries(COMMAND_FIELD_NAMES)) {
    assert.equal(isResponse(Number(code)), name.endsWith('-RSP'), name);
  }
  assert.equal(CommandField.C_ECHO_RSP, 0x8030);
});
