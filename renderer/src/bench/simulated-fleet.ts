import type { AnyEvent, HostInfo, Snapshot, VmState, VmSummary } from '../../../core/contract';

/**
 * A SIMULATED fleet: VM rows made up in the page, for measuring the console
 * with 10,000 VMs where no machine could run them. Nothing here is real.
 */
const STATES: readonly VmState[] = ['Running', 'Running', 'Running', 'Off', 'Saved', 'Paused'];

export function simulatedVmId(i: number): string {
  return `5111a7ed-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

export function simulatedFleet(count: number): VmSummary[] {
  return Array.from({ length: count }, (_, i) => {
    const state = STATES[i % STATES.length] ?? 'Off';
    const running = state === 'Running' || state === 'Paused';
    return {
      id: simulatedVmId(i),
      name: `sim-${String(i).padStart(5, '0')}`,
      status: { state, reason: 'simulated', since: '2026-01-01T00:00:00.000Z' },
      memoryMiB: 512 + (i % 8) * 256,
      cpus: 1 + (i % 4),
      stats: running ? { cpuPercent: (i * 7) % 100, memoryMiB: 512, uptimeSec: i * 13 } : null,
      operation: null,
      migrationBlocker: null,
      hasSavedState: state === 'Saved',
      notes: '',
    };
  });
}

export function simulatedHost(): HostInfo {
  return {
    hostname: 'simulated-fleet',
    version: 'bench',
    platform: 'simulated',
    cpus: 64,
    memoryMiB: 1_048_576,
    maxVmMemoryMiB: 1_000_000,
    dataDir: '/simulated',
    storageRoots: ['/simulated'],
    qemu: { found: false, binary: null, version: null, img: null },
    accelerator: { kind: 'kvm', reason: 'simulated fleet: no engine' },
  };
}

export function simulatedSnapshot(vms: VmSummary[]): Snapshot {
  return { seq: 0, host: simulatedHost(), vms, jobs: [] };
}

/** A stats tick for `count` VMs (wrapping around the fleet), like the engine's batched vm.stats. */
export function statsBatch(vms: readonly VmSummary[], start: number, count: number, seq: number, tick: number): AnyEvent {
  const items = [];
  const running = vms.filter((v) => v.stats !== null); // only running guests report numbers
  for (let k = 0; k < Math.min(count, running.length); k++) {
    const vm = running[(start + k) % running.length];
    if (vm === undefined) continue;
    items.push({ id: vm.id, stats: { cpuPercent: (tick * 11 + k) % 100, memoryMiB: vm.memoryMiB, uptimeSec: tick } });
  }
  return { e: 'vm.stats', p: { items }, seq };
}
