import { formatBytes, type ErrorInfo, type Job, type VmState } from '../../../core/contract';
import type { MigrationMode, MigrationPhase, StorageHandling } from '../../../core/contract/protocol-migration';

export interface MigrateDraft {
  targetId: string | null;
  storage: StorageHandling;
  mode: MigrationMode;
}

export const MIGRATE_STEPS = [
  { id: 'target', title: 'Choose Target Host' },
  { id: 'storage', title: 'Storage' },
  { id: 'type', title: 'Migration Type' },
  { id: 'summary', title: 'Summary' },
  { id: 'progress', title: 'Progress' },
] as const;
export type MigrateStepId = (typeof MIGRATE_STEPS)[number]['id'];

export function liveAllowed(state: VmState): boolean {
  return state === 'Running' || state === 'Paused';
}

/** The draft a VM in this state starts with: Quick Migration, shared storage. */
export function initialDraft(): MigrateDraft {
  return { targetId: null, storage: 'shared', mode: 'quick' };
}

export interface PhaseView {
  name: MigrationPhase;
  label: string;
}

/** The phases the progress view lists, in order, for these choices. */
export function phasesFor(mode: MigrationMode, storage: StorageHandling, state: VmState): PhaseView[] {
  const running = liveAllowed(state);
  if (mode === 'live') {
    return [
      { name: 'checking', label: 'Checking the target and starting the receiving VM' },
      ...(storage === 'copy' ? [{ name: 'mirroring' as const, label: 'Mirroring the disks' }] : []),
      { name: 'migrating', label: 'Copying memory while the guest runs' },
      { name: 'switching', label: 'Switching over' },
    ];
  }
  return [
    { name: 'checking', label: 'Checking and preparing the target' },
    ...(running ? [{ name: 'saving' as const, label: 'Saving the virtual machine' }] : []),
    { name: 'transferring', label: storage === 'copy' ? 'Transferring the memory state and disks' : running || state === 'Saved' ? 'Transferring the memory state' : 'Transferring' },
    { name: 'restoring', label: running ? 'Restoring on the target' : 'Registering on the target' },
  ];
}

const STEP_PHASES: readonly [RegExp, MigrationPhase][] = [
  [/^(Connecting|Checking|Starting the receiving)/, 'checking'],
  [/^Saving/, 'saving'],
  [/^Transferring/, 'transferring'],
  [/^(Restoring|Registering)/, 'restoring'],
  [/^Mirroring/, 'mirroring'],
  [/^Migrating memory/, 'migrating'],
  [/^Handing over/, 'switching'],
];

/** The phase a running migration job is in, from its last recognised step. */
export function currentPhase(job: Pick<Job, 'steps'>): MigrationPhase | null {
  for (let i = job.steps.length - 1; i >= 0; i--) {
    const text = job.steps[i]?.text ?? '';
    for (const [re, phase] of STEP_PHASES) if (re.test(text)) return phase;
  }
  return null;
}

/** A live migration that gave up because the guest dirties memory too fast: offer Quick Migration. */
export function notConverged(err: ErrorInfo | null): boolean {
  return err !== null && err.code === 'TIMEOUT' && /did not converge/.test(err.message);
}

/** The equivalent command ("View Script"). */
export function cliFor(vmName: string, address: string, draft: MigrateDraft): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['viridian', 'vm', 'migrate', quote(vmName), '--to', address, draft.mode === 'live' ? '--live' : '--quick', ...(draft.storage === 'copy' ? ['--copy-storage'] : [])].join(' ');
}

export function msText(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms).toLocaleString('en')} ms`;
}

export function bytesText(bytes: number): string {
  return formatBytes(bytes);
}
