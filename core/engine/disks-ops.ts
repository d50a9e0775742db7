// Edit Disk operations on files (no VMs here): compact, expand, merge,
// reconnect, plus the numbers they need (free space, size estimates).
// Rule for every operation that changes an existing disk: the result is
// written to a temp file beside it and renamed over it only when complete, so
// a failure, a cancel or a crash leaves the original untouched. The one
// exception is Reconnect, which rewrites only the qcow2 header: its first
// cluster is backed up and put back if anything fails.
import { chmod, open, rename, stat, statfs, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  VHD_MAX_BYTES,
  ViridianError,
  formatBytes,
  type DiskFormat,
  type DiskInfo,
  type DiskType,
  type UserDiskFormat,
} from '../contract';
import { convertArgs, inspectDisk, parseProgress, runQemuImg, tempNameFor, type DiskOpControl } from '../storage/qemu-img';

/** QEMU's vpc is what people call VHD. */
export function userFormat(f: DiskFormat): UserDiskFormat | 'raw' {
  return f === 'vpc' ? 'vhd' : f;
}

export function formatLabel(f: DiskFormat | UserDiskFormat): string {
  return f === 'vpc' || f === 'vhd' ? 'VHD' : f === 'vhdx' ? 'VHDX' : f === 'qcow2' ? 'qcow2' : 'raw';
}

export async function freeBytes(folder: string): Promise<number> {
  const st = await statfs(folder);
  return st.bavail * st.bsize;
}

/** NO_SPACE with the numbers, before anything is written. */
export async function requireSpace(folder: string, needed: number, what: string): Promise<void> {
  const free = await freeBytes(folder);
  if (free < needed) {
    throw new ViridianError('NO_SPACE', `${what} needs about ${formatBytes(needed)}, but only ${formatBytes(free)} is free in ${folder}.`, 'Free up space or choose another location.');
  }
}

/** How much a copy of `info` in `format`/`type` takes (estimate; fixed = the whole size). */
export async function estimateCopy(info: DiskInfo, type: 'dynamic' | 'fixed'): Promise<number> {
  if (type === 'fixed') return info.virtualSize;
  try {
    const out = await runQemuImg(['measure', '-U', '--output=json', '-f', info.format, '-O', 'qcow2', info.path]);
    const m = JSON.parse(out) as { required?: number };
    // VHD/VHDX metadata is of the same order as qcow2's; keep a margin.
    if (typeof m.required === 'number') return Math.ceil(m.required * 1.02) + 4 * 1024 * 1024;
  } catch {
    /* fall back to what the source occupies */
  }
  return info.actualSize + 4 * 1024 * 1024;
}

type Phase = (pct: number) => void;

/** A sub-range of the job's progress bar for one step. */
function slice(ctl: DiskOpControl, from: number, to: number): Phase {
  return (pct) => ctl.onProgress?.(from + ((to - from) * pct) / 100);
}

async function qemuConvert(args: string[], ctl: DiskOpControl, progress: Phase): Promise<void> {
  await runQemuImg(['convert', '-p', ...args], {
    signal: ctl.signal,
    onStdout: (chunk) => {
      const pct = parseProgress(chunk);
      if (pct !== null) progress(pct);
    },
  });
  if (ctl.signal?.aborted) throw new ViridianError('CANCELLED', 'The disk operation was cancelled.');
}

async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Runs work on temp names beside `path`, then renames the last over `path`; temps never outlive a failure. */
async function replaceVia(path: string, count: number, ctl: EditControl, work: (tmps: string[]) => Promise<string>): Promise<void> {
  const tmps = Array.from({ length: count }, () => tempNameFor(path));
  try {
    const result = await work(tmps);
    await fsyncFile(result);
    if (ctl.signal?.aborted) throw new ViridianError('CANCELLED', 'The disk operation was cancelled.');
    await ctl.beforeSwap?.();
    await chmod(result, (await stat(path)).mode & 0o777);
    await rename(result, path);
  } finally {
    // After the rename the result's name is gone; the others (and all of them on failure) are removed.
    for (const t of tmps) await unlink(t).catch(() => undefined);
  }
}

/** -o options for writing `format`/`type`, as convert wants them (-O …). */
function outArgs(format: UserDiskFormat | 'raw', type: DiskType): string[] {
  return convertArgs(format, type === 'fixed' ? 'fixed' : 'dynamic');
}

function backingArgs(info: DiskInfo): string[] {
  const parent = info.chain[1];
  if (!parent || !info.parent) return [];
  return ['-B', info.parent, '-F', parent.format ?? 'raw'];
}

function requireIntact(info: DiskInfo): void {
  if (!info.intact) {
    const missing = info.chain.find((l) => !l.exists)?.path ?? 'a parent';
    throw new ViridianError('NOT_FOUND', `${info.path} depends on ${missing}, which is missing.`, 'Reconnect the parent first (Edit Disk ▸ Reconnect).');
  }
}

function refuseVhdDifferencing(info: DiskInfo, what: string): void {
  if ((info.format === 'vpc' || info.format === 'vhdx') && info.type === 'differencing') {
    throw new ViridianError('UNSUPPORTED', `${what} is not possible for a ${formatLabel(info.format)} differencing disk: QEMU cannot read through to its parent.`, 'Merge it in Hyper-V first, or use qcow2 differencing disks.');
  }
}

export interface CompactResult {
  before: number;
  after: number;
}

/**
 * Everything an operation checks before it starts (inputs, free space, with
 * the numbers), and the work itself, which the caller runs as a job.
 */
export interface DiskPlan<T> {
  /** Disks the operation reads or changes (for the in-use checks). */
  touches: string[];
  /** Bytes it will write at most, and where. */
  needed: number;
  folder: string;
  run(ctl: EditControl): Promise<T>;
}

/** Job control plus a last check right before the result replaces the original. */
export interface EditControl extends DiskOpControl {
  beforeSwap?: (() => Promise<void>) | undefined;
}

/** Rewrites a dynamic or differencing disk without its unused and zero blocks. */
export async function planCompact(path: string): Promise<DiskPlan<CompactResult>> {
  const info = await inspectDisk(path);
  if (info.type === 'fixed' || info.format === 'raw') {
    throw new ViridianError('UNSUPPORTED', `${path} is a fixed-size disk; only dynamically expanding and differencing disks can be compacted.`, 'Convert it to a dynamically expanding disk instead (Edit Disk ▸ Convert).');
  }
  refuseVhdDifferencing(info, 'Compacting');
  requireIntact(info);
  const needed = await estimateCopy(info, 'dynamic');
  await requireSpace(dirname(path), needed, 'Compacting');
  return {
    touches: [path],
    needed,
    folder: dirname(path),
    run: async (ctl) => {
      await replaceVia(path, 1, ctl, async ([tmp]) => {
        const out = tmp ?? '';
        // -B keeps a differencing disk's parent and writes only what differs from it.
        await qemuConvert(['-f', info.format, ...outArgs(userFormat(info.format), 'dynamic'), ...backingArgs(info), path, out], ctl, slice(ctl, 0, 100));
        await checkSameSize(out, info);
        return out;
      });
      const after = await inspectDisk(path);
      return { before: info.actualSize, after: after.actualSize };
    },
  };
}

async function checkSameSize(tmp: string, src: DiskInfo, expect = src.virtualSize): Promise<void> {
  const out = await inspectDisk(tmp);
  if (out.virtualSize !== expect) {
    throw new ViridianError('QEMU_FAILED', `The rewritten disk has ${out.virtualSize} bytes instead of ${expect}; the original was kept unchanged.`);
  }
}

/**
 * Expands a disk. qemu-img cannot resize VHD or VHDX, so those go through
 * qcow2: convert, resize, convert back, each into a temp file; the original is
 * replaced only at the end.
 */
export async function planExpand(path: string, sizeBytes: number): Promise<DiskPlan<DiskInfo>> {
  const info = await inspectDisk(path);
  refuseVhdDifferencing(info, 'Expanding');
  requireIntact(info);
  const size = Math.ceil(sizeBytes / 512) * 512;
  if (size <= info.virtualSize) {
    throw new ViridianError('INVALID_INPUT', `${formatBytes(size)} is not larger than the disk's current size (${formatBytes(info.virtualSize)}); disks can only be expanded.`, 'Enter a larger size.');
  }
  if (info.format === 'vpc' && size > VHD_MAX_BYTES) {
    throw new ViridianError('INVALID_INPUT', `A VHD can hold at most 2040 GB; ${formatBytes(size)} was asked for.`, 'Convert the disk to VHDX or qcow2 first.');
  }
  const fmt = userFormat(info.format);
  const direct = info.format === 'qcow2' || info.format === 'raw';
  const copy = await estimateCopy(info, info.type === 'fixed' ? 'fixed' : 'dynamic');
  // A fixed disk grows to the new size; VHD/VHDX go through a qcow2 copy first.
  const needed = (info.type === 'fixed' ? size : copy) + (direct ? 0 : copy);
  await requireSpace(dirname(path), needed, `Expanding ${path}`);
  return {
    touches: [path],
    needed,
    folder: dirname(path),
    run: async (ctl) => {
      await replaceVia(path, direct ? 1 : 2, ctl, async ([a, b]) => {
        const work = a ?? '';
        const type = info.type === 'fixed' ? 'fixed' : 'dynamic';
        // Step 1: a qcow2 (or raw) working copy that qemu-img can resize.
        const workFmt = direct ? info.format : 'qcow2';
        const workArgs = direct ? outArgs(fmt, info.type) : ['-O', 'qcow2'];
        await qemuConvert(['-f', info.format, ...workArgs, ...backingArgs(info), path, work], ctl, slice(ctl, 0, direct ? 90 : 45));
        const prealloc = direct && info.type === 'fixed' && info.format === 'qcow2' ? ['--preallocation=falloc'] : [];
        await runQemuImg(['resize', '-f', workFmt, ...prealloc, work, String(size)], { signal: ctl.signal });
        if (direct) {
          ctl.onProgress?.(100);
          await checkSameSize(work, info, size);
          return work;
        }
        // Step 2: back to the original format and type.
        const back = b ?? '';
        await qemuConvert(['-f', 'qcow2', ...outArgs(fmt, type), work, back], ctl, slice(ctl, 50, 100));
        await checkSameSize(back, info, size);
        return back;
      });
      return inspectDisk(path);
    },
  };
}

/**
 * Merges a qcow2 differencing disk into its parent: the merged image (parent
 * plus the child's changes, in the parent's format and type) is written to a
 * temp file and replaces the parent; then the child is deleted.
 */
export async function planMergeIntoParent(childPath: string): Promise<DiskPlan<DiskInfo> & { parent: string }> {
  const child = await inspectDisk(childPath);
  if (child.type !== 'differencing' || !child.parent) throw new ViridianError('INVALID_INPUT', `${childPath} is not a differencing disk; there is nothing to merge.`);
  refuseVhdDifferencing(child, 'Merging');
  requireIntact(child);
  const parent = await inspectDisk(child.parent);
  const type = parent.type === 'fixed' ? 'fixed' : 'dynamic';
  if (parent.format === 'vpc' && child.virtualSize > VHD_MAX_BYTES) throw new ViridianError('INVALID_INPUT', 'The merged disk would be larger than a VHD can hold (2040 GB).');
  const needed = type === 'fixed' ? child.virtualSize : (await estimateCopy(parent, 'dynamic')) + child.actualSize;
  await requireSpace(dirname(parent.path), needed, 'Merging');
  return {
    touches: [childPath, parent.path],
    parent: parent.path,
    needed,
    folder: dirname(parent.path),
    run: async (ctl) => {
      await replaceVia(parent.path, 1, ctl, async ([tmp]) => {
        const out = tmp ?? '';
        // The parent keeps its own parent (if any): only the two top layers are flattened.
        const keep = parent.parent && parent.format === 'qcow2' ? backingArgs(parent) : [];
        await qemuConvert(['-f', 'qcow2', ...outArgs(userFormat(parent.format), type), ...keep, childPath, out], ctl, slice(ctl, 0, 100));
        await checkSameSize(out, parent, child.virtualSize);
        return out;
      });
      // The parent now holds the child's data; the child (which would read the same) goes.
      await unlink(childPath);
      return inspectDisk(parent.path);
    },
  };
}

/** Points a qcow2 differencing disk at a (moved or restored) parent; only its header changes. */
export async function planReconnect(childPath: string, parentPath: string): Promise<DiskPlan<DiskInfo>> {
  const child = await inspectDisk(childPath);
  if (child.type !== 'differencing') throw new ViridianError('INVALID_INPUT', `${childPath} is not a differencing disk; it has no parent to reconnect.`);
  if (child.format !== 'qcow2') {
    throw new ViridianError('UNSUPPORTED', `Reconnecting the parent of a ${formatLabel(child.format)} differencing disk is not possible here (QEMU cannot write VHD/VHDX parent locators).`, 'Reconnect it in Hyper-V, or convert the pair to qcow2 there.');
  }
  const parent = await inspectDisk(parentPath);
  if (!parent.intact) throw new ViridianError('NOT_FOUND', `The new parent ${parentPath} is itself missing a parent.`, 'Reconnect that one first.');
  if (parent.path === child.path) throw new ViridianError('INVALID_INPUT', 'A disk cannot be its own parent.');
  if (parent.chain.some((l) => l.path === child.path)) throw new ViridianError('INVALID_INPUT', `${parentPath} is based on ${childPath}; that would make a loop.`);
  if (parent.virtualSize > child.virtualSize) {
    throw new ViridianError('INVALID_INPUT', `${parentPath} (${formatBytes(parent.virtualSize)}) is larger than the differencing disk (${formatBytes(child.virtualSize)}); it cannot be its parent.`, 'Choose the disk it was created from.');
  }
  return { touches: [childPath], needed: 0, folder: dirname(childPath), run: () => reconnect(child, parent) };
}

async function reconnect(child: DiskInfo, parent: DiskInfo): Promise<DiskInfo> {
  const childPath = child.path;
  // Back up the header cluster: rebase -u rewrites only the header (cluster 0).
  const fh = await open(childPath, 'r+');
  let header: Buffer;
  try {
    const h = Buffer.alloc(24);
    await fh.read(h, 0, 24, 0);
    const clusterBits = h.readUInt32BE(20);
    const clusterSize = clusterBits >= 9 && clusterBits <= 21 ? 2 ** clusterBits : 65536;
    header = Buffer.alloc(clusterSize);
    const { bytesRead } = await fh.read(header, 0, clusterSize, 0);
    header = header.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  try {
    await runQemuImg(['rebase', '-u', '-f', 'qcow2', '-b', parent.path, '-F', parent.format, childPath]);
    const after = await inspectDisk(childPath);
    if (after.parent !== parent.path || !after.intact) throw new ViridianError('QEMU_FAILED', `After reconnecting, ${childPath} still does not read ${parent.path}.`);
    return after;
  } catch (err) {
    const back = await open(childPath, 'r+');
    try {
      await back.write(header, 0, header.length, 0);
      await back.sync();
    } finally {
      await back.close();
    }
    throw err;
  }
}
