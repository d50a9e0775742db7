import { useEffect, useState } from 'react';
import { toErrorInfo, type SnapshotTree } from '../../../core/contract';
import type { EngineApi } from '../engine/engine-context';
import { useConsole } from '../state/app-stores';
import { storeTree, useSnapshotUi } from './snapshot-ui';

/**
 * The VM's snapshot tree, read again whenever something that changes it
 * happened: the engine said so (`snapshot.changed`), one of the VM's jobs
 * (take, apply, merge) ended, its state moved (Snapshotting, Reverting…), the
 * console re-synced with the engine, or a dialog asked for it. Job ends are
 * counted per VM (`snapshotChanges`), so a job that starts and ends within
 * one batch of events still counts.
 */
export function useSnapshotTree(engine: EngineApi, vmId: string | undefined): { tree: SnapshotTree | null; error: string | null } {
  const state = useConsole((s) => (vmId === undefined ? undefined : s.vms.get(vmId)?.status.state));
  const changedAt = useConsole((s) => (vmId === undefined ? undefined : s.snapshotChanges.get(vmId)));
  const generation = useConsole((s) => s.generation);
  const epoch = useSnapshotUi((s) => s.epoch);
  const tree = useSnapshotUi((s) => (vmId === undefined ? null : (s.trees.get(vmId) ?? null)));
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (vmId === undefined) return;
    let current = true;
    engine
      .call('snapshot.list', { vm: vmId })
      .then((t) => {
        if (!current) return;
        storeTree(t);
        setError(null);
      })
      .catch((err: unknown) => {
        if (current) setError(toErrorInfo(err).message);
      });
    return () => {
      current = false;
    };
  }, [engine, vmId, state, changedAt, generation, epoch]);

  return { tree, error };
}
