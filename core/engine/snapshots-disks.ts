// Offline image work for snapshots: overlays, commit, rebase, and reading a
// qcow2 header's backing file. Every path handed to qemu-img is absolute
// (a relative name with a colon would be read as a protocol).
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ViridianError, type DiskAttachment, type DiskFormat } from '../contract';
import { findQemuImg, parseProgress, qemuImgInstallHint } from '../storage/qemu-img';

export interface QemuImgRun {
  signal?: AbortSignal | undefined;
  onProgress?: ((pct: number) => void) | undefined;
}

/** Runs qemu-img with an argument vector (never a shell); stderr becomes the error sentence. */
export async function qemuImg(args: string[], run: QemuImgRun = {}): Promise<string> {
  const bin = await findQemuImg();
  if (!bin) throw new ViridianError('QEMU_MISSING', 'qemu-img was not found, so snapshots cannot be made or merged.', qemuImgInstallHint());
  if (run.signal?.aborted) throw new ViridianError('CANCELLED', 'The disk operation was cancelled.');
  return new Promise((done, fail) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let out = '';
    let err = '';
    const onAbort = () => child.kill('SIGTERM');
    run.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      if (out.length < 1 << 20) out += c;
      const pct = parseProgress(c);
      if (pct !== null) run.onProgress?.(pct);
    });
    child.stderr.on('data', (c: string) => {
      if (err.length < 1 << 20) err += c;
    });
    child.on('error', (e) => fail(new ViridianError('QEMU_MISSING', `Could not run ${bin}: ${e.message}.`, qemuImgInstallHint())));
    child.on('close', (code) => {
      run.signal?.removeEventListener('abort', onAbort);
      if (run.signal?.aborted) return fail(new ViridianError('CANCELLED', 'The disk operation was cancelled.'));
      if (code === 0) return done(out);
      const detail = err.split('\n').map((l) => l.replace(/^qemu-img:\s*/, '').trim()).filter(Boolean).join(' ');
      if (/lock/i.test(detail)) {
        fail(new ViridianError('DISK_IN_USE', `A disk of the snapshot chain is in use by another program: ${detail}`, 'Turn off the program (or VM) that holds it, then try again.'));
      } else if (/No space left/i.test(detail)) {
        fail(new ViridianError('NO_SPACE', `Out of disk space: ${detail}`, 'Free up space on the VM’s storage, then try again.'));
      } else {
        fail(new ViridianError('QEMU_FAILED', `qemu-img ${args[0] ?? ''} failed: ${detail || `exit code ${String(code)}`}`));
      }
    });
  });
}

/** The format QEMU must be told for an image used as a backing file (a fixed VHD reads as raw). */
export function backingFormat(d: Pick<DiskAttachment, 'format' | 'type'>): 'qcow2' | 'raw' {
  if (d.format === 'qcow2') return 'qcow2';
  if (d.format === 'raw' || (d.format === 'vpc' && d.type === 'fixed')) return 'raw';
  throw new ViridianError('DISK_BLOCKS_ACTION', `A ${d.format === 'vhdx' ? 'VHDX' : 'dynamically expanding VHD'} cannot be part of a snapshot chain.`);
}

/** What an overlay's header names as its backing file: relative when both sit in the VM folder (so the folder can move). */
export function backingString(overlay: string, backing: string, vmFolder: string): string {
  const inside = (p: string) => p.startsWith(vmFolder + sep);
  if (inside(overlay) && inside(backing)) return relative(dirname(overlay), backing);
  return backing;
}

/** Creates an empty qcow2 overlay on `backing` (no read of the backing file: it may be open in a running VM). */
export async function createOverlay(path: string, backing: DiskAttachment, vmFolder: string): Promise<void> {
  await qemuImg([
    'create',
    '-q',
    '-f',
    'qcow2',
    '-u',
    '-b',
    backingString(path, backing.path, vmFolder),
    '-F',
    backingFormat(backing),
    '-o',
    'cluster_size=65536',
    path,
    String(backing.virtualSize),
  ]);
}

/** Writes `image`'s data into its backing file (the image itself is left as it is). */
export async function commitIntoBacking(image: string, run: QemuImgRun): Promise<void> {
  await qemuImg(['commit', '-p', '-d', '-f', 'qcow2', image], run);
}

/** Points `image` at another backing file without touching data (the caller knows the contents are equal). */
export async function rebaseUnsafe(image: string, backing: string, backingFmt: 'qcow2' | 'raw', vmFolder: string): Promise<void> {
  await qemuImg(['rebase', '-u', '-f', 'qcow2', '-b', backingString(image, backing, vmFolder), '-F', backingFmt, image]);
}

const QCOW2_MAGIC = 0x514649fb;

/** The backing file an image names (absolute), or null for raw/VHD images and qcow2 without one. */
export async function readBackingFile(path: string): Promise<string | null> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(20);
    const { bytesRead } = await fh.read(head, 0, 20, 0);
    if (bytesRead < 20 || head.readUInt32BE(0) !== QCOW2_MAGIC) return null;
    const offset = Number(head.readBigUInt64BE(8));
    const size = head.readUInt32BE(16);
    if (offset === 0 || size === 0 || size > 4096) return null;
    const name = Buffer.alloc(size);
    await fh.read(name, 0, size, offset);
    const text = name.toString('utf8');
    return isAbsolute(text) ? text : resolve(dirname(path), text);
  } finally {
    await fh.close();
  }
}

/** Whether the file starts like a qcow2 image. */
export async function isQcow2(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    return bytesRead === 4 && head.readUInt32BE(0) === QCOW2_MAGIC;
  } finally {
    await fh.close();
  }
}

/** The attachment of a fresh overlay on `base`. */
export function overlayAttachment(path: string, base: DiskAttachment): DiskAttachment {
  return { kind: 'disk', path, format: 'qcow2' satisfies DiskFormat, type: 'differencing', virtualSize: base.virtualSize, readOnly: base.readOnly };
}
