// Which VMs use a disk file (directly or as a parent in a chain), and the
// rules Edit Disk follows with that.
import { realpath } from 'node:fs/promises';
import { PROCESS_STATES, ViridianError, vmDisks, type DiskUse, type VmConfig } from '../contract';
import { inspectDisk } from '../storage/qemu-img';
import type { EngineContext } from './context';

async function real(p: string): Promise<string> {
  return realpath(p).catch(() => p);
}

function slotsOf(config: VmConfig): { where: string; path: string }[] {
  const out: { where: string; path: string }[] = [];
  config.ide.forEach((ctrl, c) =>
    ctrl.forEach((s, u) => {
      if (s?.kind === 'disk') out.push({ where: `IDE ${c}:${u}`, path: s.path });
    }),
  );
  for (const d of config.scsi) out.push({ where: `SCSI ${d.lun}`, path: d.path });
  return out;
}

/** Every VM that opens `path`, as its disk or as a parent of one. */
export async function diskUses(ctx: EngineContext, path: string): Promise<DiskUse[]> {
  const target = await real(path);
  const uses: DiskUse[] = [];
  for (const vm of ctx.vms()) {
    for (const s of slotsOf(vm.config)) {
      const top = await real(s.path);
      if (top === target) {
        uses.push({ vmId: vm.id, vmName: vm.name, state: vm.state, where: s.where });
        continue;
      }
      // Parents: only differencing disks have them; a missing or odd file is simply not a use.
      const info = await inspectDisk(s.path).catch(() => null);
      if (!info || info.chain.length < 2) continue;
      for (const link of info.chain.slice(1)) {
        if ((await real(link.path)) === target) {
          uses.push({ vmId: vm.id, vmName: vm.name, state: vm.state, where: `parent of ${s.where}` });
          break;
        }
      }
    }
  }
  return uses;
}

/** A VM whose QEMU has the disk open, or whose saved state expects it as it is. */
export function isActiveUse(u: DiskUse): boolean {
  return PROCESS_STATES.includes(u.state as never) || u.state === 'Saved';
}

/** DISK_IN_USE unless no running or saved VM opens the disk; returns the (inactive) uses. */
export async function requireNotInUse(ctx: EngineContext, path: string, what: string): Promise<DiskUse[]> {
  const uses = await diskUses(ctx, path);
  const active = uses.filter(isActiveUse);
  if (active.length > 0) {
    const who = active.map((u) => `"${u.vmName}" (${u.state}, ${u.where})`).join(', ');
    const live = active.some((u) => u.state !== 'Saved');
    throw new ViridianError(
      'DISK_IN_USE',
      `${what}: the disk ${path} is in use by ${who}.`,
      live ? 'Shut down or turn off the VM first. A running VM’s dynamic VHD/VHDX can be converted to qcow2 live (Convert while running).' : 'Start and shut down the VM, or delete its saved state, first.',
    );
  }
  return uses;
}

/** Refuses a disk another VM already has attached (for attach). */
export async function requireUnattached(ctx: EngineContext, path: string, exceptVmId: string): Promise<void> {
  const target = await real(path);
  for (const vm of ctx.vms()) {
    if (vm.id === exceptVmId) continue;
    for (const d of vmDisks(vm.config)) {
      if ((await real(d.path)) === target) {
        throw new ViridianError('DISK_IN_USE', `The disk ${path} is already attached to "${vm.name}".`, 'Detach it there first, or create a differencing disk on top of it.');
      }
    }
  }
}
