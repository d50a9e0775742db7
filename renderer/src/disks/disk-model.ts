// Pure rules of the disk wizards: what each format allows, validation, the equivalent CLI line.
import {
  DISK_MIN_BYTES,
  VHD_MAX_BYTES,
  VHDX_MAX_BYTES,
  formatBytes,
  parseSize,
  type DiskFormat,
  type DiskInfo,
  type UserDiskFormat,
} from '../../../core/contract';

export type NewDiskType = 'dynamic' | 'fixed' | 'differencing';
export type NewDiskSource = 'blank' | 'copy';

export interface FormatFacts {
  label: string;
  maxBytes: number;
  /** Which types qemu-img can create in this format. */
  types: readonly NewDiskType[];
  /** What a running VM can do with a disk of this format and type (QEMU 7.2). */
  saveSnapshotMigrate: Record<'dynamic' | 'fixed' | 'differencing', boolean>;
  notes: string;
}

export const FORMAT_FACTS: Record<UserDiskFormat, FormatFacts> = {
  qcow2: {
    label: 'qcow2',
    maxBytes: VHDX_MAX_BYTES,
    types: ['dynamic', 'fixed', 'differencing'],
    saveSnapshotMigrate: { dynamic: true, fixed: true, differencing: true },
    notes: 'QEMU’s own format: dynamically expanding, fixed (space reserved) or differencing on a parent of any format. Save, snapshots and migration always work.',
  },
  vhd: {
    label: 'VHD',
    maxBytes: VHD_MAX_BYTES,
    types: ['dynamic', 'fixed'],
    saveSnapshotMigrate: { dynamic: false, fixed: true, differencing: false },
    notes: 'Hyper-V and Virtual PC compatible, up to 2040 GB. A fixed VHD runs as raw and saves, snapshots and migrates; while a dynamically expanding VHD is open QEMU cannot save, snapshot or migrate the VM (it can be converted to qcow2 while running).',
  },
  vhdx: {
    label: 'VHDX',
    maxBytes: VHDX_MAX_BYTES,
    types: ['dynamic', 'fixed'],
    saveSnapshotMigrate: { dynamic: false, fixed: false, differencing: false },
    notes: 'Hyper-V 2012+ format, up to 64 TB. While any VHDX is open QEMU cannot save, snapshot or migrate the VM; use it to exchange disks with Hyper-V, or convert it to qcow2 (also while running, for dynamic ones).',
  },
};

export function formatName(f: DiskFormat | UserDiskFormat): string {
  return f === 'vpc' || f === 'vhd' ? 'VHD' : f === 'vhdx' ? 'VHDX' : f === 'raw' ? 'raw' : 'qcow2';
}

export function typeName(t: DiskInfo['type'] | NewDiskType): string {
  return t === 'dynamic' ? 'Dynamically expanding' : t === 'fixed' ? 'Fixed size' : 'Differencing';
}

export const EXTENSIONS: Record<UserDiskFormat, string> = { qcow2: '.qcow2', vhd: '.vhd', vhdx: '.vhdx' };

/** "New Virtual Hard Disk.vhd" when the format changes to VHD. */
export function withExtension(name: string, format: UserDiskFormat): string {
  return name.replace(/\.(qcow2|vhdx?|img|raw)$/i, '') + EXTENSIONS[format];
}

export function joinPath(folder: string, name: string): string {
  const f = folder.trim();
  if (f === '') return name.trim();
  const sep = f.includes('\\') && !f.includes('/') ? '\\' : '/';
  return f.endsWith('/') || f.endsWith('\\') ? f + name.trim() : `${f}${sep}${name.trim()}`;
}

export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/** Bytes for a size text, or an error sentence. */
export function checkSize(text: string, format: UserDiskFormat): { bytes: number | null; error: string | null } {
  const bytes = parseSize(text.replace(/\s*(B|bytes)$/i, '').replace(/\s+/g, ''));
  if (bytes === null) return { bytes: null, error: 'Enter a size such as 127 GB or 512 MB.' };
  if (bytes < DISK_MIN_BYTES) return { bytes, error: 'A disk must be at least 1 MB.' };
  const max = FORMAT_FACTS[format].maxBytes;
  if (bytes > max) return { bytes, error: format === 'vhd' ? 'A VHD can hold at most 2040 GB; choose VHDX or qcow2 for larger disks.' : `At most ${formatBytes(max)}.` };
  return { bytes, error: null };
}

export function checkFileName(name: string): string | null {
  const n = name.trim();
  if (n === '') return 'Enter a file name.';
  if (/[/\\:*?"<>|]/.test(n)) return 'A file name cannot contain / \\ : * ? " < > |.';
  if (!/\.(qcow2|vhdx?)$/i.test(n)) return 'The name ends in .qcow2, .vhd or .vhdx.';
  return null;
}

export function checkAbsolute(p: string, what: string): string | null {
  if (p.trim() === '') return `Enter the ${what}.`;
  if (!isAbsolutePath(p.trim())) return `The ${what} must be a full path (starting with /).`;
  return null;
}

/** A display-only quote for the "equivalent command" line (never executed here). */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function cliPreview(...args: string[]): string {
  return ['viridian', ...args.map(shellQuote)].join(' ');
}

/** What Edit Disk can do with this disk, and why not where it cannot. */
export type EditAction = 'compact' | 'convert' | 'expand' | 'merge' | 'reconnect';

export function editActions(d: DiskInfo): Record<EditAction, string | null> {
  const vhdDiff = (d.format === 'vpc' || d.format === 'vhdx') && d.type === 'differencing';
  const broken = !d.intact;
  return {
    compact:
      d.type === 'fixed' || d.format === 'raw'
        ? 'A fixed-size disk cannot be compacted.'
        : vhdDiff
          ? 'QEMU cannot read through a VHD/VHDX differencing disk.'
          : broken
            ? 'Its parent is missing; reconnect it first.'
            : null,
    convert: vhdDiff ? 'QEMU cannot read through a VHD/VHDX differencing disk.' : broken ? 'Its parent is missing; reconnect it first.' : null,
    expand: vhdDiff ? 'QEMU cannot read through a VHD/VHDX differencing disk.' : broken ? 'Its parent is missing; reconnect it first.' : null,
    merge: d.type !== 'differencing' ? 'Only a differencing disk can be merged.' : vhdDiff ? 'QEMU cannot read through a VHD/VHDX differencing disk.' : broken ? 'Its parent is missing; reconnect it first.' : null,
    reconnect: d.type !== 'differencing' ? 'Only a differencing disk has a parent.' : d.format !== 'qcow2' ? 'QEMU cannot rewrite VHD/VHDX parent locators.' : null,
  };
}

export const ACTION_TEXT: Record<EditAction, { title: string; help: string }> = {
  compact: { title: 'Compact', help: 'Shrinks the file by removing unused and zeroed blocks. The virtual size stays the same.' },
  convert: { title: 'Convert', help: 'Copies the disk into a new file of another format or type (fixed ↔ dynamic, qcow2 / VHD / VHDX). The original is kept.' },
  expand: { title: 'Expand', help: 'Makes the disk larger. VHD and VHDX are converted to qcow2, resized and converted back; the original is replaced only when that worked.' },
  merge: { title: 'Merge', help: 'Puts the changes of this differencing disk into its parent (the child is then deleted), or into a new disk (both originals stay).' },
  reconnect: { title: 'Reconnect', help: 'Points this differencing disk at its parent again, after the parent was moved or renamed. Only the disk’s header changes.' },
};
