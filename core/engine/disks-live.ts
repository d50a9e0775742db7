// Disk changes on a running VM over QMP: SCSI hot-add/remove and the live
// conversion of a dynamic VHD/VHDX to qcow2 (overlay, stream, drop the old node).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { ViridianError, formatBytes, type DiskAttachment, type ScsiDisk, type VmConfig } from '../contract';
import { blockdevOptions } from '../qemu/cmdline';
import type { QmpClient } from '../qemu/qmp';
import { sleep } from '../qemu/qmp';
import { inspectDisk } from '../storage/qemu-img';
import type { JobContext } from './jobs';
import type { VmInstance } from './vm-instance';

/** Where a disk sits in a VM. */
export type DiskSlot = { bus: 'ide'; controller: 0 | 1; slot: 0 | 1 } | { bus: 'scsi'; lun: number };

export function slotLabel(s: DiskSlot): string {
  return s.bus === 'ide' ? `IDE ${s.controller}:${s.slot}` : `SCSI LUN ${s.lun}`;
}

export function findDisk(config: VmConfig, ref: string): { slot: DiskSlot; disk: DiskAttachment } | null {
  const ide = /^ide:([01]):([01])$/i.exec(ref);
  const scsi = /^scsi:(\d{1,2})$/i.exec(ref);
  for (const c of [0, 1] as const) {
    for (const u of [0, 1] as const) {
      const d = config.ide[c][u];
      if (d?.kind !== 'disk') continue;
      if ((ide && Number(ide[1]) === c && Number(ide[2]) === u) || d.path === ref) return { slot: { bus: 'ide', controller: c, slot: u }, disk: d };
    }
  }
  for (const d of config.scsi) {
    if ((scsi && Number(scsi[1]) === d.lun) || d.path === ref) return { slot: { bus: 'scsi', lun: d.lun }, disk: d };
  }
  return null;
}

function qmpOf(vm: VmInstance): QmpClient {
  const qmp = vm.qmpClient();
  if (!qmp || qmp.closed) throw new ViridianError('QEMU_FAILED', `"${vm.name}" has no running QEMU process.`);
  return qmp;
}

interface BlockInfo {
  device: string;
  qdev?: string;
  inserted?: { 'node-name'?: string; file?: string; drv?: string };
}

/** The block node QEMU uses now for the disk at `path` (names change after a live conversion). */
async function rootNodeFor(qmp: QmpClient, path: string): Promise<string | null> {
  const blocks = await qmp.execute<BlockInfo[]>('query-block');
  for (const b of blocks) if (b.inserted?.file === path && b.inserted['node-name']) return b.inserted['node-name'];
  return null;
}

function newNodeName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

// ---------------------------------------------------------------- SCSI hot-plug

/** Adds a disk to the running VM's synthetic SCSI controller, then records it. */
export async function hotAddScsi(vm: VmInstance, disk: DiskAttachment, lun: number): Promise<void> {
  const qmp = qmpOf(vm);
  const node = `scsi0-${lun}`;
  // A node left from an earlier failed removal would block the name: use a fresh one then.
  const existing = await qmp.execute<{ 'node-name': string }[]>('query-named-block-nodes');
  const nodeName = existing.some((n) => n['node-name'] === node) ? newNodeName(`s${lun}`) : node;
  await qmp.execute('blockdev-add', blockdevOptions(nodeName, disk));
  try {
    await qmp.execute('device_add', { driver: 'scsi-hd', drive: nodeName, bus: 'scsi0.0', lun, id: node });
  } catch (err) {
    await qmp.execute('blockdev-del', { 'node-name': nodeName }).catch(() => undefined);
    throw new ViridianError('QEMU_FAILED', `QEMU could not add the disk at SCSI LUN ${lun}: ${(err as Error).message}`);
  }
  const scsi: ScsiDisk = { ...disk, lun };
  await vm.saveConfig({ ...vm.config, scsi: [...vm.config.scsi, scsi].sort((a, b) => a.lun - b.lun) });
}

/** Removes a disk from the running VM's SCSI controller (the guest sees it go), then records it. */
export async function hotRemoveScsi(vm: VmInstance, lun: number): Promise<void> {
  const qmp = qmpOf(vm);
  const disk = vm.config.scsi.find((d) => d.lun === lun);
  if (!disk) throw new ViridianError('NOT_FOUND', `"${vm.name}" has no disk at SCSI LUN ${lun}.`);
  const id = `scsi0-${lun}`;
  const node = await rootNodeFor(qmp, disk.path);
  const deleted = qmp.waitForEvent((e) => e.event === 'DEVICE_DELETED' && e.data['device'] === id, 15_000);
  try {
    await qmp.execute('device_del', { id });
  } catch (err) {
    deleted.catch(() => undefined);
    throw new ViridianError('QEMU_FAILED', `QEMU could not remove the disk at SCSI LUN ${lun}: ${(err as Error).message}`);
  }
  await deleted;
  if (node) await qmp.execute('blockdev-del', { 'node-name': node }).catch(() => undefined);
  await vm.saveConfig({ ...vm.config, scsi: vm.config.scsi.filter((d) => d.lun !== lun) });
}

// ---------------------------------------------------------------- live conversion

/** A free name for the qcow2 beside a VHD/VHDX: disk.vhd → disk.qcow2 (disk-1.qcow2 if taken). */
export function liveTargetPath(source: string): string {
  const dir = dirname(source);
  const stem = basename(source, extname(source));
  let candidate = join(dir, `${stem}.qcow2`);
  for (let i = 1; existsSync(candidate); i++) candidate = join(dir, `${stem}-${i}.qcow2`);
  return candidate;
}

function replaceDisk(config: VmConfig, slot: DiskSlot, disk: DiskAttachment): VmConfig {
  if (slot.bus === 'scsi') return { ...config, scsi: config.scsi.map((d) => (d.lun === slot.lun ? { ...disk, lun: d.lun } : d)) };
  const ide = config.ide.map((ctrl, c) => ctrl.map((s, u) => (c === slot.controller && u === slot.slot ? disk : s))) as VmConfig['ide'];
  return { ...config, ide };
}

export interface LiveConvertResult {
  source: string;
  target: string;
  streamedBytes: number;
}

/**
 * Converts a running VM's dynamic VHD/VHDX to qcow2 with no downtime:
 * blockdev-snapshot-sync puts a new qcow2 overlay on top (the guest now writes
 * there), block-stream copies the old disk's data into it, then the old node
 * is deleted. vm.json follows each step, so a crash at any point leaves a
 * config that matches what QEMU runs on. The old file is kept, unchanged
 * since the moment of the overlay.
 */
export async function convertLive(vm: VmInstance, slot: DiskSlot, disk: DiskAttachment, target: string, ctx: JobContext): Promise<LiveConvertResult> {
  const qmp = qmpOf(vm);
  const oldNode = await rootNodeFor(qmp, disk.path);
  if (!oldNode) throw new ViridianError('QEMU_FAILED', `QEMU does not have ${disk.path} open in "${vm.name}".`);
  const newNode = newNodeName('qc');
  ctx.step(`Putting a qcow2 overlay ${target} on top of ${disk.path}`);
  await qmp.execute('blockdev-snapshot-sync', { 'node-name': oldNode, 'snapshot-file': target, 'snapshot-node-name': newNode, format: 'qcow2', mode: 'absolute-paths' });
  // From here the guest writes to the overlay: the config must name it (its parent is the old disk).
  await vm.saveConfig(replaceDisk(vm.config, slot, { ...disk, path: target, format: 'qcow2', type: 'differencing' }));

  ctx.step('Copying the old disk’s data into the overlay (block-stream)');
  const jobId = newNodeName('stream');
  const done = qmp.waitForEvent((e) => (e.event === 'BLOCK_JOB_COMPLETED' || e.event === 'BLOCK_JOB_CANCELLED') && e.data['device'] === jobId, 24 * 3600 * 1000);
  await qmp.execute('block-stream', { 'job-id': jobId, device: newNode });
  let streamed = 0;
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  while (!finished) {
    const jobs = await qmp.execute<{ device: string; offset: number; len: number }[]>('query-block-jobs').catch(() => []);
    const j = jobs.find((x) => x.device === jobId);
    if (j && j.len > 0) {
      streamed = j.offset;
      ctx.progress((100 * j.offset) / j.len, `Streaming ${formatBytes(j.offset)} of ${formatBytes(j.len)}`);
    }
    await Promise.race([done.catch(() => undefined), sleep(200)]);
  }
  const evt = await done;
  if (evt.event === 'BLOCK_JOB_CANCELLED' || typeof evt.data['error'] === 'string') {
    throw new ViridianError('QEMU_FAILED', `Streaming into ${target} failed: ${String(evt.data['error'] ?? 'the job was cancelled')}. "${vm.name}" keeps running on the overlay over the old disk; Save stays unavailable until a conversion completes.`);
  }
  streamed = typeof evt.data['offset'] === 'number' ? evt.data['offset'] : streamed;

  ctx.step(`Closing ${disk.path}`);
  await qmp.execute('blockdev-del', { 'node-name': oldNode }).catch((err: unknown) => {
    // Not fatal: the node is unused now; it goes when QEMU exits.
    ctx.step(`The old node stays open until the VM stops: ${(err as Error).message}`);
  });
  const info = await inspectDisk(target);
  await vm.saveConfig(replaceDisk(vm.config, slot, { ...disk, path: target, format: 'qcow2', type: info.type, virtualSize: info.virtualSize }));
  return { source: disk.path, target, streamedBytes: streamed };
}
