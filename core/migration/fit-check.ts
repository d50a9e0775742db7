import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat, statfs } from 'node:fs/promises';
import { freemem } from 'node:os';
import { join, sep } from 'node:path';
import { ViridianError, migrationBlocker, vmDisks, type VmConfig, type VmState } from '../contract';
import type { FitProblem, IncomingFile, MigrationMode, StorageHandling } from '../contract/protocol-migration';
import type { EngineContext } from '../engine/context';
import type { VmInstance } from '../engine/vm-instance';

/** QEMU and TCG on top of guest RAM (QEMU.md: an idle 128 MiB guest has ≈ 232 MB RSS). */
export const QEMU_OVERHEAD_MIB = 128;
/** The saved state holds at most guest RAM plus device state and the VM description. */
export const STATE_SLACK_BYTES = 16 * 1024 * 1024;

export interface MigrationPlan {
  config: VmConfig;
  mode: MigrationMode;
  storage: StorageHandling;
  files: IncomingFile[];
  stateBytesMax: number;
  source: { hostname: string; accelerator: string; qemuVersion: string | null; cpuFlags: string[] };
}

/** Bytes a file occupies (sparse files count what is allocated, which is what travels). */
async function usedBytes(path: string): Promise<{ bytes: number; allocated: number; mtimeMs: number }> {
  const st = await stat(path);
  return { bytes: st.size, allocated: Math.min(st.size, st.blocks * 512), mtimeMs: st.mtimeMs };
}

export async function cpuFlags(): Promise<string[]> {
  if (process.platform !== 'linux') return [];
  try {
    const text = await readFile('/proc/cpuinfo', 'utf8');
    const line = /^flags\s*:\s*(.*)$/m.exec(text)?.[1] ?? '';
    return line.split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

/** What the source sends: every file the VM uses, which of them travel, and an upper bound of the state. */
export async function buildPlan(ctx: EngineContext, vm: VmInstance, mode: MigrationMode, storage: StorageHandling): Promise<MigrationPlan> {
  const files: IncomingFile[] = [];
  const add = async (role: IncomingFile['role'], path: string, copy: boolean, disk?: { format: string; virtualSize: number }) => {
    const info = await usedBytes(path).catch(() => ({ bytes: 0, allocated: 0, mtimeMs: null }));
    files.push({ id: `f${files.length}`, role, sourcePath: path, bytes: info.bytes, mtimeMs: info.mtimeMs, copy, format: disk?.format ?? null, virtualSize: disk?.virtualSize ?? null });
  };
  for (const d of vmDisks(vm.config)) await add('disk', d.path, storage === 'copy', { format: d.format, virtualSize: d.virtualSize });
  const c = vm.config;
  if (c.kernel) {
    await add('kernel', c.kernel.path, false);
    if (c.kernel.initrd) await add('initrd', c.kernel.initrd, false);
  }
  if (c.floppy) await add('floppy', c.floppy, false);
  for (const ctrl of c.ide) for (const s of ctrl) if (s?.kind === 'dvd' && s.path) await add('iso', s.path, false);
  const host = ctx.host();
  const saves = mode === 'quick' && (vm.state === 'Running' || vm.state === 'Paused');
  return {
    config: vm.config,
    mode,
    storage,
    files,
    stateBytesMax: saves || vm.state === 'Saved' ? c.memoryMiB * 1024 * 1024 + STATE_SLACK_BYTES : 0,
    source: { hostname: host.hostname, accelerator: host.accelerator.kind, qemuVersion: host.qemu.version, cpuFlags: host.accelerator.kind === 'tcg' ? [] : await cpuFlags() },
  };
}

/** Bytes that travel with storage=copy (allocated, since sparse runs of zeros are not sent). */
export async function bytesToCopy(plan: MigrationPlan): Promise<number> {
  let total = 0;
  for (const f of plan.files) if (f.copy) total += (await usedBytes(f.sourcePath).catch(() => ({ allocated: f.bytes }))).allocated;
  return total;
}

const problem = (severity: FitProblem['severity'], check: FitProblem['check'], message: string, fix: string): FitProblem => ({ severity, check, message, fix });

/** What the source can tell by itself: state, disk formats, where the disks live. */
export function sourceProblems(vm: VmInstance, mode: MigrationMode, storage: StorageHandling): FitProblem[] {
  const out: FitProblem[] = [];
  const state: VmState = vm.state;
  if (vm.busy) out.push(problem('error', 'state', `"${vm.name}" is ${state.toLowerCase()}.`, 'Wait for the current operation to finish.'));
  else if (state === 'Critical') out.push(problem('error', 'state', `"${vm.name}" is in a critical state: ${vm.status.reason}`, 'Turn it off (or fix its storage) first.'));
  if (mode === 'live' && state !== 'Running' && state !== 'Paused' && !vm.busy) {
    out.push(problem('error', 'state', `Live migration moves a running VM; "${vm.name}" is ${state}.`, 'Choose Quick Migration: an Off or Saved VM moves without downtime.'));
  }
  const blocker = migrationBlocker(vm.config);
  if (blocker && state !== 'Off') out.push(problem('error', 'storage', blocker, 'Convert the disk to qcow2 or a fixed VHD (Edit Disk ▸ Convert), or shut the VM down and move it while Off.'));
  const snapshots = snapshotCount(vm.folder);
  if (snapshots > 0) {
    out.push(problem('error', 'storage', `"${vm.name}" has ${snapshots} snapshot${snapshots > 1 ? 's' : ''}; the snapshot tree does not move with the VM yet.`, 'Delete the snapshots (their changes merge into the disk), or export and import the VM instead.'));
  }
  const inside = vm.folder + sep;
  for (const d of vmDisks(vm.config)) {
    if (storage === 'shared' && d.path.startsWith(inside)) {
      out.push(problem('error', 'storage', `The disk ${d.path} is kept in the VM's own folder on this host, which is removed after the move; the target cannot share it.`, 'Choose "Copy the disks to the target", or move the disk to storage both hosts see.'));
    }
    if (storage === 'copy' && mode === 'quick' && d.type === 'differencing') {
      out.push(problem('error', 'storage', `The disk ${d.path} is a differencing disk; copying it alone would leave its parent behind.`, 'Use live migration (it copies the merged contents), merge the disk (Edit Disk ▸ Merge), or use shared storage.'));
    }
  }
  return out;
}

/** Snapshots in the VM's tree (<folder>/snapshots/tree.json), read leniently. */
function snapshotCount(folder: string): number {
  try {
    const tree = JSON.parse(readFileSync(join(folder, 'snapshots', 'tree.json'), 'utf8')) as { snapshots?: unknown };
    return Array.isArray(tree.snapshots) ? tree.snapshots.length : 0;
  } catch {
    return 0;
  }
}

async function freeDisk(dir: string): Promise<number> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

async function availableMemoryMiB(): Promise<number> {
  try {
    const text = await readFile('/proc/meminfo', 'utf8');
    const kb = Number(/^MemAvailable:\s+(\d+)/m.exec(text)?.[1]);
    if (Number.isFinite(kb)) return Math.floor(kb / 1024);
  } catch {
    /* not Linux */
  }
  return Math.floor(freemem() / 1024 ** 2);
}

function versionTuple(v: string | null): number[] {
  return (v ?? '').split(/[.\s-]/).slice(0, 3).map((p) => Number.parseInt(p, 10) || 0);
}

function olderThan(a: number[], b: number[]): boolean {
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  }
  return false;
}

/**
 * What the target's virtual networks answer to (names, earlier names, ids;
 * adapters store the name, as Hyper-V matches switches by name), or null when
 * it keeps no list (networks.json).
 */
async function targetNetworks(dataDir: string): Promise<string[] | null> {
  const file = join(dataDir, 'networks.json');
  if (!existsSync(file)) return null;
  try {
    const raw = JSON.parse(await readFile(file, 'utf8')) as { networks?: unknown[] } | unknown[];
    const list = (Array.isArray(raw) ? raw : (raw.networks ?? [])) as { name?: unknown; id?: unknown; aliases?: unknown }[];
    return list.flatMap((n) => [n.name, n.id, ...(Array.isArray(n.aliases) ? n.aliases : [])]).filter((x): x is string => typeof x === 'string' && x !== '');
  } catch {
    return null;
  }
}

export interface TargetFacts {
  hostname: string;
  freeMemoryMiB: number;
  freeDiskBytes: number;
  accelerator: string;
  qemuVersion: string | null;
  problems: FitProblem[];
}

/** The target's side of the fit check: memory, disk space, CPU, QEMU, networks, storage it must see, name. */
export async function targetProblems(ctx: EngineContext, plan: MigrationPlan): Promise<TargetFacts> {
  const host = ctx.host();
  const out: FitProblem[] = [];
  const where = host.hostname;
  const c = plan.config;

  // Name and identity.
  for (const vm of ctx.vms()) {
    if (vm.id === c.id) out.push(problem('error', 'name', `"${where}" already has this virtual machine (id ${c.id}), as "${vm.name}".`, `Delete or move away the copy on ${where} first.`));
    else if (vm.name.toLowerCase() === c.name.toLowerCase()) out.push(problem('error', 'name', `"${where}" already has a virtual machine named "${c.name}".`, 'Rename one of them first.'));
  }
  if (existsSync(join(ctx.dataDir, 'vms', c.id)) && !out.some((p) => p.check === 'name')) {
    out.push(problem('error', 'name', `A folder for this virtual machine already exists on "${where}" (an earlier move that did not finish?).`, 'Wait a minute and try again, or restart the target host service to clean it up.'));
  }

  // Memory: only what a VM that will run needs right away.
  const freeMemoryMiB = await availableMemoryMiB();
  const runs = plan.stateBytesMax > 0 || plan.mode === 'live';
  const need = c.memoryMiB + QEMU_OVERHEAD_MIB;
  if (c.memoryMiB > host.maxVmMemoryMiB) {
    out.push(problem('error', 'memory', `"${c.name}" has ${c.memoryMiB} MiB of memory; "${where}" gives a VM at most ${host.maxVmMemoryMiB} MiB.`, 'Lower the VM’s memory (Settings ▸ Memory) or choose a larger host.'));
  } else if (freeMemoryMiB < need) {
    out.push(
      problem(runs ? 'error' : 'warning', 'memory', `"${where}" has ${freeMemoryMiB} MiB of memory available; the VM needs about ${need} MiB (${c.memoryMiB} MiB plus QEMU).`, 'Stop or move other VMs on the target, or lower this VM’s memory.'),
    );
  }

  // Disk space for what travels.
  const freeDiskBytes = await freeDisk(ctx.dataDir);
  const copyBytes = plan.files.filter((f) => f.copy).reduce((s, f) => s + f.bytes, 0);
  const mib = (b: number) => `${Math.ceil(b / 1024 ** 2)} MiB`;
  if (copyBytes > freeDiskBytes) {
    out.push(problem('error', 'disk', `The disks need ${mib(copyBytes)} on "${where}"; ${mib(freeDiskBytes)} are free in ${ctx.dataDir}.`, 'Free space on the target, or use shared storage both hosts see.'));
  } else if (copyBytes + plan.stateBytesMax > freeDiskBytes) {
    out.push(
      problem('warning', 'disk', `The saved memory state may need up to ${mib(plan.stateBytesMax)} on "${where}"${copyBytes ? ` besides ${mib(copyBytes)} of disks` : ''}; ${mib(freeDiskBytes)} are free.`, 'Free space on the target, or use live migration (no state file).'),
    );
  }

  // CPU: the guest must find the same processor after the move.
  if (plan.source.accelerator !== host.accelerator.kind) {
    out.push(
      problem('error', 'cpu', `The VM runs under ${plan.source.accelerator.toUpperCase()} on "${plan.source.hostname}" but "${where}" uses ${host.accelerator.kind.toUpperCase()}; the processor model would change under the guest.`, 'Run both hosts with the same accelerator (e.g. VIRIDIAN_ACCEL=tcg on both), or shut the VM down and move it while Off.'),
    );
  } else if (host.accelerator.kind !== 'tcg' && plan.source.cpuFlags.length) {
    const mine = new Set(await cpuFlags());
    const missing = plan.source.cpuFlags.filter((f) => !mine.has(f));
    if (missing.length) {
      out.push(problem('error', 'cpu', `The processor of "${where}" lacks features the guest may use: ${missing.slice(0, 12).join(', ')}${missing.length > 12 ? ` and ${missing.length - 12} more` : ''}.`, 'Move it to a host with the same processor family, or shut the VM down and move it while Off.'));
    }
  }

  // QEMU: present, and not older than the source (older QEMU may not read the stream).
  if (!host.qemu.found) out.push(problem('error', 'qemu', `QEMU is not installed on "${where}".`, 'Install qemu-system-x86 on the target (viridian doctor says how).'));
  else if (plan.source.qemuVersion && olderThan(versionTuple(host.qemu.version), versionTuple(plan.source.qemuVersion))) {
    out.push(problem('error', 'qemu', `"${where}" has QEMU ${host.qemu.version}, older than ${plan.source.qemuVersion} on the source; it may not read the VM's state.`, 'Upgrade QEMU on the target, or shut the VM down and move it while Off.'));
  }

  // Networks the adapters use.
  const used = [...new Set(c.network.map((n) => n.network).filter((n): n is string => n !== null))];
  if (used.length) {
    const have = await targetNetworks(ctx.dataDir);
    if (have === null) {
      out.push(problem('warning', 'network', `"${where}" keeps no list of virtual networks; the adapters on ${used.join(', ')} get user-mode NAT there.`, 'Create the networks on the target (Virtual Network Manager) if the VM needs them.'));
    } else {
      const lower = new Set(have.map((n) => n.toLowerCase()));
      for (const n of used) {
        if (!lower.has(n.toLowerCase())) out.push(problem('error', 'network', `The VM is connected to the virtual network "${n}", which "${where}" does not have.`, `Create a network named "${n}" on ${where} (Virtual Network Manager), or disconnect that adapter first.`));
      }
    }
  }

  // Files used in place must be the same files, inside the target's storage roots.
  for (const f of plan.files) {
    if (f.copy) continue;
    let confined: string;
    try {
      confined = await ctx.confine(f.sourcePath);
    } catch (err) {
      out.push(problem('error', 'storage', `"${where}" does not allow the path ${f.sourcePath}: ${err instanceof ViridianError ? err.message : String(err)}`, 'Add its folder to the target’s storage roots (VIRIDIAN_STORAGE_ROOTS), or copy the disks.'));
      continue;
    }
    const st = await stat(confined).catch(() => null);
    if (!st) {
      const what = f.role === 'disk' ? 'disk' : f.role === 'iso' ? 'ISO image' : `${f.role} file`;
      const fix = f.role === 'disk' ? 'Choose "Copy the disks to the target", or put the disk on storage both hosts see.' : f.role === 'iso' ? 'Eject the ISO, or copy it to the same path on the target.' : 'Copy the file to the same path on the target.';
      out.push(problem('error', 'storage', `"${where}" cannot see the ${what} ${f.sourcePath}.`, fix));
    } else if (f.role === 'disk' && (st.size !== f.bytes || (f.mtimeMs !== null && Math.abs(st.mtimeMs - f.mtimeMs) > 2000))) {
      out.push(problem('error', 'storage', `"${where}" sees a different file at ${f.sourcePath} (size or time differ), so the storage is not shared.`, 'Choose "Copy the disks to the target".'));
    }
  }

  return { hostname: where, freeMemoryMiB, freeDiskBytes: Number.isFinite(freeDiskBytes) ? freeDiskBytes : Number.MAX_SAFE_INTEGER, accelerator: host.accelerator.kind, qemuVersion: host.qemu.version, problems: out };
}

/** The error a blocked move ends with: every problem in one sentence, the fixes as the hint. */
export function fitError(vmName: string, target: string, problems: FitProblem[]): ViridianError {
  const errors = problems.filter((p) => p.severity === 'error');
  const first = errors[0];
  const code = first?.check === 'memory' ? 'INSUFFICIENT_MEMORY' : first?.check === 'disk' ? 'NO_SPACE' : first?.check === 'state' ? 'INVALID_STATE' : first?.check === 'storage' && /cannot save, snapshot or migrate/.test(first.message) ? 'DISK_BLOCKS_ACTION' : 'UNSUPPORTED';
  return new ViridianError(code, `"${vmName}" cannot move to ${target}: ${errors.map((p) => p.message).join(' ')}`, errors.map((p) => p.fix).join(' '));
}
