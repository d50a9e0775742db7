import { describe, expect, it } from 'vitest';
import { ACTIONS_BY_STATE, VM_STATES, type VmState } from '../../../core/contract';
import { actionForKey, actionsFor, groupActions, SINGLE_VM_ONLY, TOOLBAR_ACTIONS } from './vm-actions';

describe('actions come only from the state table', () => {
  it.each(VM_STATES)('one VM in %s: exactly the table, in its order', (state) => {
    expect(actionsFor([state])).toEqual([...ACTIONS_BY_STATE[state]]);
  });

  it.each(VM_STATES)('sections of %s keep the table order and lose nothing', (state) => {
    const groups = groupActions(actionsFor([state]));
    expect(groups.flat()).toEqual([...ACTIONS_BY_STATE[state]]);
    expect(groups.every((g) => g.length > 0)).toBe(true);
  });

  it('several VMs: the intersection, without single-VM dialogs', () => {
    for (const a of VM_STATES) {
      for (const b of VM_STATES) {
        const got = actionsFor([a, b]);
        const expected = ACTIONS_BY_STATE[a].filter((x) => ACTIONS_BY_STATE[b].includes(x) && !SINGLE_VM_ONLY.has(x));
        expect(got).toEqual(expected);
      }
    }
  });

  it('no selection allows nothing', () => {
    expect(actionsFor([])).toEqual([]);
  });

  it.each(VM_STATES)('keys in %s act only when the table allows', (state: VmState) => {
    const allowed = actionsFor([state]);
    expect(actionForKey('Enter', allowed)).toBe(allowed.includes('connect') ? 'connect' : null);
    expect(actionForKey('Delete', allowed)).toBe(allowed.includes('delete') ? 'delete' : null);
    expect(actionForKey('F2', allowed)).toBe(allowed.includes('rename') ? 'rename' : null);
    expect(actionForKey('x', allowed)).toBeNull();
  });

  it('toolbar buttons are enabled exactly for allowed actions', () => {
    for (const state of VM_STATES) {
      const allowed = actionsFor([state]);
      const enabled = TOOLBAR_ACTIONS.filter((a) => allowed.includes(a));
      expect(enabled.every((a) => ACTIONS_BY_STATE[state].includes(a))).toBe(true);
    }
  });
});
