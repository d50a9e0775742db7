import { describe, expect, it } from 'vitest';
import { clickSelection, moveSelection, pruneSelection, type SelectionState } from './selection';

const order = ['a', 'b', 'c', 'd', 'e'];
const none: SelectionState = { selectedIds: new Set(), anchorId: null, focusId: null };
const sel = (s: SelectionState) => [...s.selectedIds].sort();

describe('selection', () => {
  it('click selects one; Ctrl toggles; Shift selects a range from the anchor', () => {
    let s = clickSelection(none, 'b', { ctrl: false, shift: false }, order);
    expect(sel(s)).toEqual(['b']);
    s = clickSelection(s, 'd', { ctrl: true, shift: false }, order);
    expect(sel(s)).toEqual(['b', 'd']);
    s = clickSelection(s, 'b', { ctrl: true, shift: false }, order);
    expect(sel(s)).toEqual(['d']);
    // The last Ctrl-click (on b) set the anchor.
    s = clickSelection(s, 'd', { ctrl: false, shift: true }, order);
    expect(sel(s)).toEqual(['b', 'c', 'd']);
    s = clickSelection(s, 'a', { ctrl: false, shift: true }, order);
    expect(sel(s)).toEqual(['a', 'b']);
    expect(s.anchorId).toBe('b');
  });

  it('arrows move and select; Shift extends; Ctrl moves focus only; ends clamp', () => {
    let s = moveSelection(none, { delta: 1 }, { ctrl: false, shift: false }, order);
    expect(s.focusId).toBe('a');
    s = moveSelection(s, { delta: 2 }, { ctrl: false, shift: true }, order);
    expect(sel(s)).toEqual(['a', 'b', 'c']);
    s = moveSelection(s, { delta: 1 }, { ctrl: true, shift: false }, order);
    expect(s.focusId).toBe('d');
    expect(sel(s)).toEqual(['a', 'b', 'c']);
    s = moveSelection(s, { delta: 99 }, { ctrl: false, shift: false }, order);
    expect(sel(s)).toEqual(['e']);
    s = moveSelection(s, { to: 'first' }, { ctrl: false, shift: false }, order);
    expect(sel(s)).toEqual(['a']);
  });

  it('prunes VMs that are gone and keeps the same object otherwise', () => {
    const s: SelectionState = { selectedIds: new Set(['a', 'x']), anchorId: 'x', focusId: 'a' };
    const p = pruneSelection(s, (id) => order.includes(id));
    expect(sel(p)).toEqual(['a']);
    expect(p.anchorId).toBeNull();
    const same = pruneSelection(p, (id) => order.includes(id));
    expect(same).toBe(p);
  });
});
