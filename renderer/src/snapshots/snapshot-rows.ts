import type { SnapshotInfo, SnapshotTree } from '../../../core/contract';

export type SnapshotRow =
  | { kind: 'snapshot'; id: string; depth: number; snapshot: SnapshotInfo; hasChildren: boolean }
  | { kind: 'now'; id: 'now'; depth: number };

/** The tree as indented rows, "Now" as the last child of the snapshot the VM came from (Hyper-V's layout). */
export function snapshotRows(tree: SnapshotTree): SnapshotRow[] {
  const children = new Map<string | null, SnapshotInfo[]>();
  for (const s of tree.snapshots) children.set(s.parentId, [...(children.get(s.parentId) ?? []), s]);
  const rows: SnapshotRow[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const s of children.get(parent) ?? []) {
      rows.push({ kind: 'snapshot', id: s.id, depth, snapshot: s, hasChildren: (children.get(s.id)?.length ?? 0) > 0 || tree.nowParentId === s.id });
      walk(s.id, depth + 1);
    }
    if (tree.nowParentId === parent && tree.snapshots.length > 0) rows.push({ kind: 'now', id: 'now', depth });
  };
  walk(null, 0);
  return rows;
}

/** "2025-01-31 14:05" in local time, for the row's date column. */
export function shortDate(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** What Apply loses, in plain words, for the confirmation. */
export function applyText(vm: { name: string; state: string }, target: SnapshotInfo, tree: SnapshotTree, revert: boolean): { title: string; body: string; button: string } {
  const running = vm.state === 'Running' || vm.state === 'Paused';
  const current = running ? 'its current running state and every change on its disks' : vm.state === 'Saved' ? 'its saved state and every change on its disks' : 'every change on its disks';
  const since = tree.nowParentId === null ? '' : tree.nowParentId === target.id ? ' since that snapshot was taken' : ' since its last snapshot';
  const after =
    target.vmState === 'Running' || target.vmState === 'Paused'
      ? running
        ? `“${vm.name}” then continues from the moment of the snapshot (${target.vmState.toLowerCase()}).`
        : `“${vm.name}” is then in the Saved state of that moment; Start resumes it.`
      : target.vmState === 'Saved'
        ? `“${vm.name}” is then saved as it was; Start resumes it.`
        : `“${vm.name}” is then turned off, with its disks as they were.`;
  return {
    title: revert ? `Revert “${vm.name}”?` : `Apply snapshot “${target.name}”?`,
    body: `${revert ? `“${vm.name}” goes back to its last snapshot, “${target.name}”.` : `“${vm.name}” goes back to the snapshot “${target.name}”.`} You lose ${current}${since}, unless you take a snapshot first. ${after}`,
    button: revert ? 'Revert' : 'Apply',
  };
}
