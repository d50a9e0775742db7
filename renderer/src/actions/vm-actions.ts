import { ACTIONS_BY_STATE, ACTION_LABELS, type VmAction, type VmState } from '../../../core/contract';

/**
 * Shown per the state table, but the engine does not do them yet: they open
 * a short dialog that says so instead of failing with an error.
 */
export const NOT_YET_AVAILABLE: ReadonlySet<VmAction> = new Set<VmAction>([]);

/** Actions that change one VM at a time (a dialog about that VM). */
export const SINGLE_VM_ONLY: ReadonlySet<VmAction> = new Set<VmAction>(['settings', 'rename', 'migrate']);

/** Actions that ask first, saying what is lost. */
export const CONFIRMED: ReadonlySet<VmAction> = new Set<VmAction>(['turnOff', 'shutDown', 'deleteSavedState', 'revert', 'delete']);

/** Menu sections, as Hyper-V Manager separates them; a divider goes between sections. */
const SECTION: Readonly<Record<VmAction, number>> = {
  connect: 0,
  settings: 0,
  start: 1,
  turnOff: 1,
  shutDown: 1,
  save: 1,
  pause: 1,
  resume: 1,
  reset: 1,
  deleteSavedState: 1,
  snapshot: 2,
  revert: 2,
  export: 3,
  rename: 3,
  delete: 3,
  migrate: 3,
};

/**
 * What the selection allows: the state table's list for one VM, the
 * intersection for several (minus dialogs that edit a single VM). Every
 * surface (context menu, Actions pane, toolbar, Action menu, keys) uses this.
 */
export function actionsFor(states: readonly VmState[]): VmAction[] {
  const [first, ...rest] = states;
  if (first === undefined) return [];
  let list = [...ACTIONS_BY_STATE[first]];
  for (const s of rest) {
    const allowed = ACTIONS_BY_STATE[s];
    list = list.filter((a) => allowed.includes(a));
  }
  if (states.length > 1) list = list.filter((a) => !SINGLE_VM_ONLY.has(a));
  return list;
}

/** Splits the allowed actions into menu sections, keeping the table's order. */
export function groupActions(actions: readonly VmAction[]): VmAction[][] {
  const out: VmAction[][] = [];
  let current: VmAction[] = [];
  let section = -1;
  for (const a of actions) {
    if (SECTION[a] !== section && current.length > 0) {
      out.push(current);
      current = [];
    }
    section = SECTION[a];
    current.push(a);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Keyboard shortcuts on the VM list, as in Hyper-V Manager. */
export const ACTION_KEYS: Readonly<Record<string, VmAction>> = {
  Enter: 'connect',
  Delete: 'delete',
  F2: 'rename',
};

export function actionForKey(key: string, allowed: readonly VmAction[]): VmAction | null {
  const action = ACTION_KEYS[key];
  return action !== undefined && allowed.includes(action) ? action : null;
}

export function actionLabel(action: VmAction): string {
  return ACTION_LABELS[action];
}

/** "Turn Off…" → "Turn Off": for confirm buttons and titles. */
export function actionVerb(action: VmAction): string {
  return ACTION_LABELS[action].replace(/…$/, '');
}

/** The toolbar's subset (always shown, enabled when allowed). */
export const TOOLBAR_ACTIONS: readonly VmAction[] = [
  'connect',
  'start',
  'turnOff',
  'shutDown',
  'save',
  'pause',
  'resume',
  'reset',
  'snapshot',
  'revert',
];
