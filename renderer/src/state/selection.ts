export interface SelectionState {
  selectedIds: ReadonlySet<string>;
  anchorId: string | null;
  focusId: string | null;
}

export interface Modifiers {
  ctrl: boolean;
  shift: boolean;
}

function range(order: readonly string[], from: string | null, to: string): string[] {
  const a = from === null ? -1 : order.indexOf(from);
  const b = order.indexOf(to);
  if (b < 0) return [];
  if (a < 0) return [to];
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  return order.slice(lo, hi + 1);
}

/** Explorer-style click: plain selects one, Ctrl toggles, Shift selects a range from the anchor. */
export function clickSelection(s: SelectionState, id: string, mods: Modifiers, order: readonly string[]): SelectionState {
  if (mods.shift) {
    const ids = range(order, s.anchorId, id);
    const selected = mods.ctrl ? new Set([...s.selectedIds, ...ids]) : new Set(ids);
    return { selectedIds: selected, anchorId: s.anchorId ?? id, focusId: id };
  }
  if (mods.ctrl) {
    const selected = new Set(s.selectedIds);
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
    return { selectedIds: selected, anchorId: id, focusId: id };
  }
  return { selectedIds: new Set([id]), anchorId: id, focusId: id };
}

/**
 * Arrow keys, Home/End, PageUp/PageDown: move focus by `delta` rows (or to
 * an end), selecting as Explorer does. Ctrl moves focus without selecting.
 */
export function moveSelection(
  s: SelectionState,
  target: { delta: number } | { to: 'first' | 'last' },
  mods: Modifiers,
  order: readonly string[],
): SelectionState {
  if (order.length === 0) return s;
  const current = s.focusId === null ? -1 : order.indexOf(s.focusId);
  let next: number;
  if ('to' in target) next = target.to === 'first' ? 0 : order.length - 1;
  else if (current < 0) next = target.delta > 0 ? 0 : order.length - 1;
  else next = Math.min(order.length - 1, Math.max(0, current + target.delta));
  const id = order[next] as string;
  if (mods.ctrl && !mods.shift) return { ...s, focusId: id };
  if (mods.shift) {
    const anchor = s.anchorId ?? s.focusId ?? id;
    return { selectedIds: new Set(range(order, anchor, id)), anchorId: anchor, focusId: id };
  }
  return { selectedIds: new Set([id]), anchorId: id, focusId: id };
}

/** Drops ids of VMs that are gone; returns the same object when nothing changed. */
export function pruneSelection(s: SelectionState, exists: (id: string) => boolean): SelectionState {
  let changed = false;
  const kept = new Set<string>();
  for (const id of s.selectedIds) {
    if (exists(id)) kept.add(id);
    else changed = true;
  }
  const anchorId = s.anchorId !== null && !exists(s.anchorId) ? null : s.anchorId;
  const focusId = s.focusId !== null && !exists(s.focusId) ? null : s.focusId;
  if (!changed && anchorId === s.anchorId && focusId === s.focusId) return s;
  return { selectedIds: changed ? kept : s.selectedIds, anchorId, focusId };
}
