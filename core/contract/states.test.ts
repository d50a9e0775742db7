import { describe, expect, it } from 'vitest';
import { ACTIONS_BY_STATE, TRANSITIONS, VM_ACTIONS, VM_STATES, isActionAllowed, isTransitionAllowed } from './states';

// The table written out by hand, state × action, so a change to ACTIONS_BY_STATE must be deliberate.
const EXPECTED: Record<string, string> = {
  //           conn sett star tOff shut save paus resu rese snap reve expo rena dele dSav migr
  Off:        'y    y    y    -    -    -    -    -    -    y    y    y    y    y    -    y',
  Starting:   'y    y    -    y    -    -    -    -    -    -    -    -    -    -    -    -',
  Running:    'y    y    -    y    y    y    y    -    y    y    y    -    y    -    -    y',
  Pausing:    'y    y    -    y    -    -    -    -    -    -    -    -    -    -    -    -',
  Paused:     'y    y    -    y    -    y    -    y    y    y    y    -    y    -    -    y',
  Resuming:   'y    y    -    y    -    -    -    -    -    -    -    -    -    -    -    -',
  Saving:     'y    y    -    -    -    -    -    -    -    -    -    -    -    -    -    -',
  Saved:      'y    y    y    -    -    -    -    -    -    y    y    y    y    y    y    y',
  Stopping:   'y    y    -    y    -    -    -    -    -    -    -    -    -    -    -    -',
  Snapshotting:'y   y    -    -    -    -    -    -    -    -    -    -    -    -    -    -',
  Reverting:  'y    y    -    -    -    -    -    -    -    -    -    -    -    -    -    -',
  Migrating:  'y    y    -    -    -    -    -    -    -    -    -    -    -    -    -    -',
  Critical:   '-    y    y    y    -    -    -    -    -    -    -    -    y    y    -    -',
};

describe('ACTIONS_BY_STATE', () => {
  for (const state of VM_STATES) {
    const row = (EXPECTED[state] ?? '').trim().split(/\s+/);
    for (const [i, action] of VM_ACTIONS.entries()) {
      const want = row[i] === 'y';
      it(`${state} × ${action} → ${want ? 'allowed' : 'refused'}`, () => {
        expect(isActionAllowed(state, action)).toBe(want);
      });
    }
  }

  it('lists only known actions, without duplicates', () => {
    for (const state of VM_STATES) {
      const actions = ACTIONS_BY_STATE[state];
      expect(new Set(actions).size).toBe(actions.length);
      for (const a of actions) expect(VM_ACTIONS).toContain(a);
    }
  });
});

describe('TRANSITIONS', () => {
  it('lets every state fall into Critical and every process state end Off', () => {
    for (const s of VM_STATES) expect(isTransitionAllowed(s, 'Critical')).toBe(true);
    for (const s of ['Running', 'Paused', 'Stopping', 'Starting'] as const) expect(isTransitionAllowed(s, 'Off')).toBe(true);
  });
  it('refuses impossible jumps', () => {
    expect(isTransitionAllowed('Off', 'Running')).toBe(false);
    expect(isTransitionAllowed('Saved', 'Running')).toBe(false);
    expect(isTransitionAllowed('Off', 'Saved')).toBe(false);
    expect(TRANSITIONS.Off).not.toContain('Paused');
  });
});
