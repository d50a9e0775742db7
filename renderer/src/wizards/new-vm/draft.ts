import type { CreateVmParams, HostInfo, UserDiskFormat } from '../../../../core/contract';

export type DiskMode = 'new' | 'existing' | 'later';
export type InstallMode = 'later' | 'iso' | 'floppy' | 'net';

/** Everything the wizard's pages edit; text as typed, parsed by validation. */
export interface NewVmDraft {
  name: string;
  memoryMiB: number | null;
  cpus: number | null;
  network: { kind: 'synthetic' | 'legacy'; /** null = Not connected */ network: string | null };
  disk: {
    mode: DiskMode;
    /** false: the disk goes in the VM's own folder (deleted with it). */
    customLocation: boolean;
    fileName: string;
    /** The user typed a file name: stop following the VM name. */
    fileNameEdited: boolean;
    location: string;
    size: string;
    format: UserDiskFormat;
    type: 'dynamic' | 'fixed';
    existingPath: string;
  };
  install: {
    mode: InstallMode;
    iso: string;
    floppy: string;
    guestOs: 'linux' | 'windows' | 'other';
    kernel: string;
    initrd: string;
    append: string;
  };
  start: boolean;
}

export const DEFAULT_VM_NAME = 'New Virtual Machine';
export const DEFAULT_DISK_SIZE = '127 GB';
export const DEFAULT_MEMORY_MIB = 512;

export const DISK_EXTENSIONS: Readonly<Record<UserDiskFormat, string>> = { qcow2: 'qcow2', vhd: 'vhd', vhdx: 'vhdx' };

export function diskFileName(vmName: string, format: UserDiskFormat): string {
  return `${vmName.trim() || 'disk'}.${DISK_EXTENSIONS[format]}`;
}

export function defaultDraft(host: HostInfo | null): NewVmDraft {
  const max = host?.maxVmMemoryMiB ?? DEFAULT_MEMORY_MIB;
  return {
    name: DEFAULT_VM_NAME,
    memoryMiB: Math.min(DEFAULT_MEMORY_MIB, max),
    cpus: 1,
    network: { kind: 'synthetic', network: null },
    disk: {
      mode: 'new',
      customLocation: false,
      fileName: diskFileName(DEFAULT_VM_NAME, 'qcow2'),
      fileNameEdited: false,
      location: host?.storageRoots[0] ?? '',
      size: DEFAULT_DISK_SIZE,
      format: 'qcow2',
      type: 'dynamic',
      existingPath: '',
    },
    install: { mode: 'later', iso: '', floppy: '', guestOs: 'other', kernel: '', initrd: '', append: '' },
    start: false,
  };
}

/** Joins a folder and a file name with the folder's own separator. */
export function joinPath(folder: string, file: string): string {
  const sep = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return folder.endsWith(sep) ? `${folder}${file}` : `${folder}${sep}${file}`;
}

const BOOT_FROM: Readonly<Record<InstallMode, CreateVmParams['bootFrom']>> = {
  later: 'disk',
  iso: 'cd',
  floppy: 'floppy',
  net: 'net',
};

/** The vm.create request for a (valid) draft. */
export function toCreateParams(d: NewVmDraft, sizeBytes: number | null): CreateVmParams {
  const disk: CreateVmParams['disk'] =
    d.disk.mode === 'new'
      ? {
          kind: 'new',
          sizeBytes: sizeBytes ?? 0,
          format: d.disk.format,
          type: d.disk.type,
          bus: 'ide',
          ...(d.disk.customLocation ? { path: joinPath(d.disk.location.trim(), d.disk.fileName.trim()) } : {}),
        }
      : d.disk.mode === 'existing'
        ? { kind: 'existing', path: d.disk.existingPath.trim(), bus: 'ide' }
        : { kind: 'none' };
  const kernel = d.install.kernel.trim();
  return {
    name: d.name,
    memoryMiB: d.memoryMiB ?? DEFAULT_MEMORY_MIB,
    cpus: d.cpus ?? 1,
    disk,
    iso: d.install.mode === 'iso' ? d.install.iso.trim() : null,
    floppy: d.install.mode === 'floppy' ? d.install.floppy.trim() : null,
    kernel: kernel === '' ? null : { path: kernel, initrd: d.install.initrd.trim() || null, append: d.install.append.trim() },
    network: [{ kind: d.network.kind, network: d.network.network }],
    bootFrom: BOOT_FROM[d.install.mode],
    guestOs: d.install.guestOs,
    start: d.start,
  };
}
