import { useEffect, useState } from 'react';
import { toErrorInfo, type SnapshotTree } from '../../../core/contract';
import type { EngineApi } from '../engine/engine-context';
import { useConsole } from '../state/app-stores';
import { storeTree, useSnapshotUi } from './snapshot-ui';

/**
 * The VM's snapshot tree, read again whenever something that changes it
 * happened: the VM's state moved (Snapshotting, Reverting…), one of its jobs
 * (take, apply, merge) ended, or a dialog asked for it.
 */
export function useSnapshotTree(engine: EngineApi, vmId: string | undefined): { tree: SnapshotTree | null; error: string | null } {
  const state = useConsole((s) => (vmId === undefined ? undefined : s.vms.get(vmId)?.status.state));
  const jobId = useConsole((s) => (vmId === undefined ? undefined : s.jobByVm.get(vmId)?.id));
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
  }, [engine, vmId, state, jobId, epoch]);

  return { tree, error };
}
