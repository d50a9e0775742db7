// Edit Disk, Inspect helpers, live conversion and SCSI hot-plug: the disk.* and vm.disk.* methods.
import { existsSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  ViridianError,
  formatBytes,
  type DiskAttachment,
  type DiskInfo,
  type Job,
  type ScsiDisk,
  type VmConfig,
} from '../contract';
import { convertDisk, inspectDisk, type DiskOpControl } from '../storage/qemu-img';
import { cliLine } from './cli-text';
import type { EngineContext, EngineFeature } from './context';
import { vmDevices } from './disks-devices';
import { convertLive, findDisk, hotAddScsi, hotRemoveScsi, liveTargetPath, slotLabel } from './disks-live';
import { estimateCopy, formatLabel, freeBytes, planCompact, planExpand, planMergeIntoParent, planReconnect, requireSpace, type DiskPlan, type EditControl } from './disks-ops';
import { diskUses, requireNotInUse, requireUnattached } from './disks-uses';
import type { JobContext } from './jobs';
import type { VmInstance } from './vm-instance';

const RUNNING = ['Running', 'Paused'];
const OFF = ['Off', 'Critical'];

function control(job: JobContext, phase: string): DiskOpControl {
  return { signal: job.signal, onProgress: (pct) => job.progress(pct, phase) };
}

/** Inspects a disk a client named: inside the storage roots, a disk, not a CD image. */
async function inspectClientDisk(ctx: EngineContext, path: string): Promise<DiskInfo> {
  const confined = await ctx.confine(path);
  const info = await inspectDisk(confined);
  if (info.format === 'raw' && /\.iso$/i.test(confined)) {
    throw new ViridianError('NOT_A_DISK', `${confined} is a CD/DVD image, not a hard disk.`, 'Insert it into a DVD drive instead.');
  }
  return info;
}

function attachmentOf(info: DiskInfo, readOnly = false): DiskAttachment {
  return { kind: 'disk', path: info.path, format: info.format, type: info.type, virtualSize: info.virtualSize, readOnly };
}

/** After an edit: Off VMs that name the disk get its new facts (size, format, path). */
async function refreshAttachments(ctx: EngineContext, oldPath: string, info: DiskInfo): Promise<string[]> {
  const updated: string[] = [];
  const target = await realpath(oldPath).catch(() => oldPath);
  for (const vm of ctx.vms()) {
    if (!OFF.includes(vm.state)) continue;
    let changed = false;
    const swap = (d: DiskAttachment): DiskAttachment => {
      if (d.path !== oldPath && d.path !== target) return d;
      changed = true;
      return { ...attachmentOf(info), readOnly: d.readOnly };
    };
    const ide = vm.config.ide.map((ctrl) => ctrl.map((s) => (s?.kind === 'disk' ? swap(s) : s))) as VmConfig['ide'];
    const scsi = vm.config.scsi.map((d) => ({ ...swap(d), lun: d.lun }));
    if (changed) {
      await vm.saveConfig({ ...vm.config, ide, scsi });
      updated.push(vm.name);
    }
  }
  return updated;
}

export const disksFeature: EngineFeature = (ctx, methods) => {
  /** Disks an edit is running on: a second edit of the same file waits its turn. */
  const editing = new Set<string>();

  async function lock(paths: string[]): Promise<string[]> {
    const reals = await Promise.all(paths.map((p) => realpath(p).catch(() => p)));
    for (const r of reals) {
      if (editing.has(r)) throw new ViridianError('BUSY', `Another disk operation is working on ${r}.`, 'Wait for it to finish (see Jobs).');
    }
    for (const r of reals) editing.add(r);
    return reals;
  }

  /** Runs an edit plan as a job; the disk must not be opened by a running or saved VM, now or at the swap. */
  function editJob<T>(opts: { kind: string; label: string; cli: string; cancellable?: boolean }, plan: DiskPlan<T>, locked: string[], after: (result: T, job: JobContext) => Promise<unknown>): Job {
    const { job } = ctx.jobs.start({ ...opts, cancellable: opts.cancellable ?? true }, async (jobCtx) => {
      try {
        jobCtx.step(`Needs up to ${formatBytes(plan.needed)} in ${plan.folder}`);
        const ctl: EditControl = {
          ...control(jobCtx, opts.label),
          beforeSwap: async () => {
            for (const t of plan.touches) await requireNotInUse(ctx, t, opts.label);
          },
        };
        const result = await plan.run(ctl);
        return await after(result, jobCtx);
      } finally {
        for (const r of locked) editing.delete(r);
      }
    });
    return job;
  }

  methods.handle('disk.space', async (p) => {
    const confined = await ctx.confine(p.path);
    const st = await stat(confined).catch(() => null);
    const folder = st?.isDirectory() ? confined : dirname(confined);
    if (!existsSync(folder)) throw new ViridianError('NOT_FOUND', `The folder ${folder} does not exist.`, 'Create it first or choose another location.');
    return { folder, freeBytes: await freeBytes(folder), exists: st !== null };
  });

  methods.handle('disk.uses', async (p) => diskUses(ctx, await ctx.confine(p.path)));

  async function startConvert(p: { path: string; destination: string; format: 'qcow2' | 'vhd' | 'vhdx'; type: 'dynamic' | 'fixed' }): Promise<Job> {
    const src = await ctx.confine(p.path);
    const dst = await ctx.confine(p.destination);
    if (existsSync(dst)) throw new ViridianError('INVALID_INPUT', `The file ${dst} already exists.`, 'Choose another name; Viridian never overwrites a disk.');
    if (!existsSync(dirname(dst))) throw new ViridianError('NOT_FOUND', `The folder ${dirname(dst)} does not exist.`, 'Create it first or choose another location.');
    let needed: number;
    try {
      const info = await inspectClientDisk(ctx, src);
      if (!info.intact) throw new ViridianError('NOT_FOUND', `${src} depends on a missing parent (${info.chain.find((l) => !l.exists)?.path ?? '?'}).`, 'Reconnect the parent first (Edit Disk ▸ Reconnect).');
      // Converting a disk a running VM writes to would copy a moving target.
      const writers = (await diskUses(ctx, src)).filter((u) => RUNNING.includes(u.state) && !u.where.startsWith('parent'));
      if (writers.length) {
        throw new ViridianError(
          'DISK_IN_USE',
          `The disk ${src} is in use by "${writers[0]?.vmName ?? '?'}" (${writers[0]?.state ?? ''}), which writes to it.`,
          info.format === 'vpc' || info.format === 'vhdx' ? 'Use Convert while running (`viridian vm disk convert-live`), or shut the VM down first.' : 'Shut the VM down first.',
        );
      }
      if (p.format === 'vhd' && info.virtualSize > 2040 * 1024 ** 3) throw new ViridianError('INVALID_INPUT', `The disk is ${formatBytes(info.virtualSize)}; a VHD can hold at most 2040 GB.`, 'Choose VHDX or qcow2.');
      needed = await estimateCopy(info, p.type);
    } catch (err) {
      // VMDK/VDI images are copied (imported) but never attached: the size of the file is the estimate.
      if (!(err instanceof ViridianError && err.code === 'NOT_A_DISK' && /VMDK|VDI/.test(err.message))) throw err;
      needed = (await stat(src)).size;
    }
    await requireSpace(dirname(dst), needed, `The new ${formatLabel(p.format)} disk`);
    const locked = await lock([src, dst]);
    const { job } = ctx.jobs.start(
      { kind: 'disk.convert', label: `Convert to ${p.type} ${formatLabel(p.format)}`, cli: cliLine('disk', 'convert', src, dst, '--format', p.format, '--type', p.type), cancellable: true },
      async (jobCtx) => {
        try {
          jobCtx.step(`Copying ${src} into ${dst} (temp file, renamed when complete)`);
          return await convertDisk(src, dst, { format: p.format, type: p.type }, control(jobCtx, 'Converting'));
        } finally {
          for (const r of locked) editing.delete(r);
        }
      },
    );
    return job;
  }

  methods.handle('disk.convert', (p) => startConvert(p));

  methods.handle('disk.compact', async (p) => {
    const info = await inspectClientDisk(ctx, p.path);
    await requireNotInUse(ctx, info.path, 'Cannot compact');
    const plan = await planCompact(info.path);
    const locked = await lock(plan.touches);
    return editJob({ kind: 'disk.compact', label: 'Compact disk', cli: cliLine('disk', 'compact', info.path) }, plan, locked, async (r, job) => {
      job.step(`Compacted: ${formatBytes(r.before)} → ${formatBytes(r.after)} on disk`);
      return { ...r, disk: await inspectDisk(info.path) };
    });
  });

  methods.handle('disk.expand', async (p) => {
    const info = await inspectClientDisk(ctx, p.path);
    await requireNotInUse(ctx, info.path, 'Cannot expand');
    const plan = await planExpand(info.path, p.sizeBytes);
    const locked = await lock(plan.touches);
    return editJob({ kind: 'disk.expand', label: `Expand disk to ${formatBytes(p.sizeBytes)}`, cli: cliLine('disk', 'expand', info.path, '--size', String(p.sizeBytes)) }, plan, locked, async (disk, job) => {
      const vms = await refreshAttachments(ctx, info.path, disk);
      if (vms.length) job.step(`Updated the size in ${vms.map((v) => `"${v}"`).join(', ')}`);
      job.step('The guest sees the new size at its next start; extend the partition and file system inside it.');
      return disk;
    });
  });

  methods.handle('disk.merge', async (p) => {
    const child = await inspectClientDisk(ctx, p.path);
    if (p.into === 'new') {
      if (!p.destination) throw new ViridianError('INVALID_INPUT', 'Merging into a new disk needs its path (destination).');
      if (child.type !== 'differencing') throw new ViridianError('INVALID_INPUT', `${child.path} is not a differencing disk; use Convert to copy it.`);
      return startConvert({
        path: child.path,
        destination: p.destination,
        format: p.format ?? (child.chain.at(-1)?.format === 'vpc' ? 'vhd' : child.chain.at(-1)?.format === 'vhdx' ? 'vhdx' : 'qcow2'),
        type: p.type ?? 'dynamic',
      });
    }
    await requireNotInUse(ctx, child.path, 'Cannot merge');
    if (child.type !== 'differencing' || !child.parent) throw new ViridianError('INVALID_INPUT', `${child.path} is not a differencing disk; there is nothing to merge.`);
    // Other disks based on this child, or on the parent through another child, would be corrupted.
    const childUses = await diskUses(ctx, child.path);
    const dependents = childUses.filter((u) => u.where.startsWith('parent'));
    if (dependents.length) throw new ViridianError('INVALID_STATE', `Other disks are based on ${child.path} (${dependents.map((u) => `"${u.vmName}" ${u.where}`).join(', ')}); merging it away would break them.`);
    const parentUses = await requireNotInUse(ctx, child.parent, 'Cannot merge');
    const viaChild = new Set(childUses.map((u) => `${u.vmId}/parent of ${u.where}`));
    const others = parentUses.filter((u) => !viaChild.has(`${u.vmId}/${u.where}`));
    if (others.length) {
      throw new ViridianError(
        'INVALID_STATE',
        `The parent ${child.parent} is also used by ${others.map((u) => `"${u.vmName}" (${u.where})`).join(', ')}; merging changes would change what they see.`,
        'Merge into a new disk instead.',
      );
    }
    const plan = await planMergeIntoParent(child.path);
    const locked = await lock(plan.touches);
    return editJob({ kind: 'disk.merge', label: 'Merge disk into its parent', cli: cliLine('disk', 'merge', child.path) }, plan, locked, async (parent, job) => {
      const vms = await refreshAttachments(ctx, child.path, parent);
      if (vms.length) job.step(`${vms.map((v) => `"${v}"`).join(', ')} now use${vms.length === 1 ? 's' : ''} ${parent.path}`);
      return parent;
    });
  });

  methods.handle('disk.reconnect', async (p) => {
    const child = await ctx.confine(p.path);
    const parent = await ctx.confine(p.parent);
    await requireNotInUse(ctx, child, 'Cannot reconnect');
    await inspectClientDisk(ctx, parent);
    const plan = await planReconnect(child, parent);
    const locked = await lock(plan.touches);
    return editJob({ kind: 'disk.reconnect', label: 'Reconnect parent disk', cli: cliLine('disk', 'reconnect', child, '--parent', parent), cancellable: false }, plan, locked, async (info, job) => {
      job.step(`${child} reads ${parent} again (only its header changed; it was backed up first)`);
      return info;
    });
  });

  // ------------------------------------------------------------ VMs

  methods.handle('vm.devices', (p) => {
    const vm = ctx.getVm(p.vm);
    return vmDevices(vm.config, ctx.host().accelerator.kind);
  });

  methods.handle('vm.disk.attach', async (p) => {
    const vm = ctx.getVm(p.vm);
    if (vm.busy) throw new ViridianError('BUSY', `"${vm.name}" is ${vm.state.toLowerCase()}; try again when it finishes.`);
    const info = await inspectClientDisk(ctx, p.path);
    if (!info.intact) throw new ViridianError('NOT_FOUND', `The disk ${info.path} depends on ${info.chain.find((l) => !l.exists)?.path ?? 'a parent'}, which is missing.`, 'Reconnect the parent (Edit Disk ▸ Reconnect) or restore the file.');
    if (findDisk(vm.config, info.path)) throw new ViridianError('INVALID_INPUT', `${info.path} is already attached to "${vm.name}".`);
    await requireUnattached(ctx, info.path, vm.id);
    const disk = attachmentOf(info, p.readOnly);
    if (p.bus === 'scsi') {
      const used = new Set(vm.config.scsi.map((d) => d.lun));
      const lun = p.lun ?? [...Array(64).keys()].find((n) => !used.has(n));
      if (lun === undefined) throw new ViridianError('INVALID_STATE', `All 64 SCSI LUNs of "${vm.name}" are in use.`);
      if (used.has(lun)) throw new ViridianError('INVALID_INPUT', `SCSI LUN ${lun} of "${vm.name}" already has a disk.`, 'Choose another LUN or leave it out to take the first free one.');
      if (RUNNING.includes(vm.state)) await hotAddScsi(vm, disk, lun);
      else if (OFF.includes(vm.state)) await vm.saveConfig({ ...vm.config, scsi: [...vm.config.scsi, { ...disk, lun }].sort((a, b) => a.lun - b.lun) });
      else throw stateError(vm);
      return vm.detail();
    }
    if (!OFF.includes(vm.state)) throw ideError(vm);
    const slots: [0 | 1, 0 | 1][] = p.controller !== undefined && p.slot !== undefined ? [[p.controller, p.slot]] : [[0, 0], [0, 1], [1, 0], [1, 1]];
    const free = slots.find(([c, u]) => vm.config.ide[c][u] === null);
    if (!free) {
      throw new ViridianError('INVALID_INPUT', p.controller !== undefined ? `IDE ${p.controller}:${p.slot ?? 0} of "${vm.name}" is in use.` : `Both IDE controllers of "${vm.name}" are full.`, 'Remove a device there first, or attach the disk to SCSI.');
    }
    const [c, u] = free;
    const ide = vm.config.ide.map((ctrl, ci) => ctrl.map((s, ui) => (ci === c && ui === u ? disk : s))) as VmConfig['ide'];
    await vm.saveConfig({ ...vm.config, ide });
    return vm.detail();
  });

  methods.handle('vm.disk.detach', async (p) => {
    const vm = ctx.getVm(p.vm);
    if (vm.busy) throw new ViridianError('BUSY', `"${vm.name}" is ${vm.state.toLowerCase()}; try again when it finishes.`);
    const ref = p.disk.includes('/') || p.disk.includes('\\') ? await ctx.confine(p.disk).catch(() => p.disk) : p.disk;
    const found = findDisk(vm.config, ref) ?? findDisk(vm.config, p.disk);
    if (!found) throw new ViridianError('NOT_FOUND', `"${vm.name}" has no disk ${p.disk}.`, 'Name it by path, or as scsi:LUN or ide:C:S.');
    if (found.slot.bus === 'scsi') {
      const lun = found.slot.lun;
      if (RUNNING.includes(vm.state)) await hotRemoveScsi(vm, lun);
      else if (OFF.includes(vm.state)) await vm.saveConfig({ ...vm.config, scsi: vm.config.scsi.filter((d) => d.lun !== lun) });
      else throw stateError(vm);
      return vm.detail();
    }
    if (!OFF.includes(vm.state)) throw ideError(vm);
    const { controller, slot } = found.slot;
    const ide = vm.config.ide.map((ctrl, ci) => ctrl.map((s, ui) => (ci === controller && ui === slot ? null : s))) as VmConfig['ide'];
    await vm.saveConfig({ ...vm.config, ide });
    return vm.detail();
  });

  methods.handle('vm.disk.convertLive', async (p) => {
    const vm = ctx.getVm(p.vm);
    if (!RUNNING.includes(vm.state)) {
      throw new ViridianError('INVALID_STATE', `"${vm.name}" is ${vm.state}; live conversion is for a running VM.`, 'For a VM that is off, use Edit Disk ▸ Convert and point the VM at the new disk.');
    }
    const ref = p.disk ? await ctx.confine(p.disk).catch(() => p.disk ?? '') : null;
    const found = ref
      ? findDisk(vm.config, ref)
      : (() => {
          for (const d of [...vm.config.ide.flat(), ...vm.config.scsi]) {
            if (d?.kind === 'disk' && (d.format === 'vhdx' || (d.format === 'vpc' && d.type !== 'fixed'))) return findDisk(vm.config, d.path);
          }
          return null;
        })();
    if (!found) throw new ViridianError('NOT_FOUND', p.disk ? `"${vm.name}" has no disk ${p.disk}.` : `"${vm.name}" has no dynamic VHD or VHDX disk to convert.`);
    const { disk, slot } = found;
    if (!(disk.format === 'vhdx' || (disk.format === 'vpc' && disk.type !== 'fixed'))) {
      throw new ViridianError('INVALID_INPUT', `${disk.path} is a ${disk.type} ${formatLabel(disk.format)}; live conversion turns a dynamic VHD or VHDX into qcow2.`, disk.format === 'vpc' ? 'A fixed VHD already runs as raw and saves fine.' : undefined);
    }
    if (disk.type === 'differencing') throw new ViridianError('UNSUPPORTED', `${disk.path} is a ${formatLabel(disk.format)} differencing disk, which QEMU cannot read through.`);
    const info = await inspectDisk(disk.path);
    const target = liveTargetPath(disk.path);
    await requireSpace(dirname(target), await estimateCopy(info, 'dynamic'), 'The qcow2 copy');
    const locked = await lock([disk.path, target]);
    const { job } = ctx.jobs.start(
      { kind: 'vm.disk.convertLive', label: `Convert ${formatLabel(disk.format)} to qcow2 while running`, vmId: vm.id, vmName: vm.name, cli: cliLine('vm', 'disk', 'convert-live', vm.name, disk.path), cancellable: false },
      async (jobCtx) => {
        try {
          jobCtx.step(`${slotLabel(slot)}: ${disk.path} → ${target}`);
          const result = await convertLive(vm, slot, disk, target, jobCtx);
          jobCtx.step(`Done: "${vm.name}" runs on ${target}; Save, snapshots and migration are available. ${disk.path} was kept as it was when the conversion began.`);
          return result;
        } finally {
          for (const r of locked) editing.delete(r);
        }
      },
    );
    return job;
  });
};

function stateError(vm: VmInstance): ViridianError {
  return vm.state === 'Saved'
    ? new ViridianError('INVALID_STATE', `"${vm.name}" has a saved state, whose devices must stay as they were.`, 'Start it and shut it down, or delete the saved state, then change its disks.')
    : new ViridianError('INVALID_STATE', `"${vm.name}" is ${vm.state}; try again when it is running or off.`);
}

function ideError(vm: VmInstance): ViridianError {
  if (vm.state === 'Saved') return stateError(vm);
  return new ViridianError(
    'INVALID_STATE',
    `IDE disks of "${vm.name}" can be added or removed only while it is off: the emulated IDE controller has no hot-plug.`,
    'Attach the disk to the SCSI controller (it can be added while the VM runs), or shut the VM down first.',
  );
}


/**
 * vm.update of a running VM's SCSI list (Settings ▸ SCSI Controller): the
 * difference is applied with hot-remove and hot-add. New disks are checked
 * before anything is removed.
 */
export async function applyScsiLive(ctx: EngineContext, vm: VmInstance, desired: readonly ScsiDisk[]): Promise<void> {
  const wanted: ScsiDisk[] = [];
  for (const d of desired) wanted.push({ ...d, path: await ctx.confine(d.path) });
  const luns = new Set<number>();
  for (const d of wanted) {
    if (luns.has(d.lun)) throw new ViridianError('INVALID_INPUT', `Two disks are set to SCSI LUN ${d.lun}.`);
    luns.add(d.lun);
  }
  const same = (a: ScsiDisk, b: ScsiDisk) => a.lun === b.lun && a.path === b.path && a.readOnly === b.readOnly;
  const removed = vm.config.scsi.filter((c) => !wanted.some((d) => same(c, d)));
  const added = wanted.filter((d) => !vm.config.scsi.some((c) => same(c, d)));
  const ready: { disk: DiskAttachment; lun: number }[] = [];
  for (const a of added) {
    const info = await inspectClientDisk(ctx, a.path);
    if (!info.intact) throw new ViridianError('NOT_FOUND', `The disk ${info.path} depends on a missing parent.`, 'Reconnect the parent (Edit Disk ▸ Reconnect) first.');
    await requireUnattached(ctx, info.path, vm.id);
    ready.push({ disk: attachmentOf(info, a.readOnly), lun: a.lun });
  }
  for (const r of removed) await hotRemoveScsi(vm, r.lun);
  for (const a of ready) await hotAddScsi(vm, a.disk, a.lun);
}
