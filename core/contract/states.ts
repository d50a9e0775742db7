import { z } from 'zod';

/** Hyper-V's WMI state names. */
export const VM_STATES = [
  'Off',
  'Starting',
  'Running',
  'Pausing',
  'Paused',
  'Resuming',
  'Saving',
  'Saved',
  'Stopping',
  'Snapshotting',
  'Reverting',
  'Migrating',
  'Critical',
] as const;
export const VmStateSchema = z.enum(VM_STATES);
export type VmState = z.infer<typeof VmStateSchema>;

export const VM_ACTIONS = [
  'connect',
  'settings',
  'start',
  'turnOff',
  'shutDown',
  'save',
  'pause',
  'resume',
  'reset',
  'snapshot',
  'revert',
  'export',
  'rename',
  'delete',
  'deleteSavedState',
  'migrate',
] as const;
export const VmActionSchema = z.enum(VM_ACTIONS);
export type VmAction = z.infer<typeof VmActionSchema>;

/** Labels as Hyper-V Manager shows them. */
export const ACTION_LABELS: Record<VmAction, string> = {
  connect: 'Connect…',
  settings: 'Settings…',
  start: 'Start',
  turnOff: 'Turn Off…',
  shutDown: 'Shut Down…',
  save: 'Save',
  pause: 'Pause',
  resume: 'Resume',
  reset: 'Reset',
  snapshot: 'Snapshot',
  revert: 'Revert…',
  export: 'Export…',
  rename: 'Rename…',
  delete: 'Delete…',
  deleteSavedState: 'Delete Saved State…',
  migrate: 'Migrate…',
};

/**
 * The one table of what each state allows. The engine enforces it; the UI
 * derives menus, toolbar and the Actions pane from it.
 */
export const ACTIONS_BY_STATE: Readonly<Record<VmState, readonly VmAction[]>> = {
  Off: ['connect', 'settings', 'start', 'snapshot', 'revert', 'export', 'rename', 'delete', 'migrate'],
  Starting: ['connect', 'settings', 'turnOff'],
  Running: ['connect', 'settings', 'turnOff', 'shutDown', 'save', 'pause', 'reset', 'snapshot', 'revert', 'rename', 'migrate'],
  Pausing: ['connect', 'settings', 'turnOff'],
  Paused: ['connect', 'settings', 'turnOff', 'save', 'resume', 'reset', 'snapshot', 'revert', 'rename', 'migrate'],
  Resuming: ['connect', 'settings', 'turnOff'],
  Saving: ['connect', 'settings'],
  Saved: ['connect', 'settings', 'start', 'deleteSavedState', 'snapshot', 'revert', 'export', 'rename', 'delete', 'migrate'],
  Stopping: ['connect', 'settings', 'turnOff'],
  Snapshotting: ['connect', 'settings'],
  Reverting: ['connect', 'settings'],
  Migrating: ['connect', 'settings'],
  Critical: ['settings', 'start', 'turnOff', 'rename', 'delete'],
};

export function isActionAllowed(state: VmState, action: VmAction): boolean {
  return ACTIONS_BY_STATE[state].includes(action);
}

/** Valid state transitions (from → to). Anything may fall into Critical. */
export const TRANSITIONS: Readonly<Record<VmState, readonly VmState[]>> = {
  Off: ['Starting', 'Snapshotting', 'Reverting', 'Migrating', 'Critical'],
  Starting: ['Running', 'Paused', 'Off', 'Saved', 'Critical'],
  Running: ['Pausing', 'Paused', 'Saving', 'Stopping', 'Snapshotting', 'Reverting', 'Migrating', 'Off', 'Running', 'Critical'],
  Pausing: ['Paused', 'Running', 'Off', 'Critical'],
  Paused: ['Resuming', 'Running', 'Saving', 'Stopping', 'Snapshotting', 'Reverting', 'Migrating', 'Off', 'Paused', 'Critical'],
  Resuming: ['Running', 'Paused', 'Off', 'Critical'],
  Saving: ['Saved', 'Running', 'Paused', 'Off', 'Critical'],
  Saved: ['Starting', 'Off', 'Snapshotting', 'Reverting', 'Migrating', 'Critical'],
  Stopping: ['Off', 'Running', 'Paused', 'Critical'],
  Snapshotting: ['Running', 'Paused', 'Off', 'Saved', 'Critical'],
  Reverting: ['Running', 'Paused', 'Off', 'Saved', 'Critical'],
  Migrating: ['Running', 'Paused', 'Off', 'Saved', 'Critical'],
  Critical: ['Off', 'Starting', 'Critical'],
};

export function isTransitionAllowed(from: VmState, to: VmState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** States in which an operation is in flight (the row shows progress). */
export const TRANSIENT_STATES: readonly VmState[] = [
  'Starting',
  'Pausing',
  'Resuming',
  'Saving',
  'Stopping',
  'Snapshotting',
  'Reverting',
  'Migrating',
];

/** States in which a QEMU process is expected to exist. */
export const PROCESS_STATES: readonly VmState[] = [
  'Starting',
  'Running',
  'Pausing',
  'Paused',
  'Resuming',
  'Saving',
  'Stopping',
  'Snapshotting',
  'Reverting',
  'Migrating',
];

/** A state always comes with its reason (libvirt style). */
export const VmStatusSchema = z.object({
  state: VmStateSchema,
  reason: z.string(),
  since: z.string(),
});
export type VmStatus = z.infer<typeof VmStatusSchema>;
