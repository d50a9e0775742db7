import type { Job, VmState, VmSummary } from '../../../../core/contract';
import { VM_STATES } from '../../../../core/contract';
import type { ColumnKey } from '../../state/ui-store';
import { cpuText, memoryText, statusText, uptimeText } from '../format';

export interface ColumnDef {
  key: ColumnKey;
  title: string;
  align: 'start' | 'end';
  /** Sorting by this column changes as stats tick (throttled re-sort). */
  live: boolean;
}

export const COLUMNS: readonly ColumnDef[] = [
  { key: 'name', title: 'Name', align: 'start', live: false },
  { key: 'state', title: 'State', align: 'start', live: false },
  { key: 'cpu', title: 'CPU Usage', align: 'end', live: true },
  { key: 'memory', title: 'Assigned Memory', align: 'end', live: true },
  { key: 'uptime', title: 'Uptime', align: 'end', live: true },
  { key: 'status', title: 'Status', align: 'start', live: false },
];

// Running first, then the states people look for, off last (like Hyper-V's grouping).
const STATE_RANK = new Map<VmState, number>(
  (['Running', 'Critical', ...VM_STATES.filter((s) => !['Running', 'Critical', 'Paused', 'Saved', 'Off'].includes(s)), 'Paused', 'Saved', 'Off'] as VmState[]).map(
    (s, i) => [s, i] as const,
  ),
);

function sortValue(key: ColumnKey, vm: VmSummary, job: Job | undefined): number | string {
  switch (key) {
    case 'name':
      return 0; // name order is the base order
    case 'state':
      return STATE_RANK.get(vm.status.state) ?? 99;
    case 'cpu':
      return vm.stats?.cpuPercent ?? -1;
    case 'memory':
      return vm.stats?.memoryMiB ?? -1;
    case 'uptime':
      return vm.stats?.uptimeSec ?? -1;
    case 'status':
      return statusText(vm, job);
  }
}

/**
 * Orders ids (given already sorted by name) by a column; ties keep name order.
 * Decorate-sort-undecorate: one lookup per VM, not per comparison.
 */
export function sortIds(
  byName: readonly string[],
  vms: ReadonlyMap<string, VmSummary>,
  jobByVm: ReadonlyMap<string, Job>,
  key: ColumnKey,
  dir: 'asc' | 'desc',
): readonly string[] {
  if (key === 'name') return dir === 'asc' ? byName : [...byName].reverse();
  const sign = dir === 'asc' ? 1 : -1;
  const rows = byName.map((id, i) => {
    const vm = vms.get(id);
    return { id, i, v: vm === undefined ? -1 : sortValue(key, vm, jobByVm.get(id)) };
  });
  rows.sort((a, b) => {
    if (a.v !== b.v) {
      if (typeof a.v === 'number' && typeof b.v === 'number') return (a.v - b.v) * sign;
      return String(a.v).localeCompare(String(b.v)) * sign;
    }
    return a.i - b.i;
  });
  return rows.map((r) => r.id);
}

export function cellText(key: ColumnKey, vm: VmSummary, job: Job | undefined): string {
  switch (key) {
    case 'name':
      return vm.name;
    case 'state':
      return vm.status.state;
    case 'cpu':
      return cpuText(vm);
    case 'memory':
      return memoryText(vm);
    case 'uptime':
      return uptimeText(vm);
    case 'status':
      return statusText(vm, job);
  }
}

