import type { VmSummary } from '../../../core/contract';

// Natural order ("vm2" before "vm10"), case-insensitive, like Explorer and MMC lists.
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function compareByName(a: VmSummary, b: VmSummary): number {
  return collator.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Index where `vm` sits (or would sit) in `ids`, sorted by compareByName. */
function lowerBound(ids: readonly string[], vms: ReadonlyMap<string, VmSummary>, vm: VmSummary): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const other = vms.get(ids[mid] as string);
    if (other !== undefined && compareByName(other, vm) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function sortAllByName(vms: ReadonlyMap<string, VmSummary>): string[] {
  return [...vms.values()].sort(compareByName).map((v) => v.id);
}

/**
 * Keeps the id array sorted by name while VMs come, go and get renamed,
 * without re-sorting 10,000 ids for each change. `lookup` must already hold
 * every VM that stays; `before` is the VM as it was when `ids` was sorted.
 */
export function insertSorted(ids: string[], lookup: ReadonlyMap<string, VmSummary>, vm: VmSummary): void {
  ids.splice(lowerBound(ids, lookup, vm), 0, vm.id);
}

export function removeSorted(ids: string[], lookup: ReadonlyMap<string, VmSummary>, before: VmSummary): void {
  // `lookup` may already hold the renamed VM, so search with a map that answers the old one for its id.
  const view: ReadonlyMap<string, VmSummary> = {
    get: (id: string) => (id === before.id ? before : lookup.get(id)),
  } as ReadonlyMap<string, VmSummary>;
  const at = lowerBound(ids, view, before);
  if (ids[at] === before.id) {
    ids.splice(at, 1);
    return;
  }
  const idx = ids.indexOf(before.id); // the order drifted (should not happen); stay correct anyway
  if (idx >= 0) ids.splice(idx, 1);
}
