import type { AnyEvent, HostInfo, Job, Snapshot, VmConfig, VmState, VmSummary } from '../../../core/contract';

/** Test data builders (used by unit and component tests, and the simulated-fleet bench). */
let counter = 0;

export function vmId(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export function makeVm(name: string, state: VmState = 'Off', extra: Partial<VmSummary> = {}): VmSummary {
  counter++;
  const running = state !== 'Off' && state !== 'Saved' && state !== 'Critical';
  return {
    id: extra.id ?? vmId(counter),
    name,
    status: { state, reason: '', since: '2026-01-01T00:00:00.000Z' },
    memoryMiB: 512,
    cpus: 1,
    stats: running ? { cpuPercent: 5, memoryMiB: 512, uptimeSec: 60 } : null,
    operation: null,
    migrationBlocker: null,
    hasSavedState: state === 'Saved',
    notes: '',
    ...extra,
  };
}

export function makeHost(extra: Partial<HostInfo> = {}): HostInfo {
  return {
    hostname: 'testhost',
    version: '0.1.0',
    platform: 'linux x64',
    cpus: 4,
    memoryMiB: 8192,
    maxVmMemoryMiB: 6144,
    dataDir: '/data',
    storageRoots: ['/data'],
    qemu: { found: true, binary: '/usr/bin/qemu-system-x86_64', version: '7.2.0', img: '/usr/bin/qemu-img' },
    accelerator: { kind: 'tcg', reason: 'No KVM.', hint: 'Enable VT-x.' },
    ...extra,
  };
}

export function makeSnapshot(vms: VmSummary[], seq = 10, jobs: Job[] = []): Snapshot {
  return { seq, host: makeHost(), vms, jobs };
}

export function makeJob(id: string, vmId: string | null, extra: Partial<Job> = {}): Job {
  return {
    id,
    kind: 'vm.save',
    label: 'Save virtual machine',
    vmId,
    vmName: null,
    state: 'running',
    phase: 'Saving',
    percent: 42,
    cancellable: false,
    steps: [],
    cli: 'viridian vm save x',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: null,
    error: null,
    ...extra,
  };
}

export function upsert(vm: VmSummary, seq: number): AnyEvent {
  return { e: 'vm.upsert', p: { vm }, seq };
}

export function removed(id: string, seq: number): AnyEvent {
  return { e: 'vm.removed', p: { id }, seq };
}

export function makeConfig(vm: VmSummary, extra: Partial<VmConfig> = {}): VmConfig {
  return {
    schemaVersion: 1,
    id: vm.id,
    name: vm.name,
    firmware: 'bios',
    arch: 'x64',
    memoryMiB: vm.memoryMiB,
    processor: { count: vm.cpus, reservePercent: 0, limitPercent: 100, weight: 100 },
    bios: { bootOrder: ['cd', 'ide', 'net', 'floppy'], numLock: false },
    ide: [
      [{ kind: 'disk', path: `/data/vms/${vm.name}/disk.qcow2`, format: 'qcow2', type: 'dynamic', virtualSize: 1024 ** 3, readOnly: false }, null],
      [{ kind: 'dvd', path: null }, null],
    ],
    scsi: [],
    floppy: null,
    network: [{ id: 'nic0', kind: 'synthetic', network: 'External', macMode: 'dynamic', mac: '52:54:00:12:34:56', vlanId: null }],
    com: [],
    notes: vm.notes,
    integration: { shutdown: true, timeSync: true, kvp: true, heartbeat: true, backup: true },
    automaticStart: { action: 'restartIfRunning', delaySec: 0 },
    automaticStop: { action: 'save' },
    kernel: null,
    guestOs: 'other',
    createdAt: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}
