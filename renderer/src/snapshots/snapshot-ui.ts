import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { toErrorInfo, type SnapshotTree } from '../../../core/contract';
import type { EngineApi } from '../engine/engine-context';
import { showError } from '../state/ui-store';

/** The snapshot dialogs (one at a time) and which snapshot is selected in each VM's tree. */
export type SnapshotDialog =
  | { kind: 'apply'; vmId: string; snapshotId: string; revert: boolean }
  | { kind: 'rename'; vmId: string; snapshotId: string }
  | { kind: 'delete'; vmId: string; snapshotId: string; subtree: boolean };

export interface SnapshotUiData {
  dialog: SnapshotDialog | null;
  /** vmId → selected snapshot id ("now" for the Now marker). */
  selected: ReadonlyMap<string, string>;
  /** vmId → the last tree read (shared by the pane, the actions and the dialogs). */
  trees: ReadonlyMap<string, SnapshotTree>;
  /** Bumped to make every open tree read again. */
  epoch: number;
}

export const snapshotUi = createStore<SnapshotUiData>()(() => ({ dialog: null, selected: new Map(), trees: new Map(), epoch: 0 }));

export function useSnapshotUi<T>(selector: (s: SnapshotUiData) => T): T {
  return useStore(snapshotUi, selector);
}

export function openSnapshotDialog(d: SnapshotDialog): void {
  snapshotUi.setState({ dialog: d });
}

export function closeSnapshotDialog(): void {
  snapshotUi.setState({ dialog: null });
}

export function selectSnapshot(vmId: string, id: string | null): void {
  const next = new Map(snapshotUi.getState().selected);
  if (id === null) next.delete(vmId);
  else next.set(vmId, id);
  snapshotUi.setState({ selected: next });
}

export function storeTree(tree: SnapshotTree): void {
  const next = new Map(snapshotUi.getState().trees);
  next.set(tree.vmId, tree);
  snapshotUi.setState({ trees: next });
}

export function refreshTrees(): void {
  snapshotUi.setState((s) => ({ epoch: s.epoch + 1 }));
}

/** Take Snapshot: no dialog, as in Hyper-V Manager; the job shows in the Status column. */
export async function takeSnapshot(engine: EngineApi, vm: { id: string; name: string }): Promise<void> {
  try {
    await engine.call('snapshot.create', { vm: vm.id });
  } catch (err) {
    showError(toErrorInfo(err), `Take a snapshot of “${vm.name}”`);
  }
}

/** Revert = apply the snapshot "Now" sits under (asks first, like Apply). */
export async function requestRevert(engine: EngineApi, vm: { id: string; name: string }): Promise<void> {
  try {
    const tree = await engine.call('snapshot.list', { vm: vm.id });
    storeTree(tree);
    if (tree.nowParentId === null) {
      showError({ code: 'INVALID_STATE', message: `“${vm.name}” has no snapshot to revert to.`, hint: 'Take a snapshot first.' }, `Revert “${vm.name}”`);
      return;
    }
    openSnapshotDialog({ kind: 'apply', vmId: vm.id, snapshotId: tree.nowParentId, revert: true });
  } catch (err) {
    showError(toErrorInfo(err), `Revert “${vm.name}”`);
  }
}
