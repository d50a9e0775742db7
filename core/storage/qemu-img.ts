import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { link, lstat, open, realpath, rename, stat, statfs, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DISK_MIN_BYTES,
  DiskInfoSchema,
  VHD_MAX_BYTES,
  VHDX_MAX_BYTES,
  ViridianError,
  formatBytes,
  type DiskFormat,
  type DiskInfo,
  type DiskType,
  type UserDiskFormat,
} from '../contract';
import { findExecutable, isExecutable } from '../common/paths';

// This module is the only place that runs qemu-img. Every path handed to
// qemu-img is absolute: a relative name with a colon ("nbd:x") would be
// taken as a protocol, and an absolute one never is.

export interface DiskOpControl {
  signal?: AbortSignal | undefined;
  /** 0..100, rising. */
  onProgress?: ((pct: number) => void) | undefined;
}

export interface CreateDiskOptions {
  path: string;
  format: UserDiskFormat;
  type: DiskType;
  sizeBytes?: number | undefined;
  parent?: string | undefined;
}

export interface ConvertDiskOptions {
  /** Target format; raw is allowed for export to other tools. */
  format: UserDiskFormat | 'raw';
  type: 'dynamic' | 'fixed';
}

/** Formats QEMU can read but Viridian only imports (converts), never attaches. */
type ForeignFormat = 'vmdk' | 'vdi';

// ---------------------------------------------------------------------------
// Finding and running qemu-img

/** qemu-img: VIRIDIAN_QEMU_IMG if set (and executable), else PATH, else common install folders. */
export async function findQemuImg(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const override = env['VIRIDIAN_QEMU_IMG'];
  if (override) return (await isExecutable(override)) ? resolve(override) : null;
  return findExecutable('qemu-img', qemuInstallDirs(), env);
}

/** Folders where installers put QEMU without adding it to PATH. */
export function qemuInstallDirs(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string[] {
  if (platform === 'win32') {
    const dirs = [env['ProgramFiles'], env['ProgramW6432'], 'C:\\Program Files'].filter((d): d is string => !!d);
    return [...new Set(dirs.map((d) => win32.join(d, 'qemu')))];
  }
  if (platform === 'darwin') return ['/opt/homebrew/bin', '/usr/local/bin', '/opt/local/bin'];
  return ['/usr/bin', '/usr/local/bin', '/usr/libexec'];
}

async function requireQemuImg(): Promise<string> {
  const bin = await findQemuImg();
  if (bin) return bin;
  const override = process.env['VIRIDIAN_QEMU_IMG'];
  if (override) {
    throw new ViridianError('QEMU_MISSING', `VIRIDIAN_QEMU_IMG points to ${override}, which is not an executable file.`, 'Fix or unset VIRIDIAN_QEMU_IMG.');
  }
  throw new ViridianError('QEMU_MISSING', 'qemu-img was not found, so disks cannot be created, inspected or converted.', qemuImgInstallHint());
}

export function qemuImgInstallHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'Install QEMU with `brew install qemu`, or set VIRIDIAN_QEMU_IMG to the qemu-img program.';
  if (platform === 'win32') return 'Install QEMU for Windows (qemu.weilnetz.de), or set VIRIDIAN_QEMU_IMG to qemu-img.exe.';
  return 'Install it with `sudo apt-get install qemu-utils` (Debian/Ubuntu) or `sudo dnf install qemu-img` (Fedora), or set VIRIDIAN_QEMU_IMG.';
}

export interface RunOptions {
  signal?: AbortSignal | undefined;
  onStdout?: ((chunk: string) => void) | undefined;
}

const MAX_CAPTURE = 4 * 1024 * 1024;

/** Runs qemu-img with an argument vector (never a shell string); cancellable by signal. */
export async function runQemuImg(args: string[], opts: RunOptions = {}): Promise<string> {
  const bin = await requireQemuImg();
  if (opts.signal?.aborted) throw cancelled();
  return new Promise<string>((resolvePromise, reject) => {
    // LC_ALL=C: error messages are matched below and must not be translated.
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stdout = '';
    let stderr = '';
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      aborted = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 3000);
      killTimer.unref();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += chunk;
      opts.onStdout?.(chunk);
    });
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += chunk;
    });
    child.on('error', (err) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new ViridianError('QEMU_MISSING', `Could not run ${bin}: ${err.message}.`, qemuImgInstallHint()));
    });
    child.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (aborted || opts.signal?.aborted) return reject(cancelled());
      if (code === 0) return resolvePromise(stdout);
      reject(qemuImgError(args, stderr, code, sig));
    });
  });
}

function cancelled(): ViridianError {
  return new ViridianError('CANCELLED', 'The disk operation was cancelled.');
}

function qemuImgError(args: string[], stderr: string, code: number | null, sig: NodeJS.Signals | null): ViridianError {
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/^qemu-img:\s*/, '').trim())
    .filter((l) => l.length > 0);
  const detail = lines.join(' ') || (sig ? `killed by ${sig}` : `exit code ${code}`);
  if (/lock/i.test(detail) && /(another process|Failed to get)/i.test(detail)) {
    return new ViridianError('DISK_IN_USE', `The disk is in use by another program (a running VM?): ${detail}`, 'Turn off or save the VM that uses the disk, then try again.');
  }
  if (/No space left on device/i.test(detail)) {
    return new ViridianError('NO_SPACE', `qemu-img ran out of disk space: ${detail}`, 'Free up space or choose another location.');
  }
  return new ViridianError('QEMU_FAILED', `qemu-img ${args[0] ?? ''} failed: ${detail}`);
}

// ---------------------------------------------------------------------------
// Format detection from the file's own bytes

type Sniffed =
  | { kind: 'qcow2'; backing: string | null; backingFormat: string | null }
  | { kind: 'vpc'; vhdType: number; currentSize: number; parents: ParentCandidate[] }
  | { kind: 'vhdx'; fixed: boolean; hasParent: boolean; virtualSize: number | null; parents: ParentCandidate[] }
  | { kind: 'raw' }
  | { kind: ForeignFormat }
  | { kind: 'none'; reason: string };

/** A place a parent may be; `path` is absolute where it could be made so. */
interface ParentCandidate {
  path: string;
  /** Protocol or otherwise not a local file (e.g. json:, nbd://). */
  local: boolean;
}

const VHD_FIXED = 2;
const VHD_DYNAMIC = 3;
const VHD_DIFFERENCING = 4;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

async function sniff(path: string, size: number): Promise<Sniffed> {
  const fh = await open(path, 'r');
  try {
    const head = await readAt(fh, 0, 512);
    if (head.length >= 4 && head.readUInt32BE(0) === 0x514649fb) return await sniffQcow2(fh);
    if (head.subarray(0, 8).toString('latin1') === 'vhdxfile') return await sniffVhdx(fh, path);
    // The VHD footer is the last 512 bytes; dynamic and differencing disks keep a copy at offset 0.
    const tail = size >= 512 ? await readAt(fh, size - 512, 512) : Buffer.alloc(0);
    const footer = isVhdFooter(tail) ? tail : isVhdFooter(head) ? head : null;
    if (footer) return await sniffVpc(fh, path, footer);
    if (head.subarray(0, 4).toString('latin1') === 'KDMV' || head.subarray(0, 21).toString('latin1') === '# Disk DescriptorFile') return { kind: 'vmdk' };
    if (head.length >= 68 && head.readUInt32LE(64) === 0xbeda107f) return { kind: 'vdi' };
    // qemu-img calls any file "raw"; only trust that for disk-image names of a sector-aligned size.
    const ext = extname(path).toLowerCase();
    if (['.img', '.raw', '.iso'].includes(ext)) {
      if (size > 0 && size % 512 === 0) return { kind: 'raw' };
      return { kind: 'none', reason: `its size (${size} bytes) is not a whole number of 512-byte sectors` };
    }
    if (ext === '.vhd') return { kind: 'none', reason: 'it has no VHD footer ("conectix" cookie); the file may be damaged or truncated' };
    if (ext === '.vhdx') return { kind: 'none', reason: 'it has no VHDX signature; the file may be damaged' };
    if (ext === '.qcow2') return { kind: 'none', reason: 'it has no qcow2 signature; the file may be damaged' };
    return { kind: 'none', reason: 'it is not a qcow2, VHD or VHDX image and not a raw image (.img, .raw, .iso)' };
  } finally {
    await fh.close();
  }
}

function isVhdFooter(b: Buffer): boolean {
  return b.length >= 512 && b.subarray(0, 8).toString('latin1') === 'conectix';
}

/** QEMU's rule: a name with a colon before any slash names a protocol, not a file. */
function hasProtocol(name: string): boolean {
  if (process.platform === 'win32' && /^[a-zA-Z]:[\\/]/.test(name)) return false;
  const colon = name.indexOf(':');
  if (colon < 0) return false;
  const slash = name.search(/[\\/]/);
  return slash < 0 || colon < slash;
}

function localCandidate(name: string, childPath: string): ParentCandidate {
  if (name.startsWith('file:')) {
    const rest = name.slice(5);
    return { path: rest.startsWith('//') ? fileURLToPath(name) : resolve(dirname(childPath), rest), local: true };
  }
  if (hasProtocol(name)) return { path: name, local: false };
  return { path: resolve(dirname(childPath), name), local: true };
}

async function sniffQcow2(fh: FileHandle): Promise<Sniffed> {
  const h = await readAt(fh, 0, 64 * 1024);
  if (h.length < 72) return { kind: 'none', reason: 'its qcow2 header is truncated' };
  const version = h.readUInt32BE(4);
  const backingOffset = Number(h.readBigUInt64BE(8));
  const backingSize = h.readUInt32BE(16);
  let backing: string | null = null;
  if (backingOffset > 0 && backingSize > 0 && backingSize <= 4096) {
    const raw = backingOffset + backingSize <= h.length ? h.subarray(backingOffset, backingOffset + backingSize) : await readAt(fh, backingOffset, backingSize);
    backing = raw.toString('utf8');
  }
  // Header extensions follow the header; 0xE2792ACA names the backing file's format.
  let backingFormat: string | null = null;
  let off = version >= 3 && h.length >= 104 ? h.readUInt32BE(100) : 72;
  while (off + 8 <= h.length) {
    const type = h.readUInt32BE(off);
    const len = h.readUInt32BE(off + 4);
    if (type === 0 || off + 8 + len > h.length) break;
    if (type === 0xe2792aca) backingFormat = h.subarray(off + 8, off + 8 + len).toString('latin1');
    off += 8 + Math.ceil(len / 8) * 8;
  }
  return { kind: 'qcow2', backing, backingFormat };
}

function utf16be(b: Buffer): string {
  const swapped = Buffer.from(b);
  swapped.swap16();
  return swapped.toString('utf16le');
}

async function sniffVpc(fh: FileHandle, path: string, footer: Buffer): Promise<Sniffed> {
  const vhdType = footer.readUInt32BE(60);
  const currentSize = Number(footer.readBigUInt64BE(48));
  if (vhdType !== VHD_FIXED && vhdType !== VHD_DYNAMIC && vhdType !== VHD_DIFFERENCING) {
    return { kind: 'none', reason: `its VHD footer names an unknown disk type (${vhdType})` };
  }
  const parents: ParentCandidate[] = [];
  if (vhdType === VHD_DIFFERENCING) {
    // Dynamic header: parent name (UTF-16BE) at 64, eight parent locators at 576.
    const dynOffset = Number(footer.readBigUInt64BE(16));
    const dyn = await readAt(fh, dynOffset, 1024);
    if (dyn.length === 1024 && dyn.subarray(0, 8).toString('latin1') === 'cxsparse') {
      const relative: string[] = [];
      const absolute: string[] = [];
      for (let i = 0; i < 8; i++) {
        const e = 576 + i * 24;
        const code = dyn.subarray(e, e + 4).toString('latin1');
        const len = dyn.readUInt32BE(e + 8);
        const dataOffset = Number(dyn.readBigUInt64BE(e + 16));
        if (code === '\0\0\0\0' || len === 0 || len > 64 * 1024) continue;
        const data = await readAt(fh, dataOffset, len);
        if (code === 'W2ru') relative.push(data.toString('utf16le'));
        else if (code === 'W2ku') absolute.push(data.toString('utf16le'));
        else if (code === 'Wi2r') relative.push(data.toString('latin1'));
        else if (code === 'Wi2k') absolute.push(data.toString('latin1'));
        else if (code === 'MacX') {
          const url = data.toString('utf8');
          if (url.startsWith('file://')) absolute.push(fileURLToPath(url));
        }
      }
      const name = utf16be(dyn.subarray(64, 576)).replace(/\0[\s\S]*$/, '');
      if (name) (isWindowsAbsolute(name) ? absolute : relative).push(name);
      for (const r of relative) parents.push({ path: windowsRelative(r, path), local: true });
      for (const a of absolute) parents.push({ path: windowsAbsolute(a), local: true });
    }
  }
  return { kind: 'vpc', vhdType, currentSize, parents };
}

function isWindowsAbsolute(p: string): boolean {
  return /^[a-zA-Z]:[\\/]/.test(p) || p.startsWith('\\\\') || p.startsWith('/');
}

/** ".\\base\\parent.vhd" relative to the child's folder, in this platform's form. */
function windowsRelative(rel: string, childPath: string): string {
  const parts = rel.split(/[\\/]+/).filter((s) => s.length > 0 && s !== '.');
  return resolve(dirname(childPath), ...parts);
}

/** Absolute Windows paths stay as they are off Windows: they are reported, not guessed at. */
function windowsAbsolute(abs: string): string {
  return process.platform === 'win32' ? abs.replace(/^\\\\\?\\/, '') : abs;
}

/** Writes a GUID string in the mixed-endian byte order VHDX (and Windows) stores. */
function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  const b = Buffer.from(hex, 'hex');
  const out = Buffer.from(b);
  out.writeUInt32LE(b.readUInt32BE(0), 0);
  out.writeUInt16LE(b.readUInt16BE(4), 4);
  out.writeUInt16LE(b.readUInt16BE(6), 6);
  return out;
}

const VHDX_METADATA_REGION = guidBytes('8B7CA206-4790-4B9A-B8FE-575F050F886E');
const VHDX_FILE_PARAMETERS = guidBytes('CAA16737-FA36-4D43-B3B6-33F0AA44E76B');
const VHDX_VIRTUAL_DISK_SIZE = guidBytes('2FA54224-CD1B-4876-B211-5DBED83BF4B8');
const VHDX_PARENT_LOCATOR = guidBytes('A8D35F2D-B30B-454D-ABF7-D3D84834AB0C');

async function sniffVhdx(fh: FileHandle, path: string): Promise<Sniffed> {
  // QEMU 7.2's `qemu-img info` shows nothing VHDX-specific, so the subformat
  // (fixed/dynamic/differencing) is read from the metadata region here.
  const unknown: Sniffed = { kind: 'vhdx', fixed: false, hasParent: false, virtualSize: null, parents: [] };
  let metadataOffset = -1;
  for (const at of [192 * 1024, 256 * 1024]) {
    const rt = await readAt(fh, at, 64 * 1024);
    if (rt.length < 16 || rt.subarray(0, 4).toString('latin1') !== 'regi') continue;
    const count = Math.min(rt.readUInt32LE(8), 2047);
    for (let i = 0; i < count; i++) {
      const e = 16 + i * 32;
      if (e + 32 > rt.length) break;
      if (rt.subarray(e, e + 16).equals(VHDX_METADATA_REGION)) metadataOffset = Number(rt.readBigUInt64LE(e + 16));
    }
    if (metadataOffset >= 0) break;
  }
  if (metadataOffset < 0) return unknown;
  const table = await readAt(fh, metadataOffset, 64 * 1024);
  if (table.length < 32 || table.subarray(0, 8).toString('latin1') !== 'metadata') return unknown;
  const entries = Math.min(table.readUInt16LE(10), 2047);
  let fixed = false;
  let hasParent = false;
  let virtualSize: number | null = null;
  let locator: Buffer | null = null;
  for (let i = 0; i < entries; i++) {
    const e = 32 + i * 32;
    if (e + 32 > table.length) break;
    const id = table.subarray(e, e + 16);
    const itemOffset = table.readUInt32LE(e + 16);
    const itemLength = table.readUInt32LE(e + 20);
    if (itemLength === 0 || itemLength > 1024 * 1024) continue;
    const item = await readAt(fh, metadataOffset + itemOffset, itemLength);
    if (id.equals(VHDX_FILE_PARAMETERS) && item.length >= 8) {
      const flags = item.readUInt32LE(4);
      fixed = (flags & 1) !== 0; // LeaveBlocksAllocated
      hasParent = (flags & 2) !== 0;
    } else if (id.equals(VHDX_VIRTUAL_DISK_SIZE) && item.length >= 8) {
      virtualSize = Number(item.readBigUInt64LE(0));
    } else if (id.equals(VHDX_PARENT_LOCATOR)) {
      locator = item;
    }
  }
  const parents: ParentCandidate[] = [];
  if (hasParent && locator && locator.length >= 20) {
    // Key/value table of UTF-16LE strings, offsets from the locator's start.
    const kv = new Map<string, string>();
    const count = locator.readUInt16LE(18);
    for (let i = 0; i < count; i++) {
      const e = 20 + i * 12;
      if (e + 12 > locator.length) break;
      const keyOff = locator.readUInt32LE(e);
      const valOff = locator.readUInt32LE(e + 4);
      const keyLen = locator.readUInt16LE(e + 8);
      const valLen = locator.readUInt16LE(e + 10);
      const key = locator.subarray(keyOff, keyOff + keyLen).toString('utf16le');
      kv.set(key, locator.subarray(valOff, valOff + valLen).toString('utf16le'));
    }
    const rel = kv.get('relative_path');
    const abs = kv.get('absolute_win32_path');
    if (rel) parents.push({ path: windowsRelative(rel, path), local: true });
    if (abs) parents.push({ path: windowsAbsolute(abs), local: true });
  }
  return { kind: 'vhdx', fixed, hasParent, virtualSize, parents };
}

// ---------------------------------------------------------------------------
// Inspection

interface Level {
  format: DiskFormat | ForeignFormat;
  type: DiskType;
  /** Where the parent is (first existing candidate, else the first one); null if none. */
  parent: ParentCandidate | null;
  declaredParentFormat: DiskFormat | null;
  /** QEMU cannot read through this disk's parent (VHD/VHDX differencing). */
  qemuIgnoresParent: boolean;
  sniffed: Sniffed;
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}

async function pickParent(cands: ParentCandidate[]): Promise<ParentCandidate | null> {
  for (const c of cands) if (c.local && (await exists(c.path))) return c;
  return cands[0] ?? null;
}

function asDiskFormat(f: string | null): DiskFormat | null {
  return f === 'qcow2' || f === 'raw' || f === 'vpc' || f === 'vhdx' ? f : null;
}

async function statDisk(path: string): Promise<{ size: number; blocks: number }> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ViridianError('NOT_FOUND', `The disk ${path} does not exist.`);
    throw err;
  }
  if (!st.isFile()) throw new ViridianError('NOT_A_DISK', `${path} is not a disk image: it is not a regular file.`);
  return { size: st.size, blocks: st.blocks };
}

/** One link of a chain, from the file's bytes only (no qemu-img). */
async function readLevel(path: string): Promise<Level> {
  const { size } = await statDisk(path);
  const s = await sniff(path, size);
  switch (s.kind) {
    case 'qcow2': {
      const parent = s.backing === null ? null : localCandidate(s.backing, path);
      return { format: 'qcow2', type: parent ? 'differencing' : 'dynamic', parent, declaredParentFormat: asDiskFormat(s.backingFormat), qemuIgnoresParent: false, sniffed: s };
    }
    case 'vpc': {
      const type: DiskType = s.vhdType === VHD_FIXED ? 'fixed' : s.vhdType === VHD_DYNAMIC ? 'dynamic' : 'differencing';
      const parent = type === 'differencing' ? await pickParent(s.parents) : null;
      return { format: 'vpc', type, parent, declaredParentFormat: parent ? 'vpc' : null, qemuIgnoresParent: type === 'differencing', sniffed: s };
    }
    case 'vhdx': {
      const type: DiskType = s.hasParent ? 'differencing' : s.fixed ? 'fixed' : 'dynamic';
      const parent = s.hasParent ? await pickParent(s.parents) : null;
      return { format: 'vhdx', type, parent, declaredParentFormat: parent ? 'vhdx' : null, qemuIgnoresParent: s.hasParent, sniffed: s };
    }
    case 'raw':
      return { format: 'raw', type: 'fixed', parent: null, declaredParentFormat: null, qemuIgnoresParent: false, sniffed: s };
    case 'vmdk':
    case 'vdi':
      return { format: s.kind, type: 'dynamic', parent: null, declaredParentFormat: null, qemuIgnoresParent: false, sniffed: s };
    case 'none':
      throw new ViridianError('NOT_A_DISK', `${path} is not a disk image: ${s.reason}.`, 'Choose a .vhd, .vhdx, .qcow2 or raw (.img) disk file.');
  }
}

interface QemuImgInfo {
  'virtual-size'?: number;
  'actual-size'?: number;
}

async function qemuInfo(path: string, format: string): Promise<QemuImgInfo> {
  // -U: read the header even while a running VM holds the image's write lock.
  // No --backing-chain: it fails outright when a parent is missing; the chain is walked by readLevel.
  const out = await runQemuImg(['info', '-U', '--output=json', '-f', format, path]);
  try {
    return JSON.parse(out) as QemuImgInfo;
  } catch {
    throw new ViridianError('QEMU_FAILED', `qemu-img info printed something that is not JSON for ${path}.`);
  }
}

const MAX_CHAIN = 128;

/** Inspects a disk and its parents. A missing parent is reported (intact: false), never thrown. */
export async function inspectDisk(path: string): Promise<DiskInfo> {
  const abs = resolve(checkPathText(path));
  const top = await readLevel(abs);
  if (top.format === 'vmdk' || top.format === 'vdi') {
    throw new ViridianError('NOT_A_DISK', `${abs} is a ${top.format.toUpperCase()} image, which Viridian does not attach directly.`, 'Convert it to VHD, VHDX or qcow2 first (Import or Edit Disk › Convert).');
  }
  const { size, blocks } = await statDisk(abs);
  let virtualSize: number;
  let actualSize: number;
  if (top.qemuIgnoresParent && top.format === 'vhdx') {
    // QEMU refuses differencing VHDX outright; the numbers come from the file.
    const s = top.sniffed;
    virtualSize = s.kind === 'vhdx' && s.virtualSize !== null ? s.virtualSize : 0;
    actualSize = blocks * 512;
  } else {
    // -f vpc matters: without it qemu-img probes a fixed VHD as raw and counts the footer as data.
    const info = await qemuInfo(abs, top.format);
    virtualSize = info['virtual-size'] ?? 0;
    actualSize = info['actual-size'] ?? blocks * 512;
    // A fixed VHD runs as raw limited to this size: never let it reach the footer.
    if (top.format === 'vpc' && top.type === 'fixed') virtualSize = Math.min(virtualSize, size - 512);
  }

  const chain: DiskInfo['chain'] = [{ path: abs, format: top.format, exists: true }];
  let intact = true;
  const seen = new Set<string>([await realpath(abs)]);
  let level: Level = top;
  while (level.parent) {
    const cand = level.parent;
    if (chain.length >= MAX_CHAIN) {
      intact = false;
      break;
    }
    if (!cand.local || !(await exists(cand.path))) {
      chain.push({ path: cand.path, format: level.declaredParentFormat, exists: false });
      intact = false;
      break;
    }
    const real = await realpath(cand.path).catch(() => cand.path);
    if (seen.has(real)) {
      // A loop of backing files: QEMU would refuse to open it.
      intact = false;
      break;
    }
    seen.add(real);
    let next: Level;
    try {
      next = await readLevel(cand.path);
    } catch {
      chain.push({ path: cand.path, format: null, exists: true });
      intact = false;
      break;
    }
    chain.push({ path: cand.path, format: asDiskFormat(next.format), exists: true });
    level = next;
  }
  return DiskInfoSchema.parse({
    path: abs,
    format: top.format,
    type: top.type,
    virtualSize,
    actualSize,
    parent: top.parent ? top.parent.path : null,
    chain,
    intact,
  });
}

// ---------------------------------------------------------------------------
// Creation and conversion

function checkPathText(p: string): string {
  if (typeof p !== 'string' || p.length === 0) throw new ViridianError('INVALID_INPUT', 'A disk path is required.');
  if (p.includes('\0')) throw new ViridianError('INVALID_INPUT', 'The disk path contains a NUL character.');
  return p;
}

async function refuseExisting(path: string): Promise<void> {
  if (await exists(path)) {
    throw new ViridianError('INVALID_INPUT', `The file ${path} already exists.`, 'Choose another name, or delete the existing file first; Viridian never overwrites a disk.');
  }
}

async function requireFolder(path: string): Promise<void> {
  const dir = dirname(path);
  const st = await stat(dir).catch(() => null);
  if (!st?.isDirectory()) throw new ViridianError('NOT_FOUND', `The folder ${dir} does not exist.`, 'Create the folder first or choose another location.');
}

async function ensureFreeSpace(path: string, needed: number, what: string, hint: string): Promise<void> {
  const dir = dirname(path);
  const st = await statfs(dir);
  const free = st.bavail * st.bsize;
  if (free < needed) {
    throw new ViridianError('NO_SPACE', `${what} needs ${formatBytes(needed)} but only ${formatBytes(free)} is free in ${dir}.`, hint);
  }
}

export function tempNameFor(path: string): string {
  // Same folder: the final rename stays on one file system and is atomic.
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
}

/** Moves the finished temp file to its name without ever replacing a file that appeared meanwhile. */
async function publish(tmp: string, path: string): Promise<void> {
  try {
    await link(tmp, path);
    await unlink(tmp);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') await refuseExisting(path);
    // File systems without hard links (FAT, some shares): check, then rename.
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EINVAL'].includes(code ?? '')) throw err;
  }
  await refuseExisting(path);
  await rename(tmp, path);
}

/** Runs `work(tmp)` on a temp name beside `path`, then publishes it; the temp never outlives a failure. */
async function viaTemp(path: string, work: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = tempNameFor(path);
  let done = false;
  try {
    await work(tmp);
    await publish(tmp, path);
    done = true;
  } finally {
    if (!done) await unlink(tmp).catch(() => undefined);
  }
}

function roundUpSector(n: number): number {
  return Math.ceil(n / 512) * 512;
}

function checkSize(sizeBytes: number | undefined, format: UserDiskFormat | 'raw'): number {
  if (sizeBytes === undefined) throw new ViridianError('INVALID_INPUT', 'A size is required for a new disk.');
  if (!Number.isFinite(sizeBytes) || sizeBytes <= 0) throw new ViridianError('INVALID_INPUT', `The size ${sizeBytes} is not a valid number of bytes.`);
  // QEMU works in 512-byte sectors; round up rather than refuse "1.3G".
  const size = roundUpSector(sizeBytes);
  if (size < DISK_MIN_BYTES) throw new ViridianError('INVALID_INPUT', `A disk must be at least ${formatBytes(DISK_MIN_BYTES)}; ${formatBytes(size)} was asked for.`);
  if (format === 'vhd' && size > VHD_MAX_BYTES) {
    throw new ViridianError('INVALID_INPUT', `A VHD can hold at most 2040 GB; ${formatBytes(size)} was asked for.`, 'Use VHDX or qcow2 for disks larger than 2040 GB.');
  }
  if (size > VHDX_MAX_BYTES) throw new ViridianError('INVALID_INPUT', `A disk can be at most ${formatBytes(VHDX_MAX_BYTES)}; ${formatBytes(size)} was asked for.`);
  return size;
}

function createArgs(format: UserDiskFormat, type: 'dynamic' | 'fixed'): string[] {
  switch (format) {
    case 'qcow2':
      // falloc reserves the space without writing zeros: fast, and the disk cannot run out later.
      return type === 'fixed' ? ['-f', 'qcow2', '-o', 'preallocation=falloc'] : ['-f', 'qcow2'];
    case 'vhd':
      // force_size: the virtual size is exactly what was asked, not rounded to CHS geometry.
      return ['-f', 'vpc', '-o', `subformat=${type},force_size=on`];
    case 'vhdx':
      return ['-f', 'vhdx', '-o', `subformat=${type}`];
  }
}

/** Creates a new disk (never overwriting one) and returns what was made. */
export async function createDisk(opts: CreateDiskOptions, ctl: DiskOpControl = {}): Promise<DiskInfo> {
  const path = resolve(checkPathText(opts.path));
  const { format, type } = opts;
  if (!['qcow2', 'vhd', 'vhdx'].includes(format)) throw new ViridianError('INVALID_INPUT', `Unknown disk format "${String(format)}"; use qcow2, vhd or vhdx.`);
  if (!['dynamic', 'fixed', 'differencing'].includes(type)) throw new ViridianError('INVALID_INPUT', `Unknown disk type "${String(type)}"; use dynamic, fixed or differencing.`);
  if (ctl.signal?.aborted) throw cancelled();
  await refuseExisting(path);
  await requireFolder(path);

  let args: string[];
  if (type === 'differencing') {
    if (!opts.parent) throw new ViridianError('INVALID_INPUT', 'A differencing disk needs a parent disk.');
    // qemu-img cannot write VHD or VHDX differencing disks (vpc has no backing-file support);
    // the overlay is always qcow2, and a VHD/VHDX parent works fine beneath it.
    if (format !== 'qcow2') {
      throw new ViridianError('UNSUPPORTED', `A differencing disk in ${format.toUpperCase()} format cannot be created here.`, 'Create a qcow2 differencing disk instead; its parent may be a VHD or VHDX.');
    }
    const parentPath = resolve(checkPathText(opts.parent));
    const parent = await inspectDisk(parentPath);
    if (!parent.intact) {
      const missing = parent.chain.find((l) => !l.exists)?.path ?? 'a parent';
      throw new ViridianError('NOT_FOUND', `The parent disk ${parentPath} depends on ${missing}, which is missing.`, 'Restore or reconnect the missing parent first.');
    }
    if ((parent.format === 'vpc' || parent.format === 'vhdx') && parent.type === 'differencing') {
      throw new ViridianError('UNSUPPORTED', `The parent ${parentPath} is itself a ${parent.format === 'vpc' ? 'VHD' : 'VHDX'} differencing disk, which QEMU cannot read through.`, 'Merge it into its parent (or convert it) first.');
    }
    let size: number | null = null;
    if (opts.sizeBytes !== undefined) {
      size = checkSize(opts.sizeBytes, 'qcow2');
      if (size < parent.virtualSize) {
        throw new ViridianError('INVALID_INPUT', `A differencing disk cannot be smaller than its parent (${formatBytes(parent.virtualSize)}).`);
      }
    }
    // The parent is recorded by absolute path: the child stays valid wherever the engine runs from.
    // A fixed VHD parent is recorded as vpc (so its footer is not read as data); the engine may
    // reopen it as raw with a size limit at run time to keep the VM savable (QEMU.md).
    args = ['create', '-f', 'qcow2', '-b', parent.path, '-F', parent.format];
    return finishCreate(path, args, size, ctl);
  }

  if (opts.parent !== undefined) throw new ViridianError('INVALID_INPUT', `Only a differencing disk has a parent; this one is ${type}.`);
  const size = checkSize(opts.sizeBytes, format);
  if (type === 'fixed') {
    await ensureFreeSpace(path, size, `A fixed ${formatBytes(size)} disk`, 'Free up space, choose another location, or create a dynamically expanding disk.');
  }
  args = ['create', ...createArgs(format, type)];
  return finishCreate(path, args, size, ctl);
}

async function finishCreate(path: string, args: string[], size: number | null, ctl: DiskOpControl): Promise<DiskInfo> {
  ctl.onProgress?.(0);
  await viaTemp(path, async (tmp) => {
    await runQemuImg(size === null ? [...args, tmp] : [...args, tmp, String(size)], { signal: ctl.signal });
    if (ctl.signal?.aborted) throw cancelled();
  });
  ctl.onProgress?.(100);
  return inspectDisk(path);
}

export function convertArgs(format: UserDiskFormat | 'raw', type: 'dynamic' | 'fixed'): string[] {
  if (format === 'raw') return ['-O', 'raw'];
  const create = createArgs(format, type);
  // createArgs says -f; convert names the output format with -O.
  return create.map((a) => (a === '-f' ? '-O' : a));
}

/** Parses qemu-img's "    (12.34/100%)\r" progress lines; returns the last value in the chunk. */
export function parseProgress(chunk: string): number | null {
  let last: number | null = null;
  for (const m of chunk.matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)) last = Number(m[1]);
  return last;
}

/**
 * Converts a disk (flattening any parents) into a new file. Cancellable; the
 * output appears under its name only when complete.
 */
export async function convertDisk(src: string, dst: string, opts: ConvertDiskOptions, ctl: DiskOpControl = {}): Promise<DiskInfo> {
  const srcPath = resolve(checkPathText(src));
  const dstPath = resolve(checkPathText(dst));
  const { format, type } = opts;
  if (!['qcow2', 'vhd', 'vhdx', 'raw'].includes(format)) throw new ViridianError('INVALID_INPUT', `Unknown disk format "${String(format)}"; use qcow2, vhd, vhdx or raw.`);
  if (type !== 'dynamic' && type !== 'fixed') throw new ViridianError('INVALID_INPUT', `A converted disk is dynamic or fixed, not "${String(type)}".`);
  if (ctl.signal?.aborted) throw cancelled();

  const level = await readLevel(srcPath);
  let virtualSize: number;
  let allocated: number;
  if (level.format === 'vmdk' || level.format === 'vdi') {
    const info = await qemuInfo(srcPath, level.format);
    virtualSize = info['virtual-size'] ?? 0;
    allocated = info['actual-size'] ?? virtualSize;
  } else {
    const info = await inspectDisk(srcPath);
    if (level.qemuIgnoresParent) {
      // QEMU would silently read a VHD differencing disk without its parent: wrong data, no error.
      throw new ViridianError('UNSUPPORTED', `${srcPath} is a ${level.format === 'vpc' ? 'VHD' : 'VHDX'} differencing disk, which QEMU cannot read through to its parent.`, 'Merge it into its parent in Hyper-V (Edit Disk › Merge) first.');
    }
    if (!info.intact) {
      const missing = info.chain.find((l) => !l.exists)?.path ?? 'a parent';
      throw new ViridianError('NOT_FOUND', `${srcPath} depends on ${missing}, which is missing.`, 'Restore or reconnect the missing parent first.');
    }
    virtualSize = info.virtualSize;
    allocated = info.actualSize;
  }
  if (format === 'vhd' && virtualSize > VHD_MAX_BYTES) {
    throw new ViridianError('INVALID_INPUT', `The disk is ${formatBytes(virtualSize)}; a VHD can hold at most 2040 GB.`, 'Convert to VHDX or qcow2 instead.');
  }
  await refuseExisting(dstPath);
  await requireFolder(dstPath);
  const needed = type === 'fixed' || format === 'raw' ? virtualSize : Math.min(virtualSize, allocated);
  await ensureFreeSpace(dstPath, needed, 'The converted disk', 'Free up space or choose another location.');

  const srcFormat = level.format;
  let lastPct = -1;
  const report = (pct: number): void => {
    if (pct > lastPct) {
      lastPct = pct;
      ctl.onProgress?.(pct);
    }
  };
  report(0);
  await viaTemp(dstPath, async (tmp) => {
    // No -U here: converting a disk a running VM writes to would copy a moving target; the lock error says so.
    await runQemuImg(['convert', '-p', '-f', srcFormat, ...convertArgs(format, type), srcPath, tmp], {
      signal: ctl.signal,
      onStdout: (chunk) => {
        const pct = parseProgress(chunk);
        if (pct !== null) report(pct);
      },
    });
    // An abort that raced with a finishing qemu-img still cancels: nothing is published.
    if (ctl.signal?.aborted) throw cancelled();
  });
  report(100);
  return inspectDisk(dstPath);
}
