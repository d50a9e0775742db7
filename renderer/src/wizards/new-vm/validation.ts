import {
  DISK_MIN_BYTES,
  MAX_CPUS,
  MIN_MEMORY_MIB,
  VHDX_MAX_BYTES,
  VHD_MAX_BYTES,
  VmNameSchema,
  formatBytes,
  parseSize,
  type UserDiskFormat,
} from '../../../../core/contract';
import type { NewVmDraft } from './draft';

/** The engine's name rules (VmNameSchema), plus a clash with an existing VM. */
export function validateVmName(name: string, existingNames: readonly string[] = []): string | null {
  const r = VmNameSchema.safeParse(name);
  if (!r.success) return r.error.issues[0]?.message ?? 'The name is not valid.';
  const lower = name.toLowerCase();
  if (existingNames.some((n) => n.toLowerCase() === lower)) return `A virtual machine named “${name}” already exists.`;
  return null;
}

export function validateMemory(mib: number | null, maxMiB: number): string | null {
  if (mib === null || !Number.isFinite(mib) || !Number.isInteger(mib)) return 'Enter the memory in MiB as a whole number.';
  if (mib < MIN_MEMORY_MIB) return `A virtual machine needs at least ${MIN_MEMORY_MIB} MiB.`;
  if (mib > maxMiB) return `This host can give a virtual machine at most ${maxMiB} MiB.`;
  return null;
}

export function validateCpus(n: number | null): string | null {
  if (n === null || !Number.isInteger(n)) return 'Enter the number of virtual processors.';
  if (n < 1 || n > MAX_CPUS) return `Choose between 1 and ${MAX_CPUS} virtual processors.`;
  return null;
}

/** Size text ("127 GB", "512M") for a disk of the given format: bytes, or why not. */
export function validateDiskSize(text: string, format: UserDiskFormat): { bytes: number | null; error: string | null } {
  const bytes = parseSize(text);
  if (bytes === null) return { bytes: null, error: 'Enter a size such as 127 GB or 512 MB.' };
  if (bytes < DISK_MIN_BYTES) return { bytes, error: 'A disk must be at least 1 MB.' };
  if (format === 'vhd' && bytes > VHD_MAX_BYTES)
    return { bytes, error: `A VHD can be at most 2040 GB (this is ${formatBytes(bytes)}). Choose VHDX or qcow2 for a larger disk.` };
  if (bytes > VHDX_MAX_BYTES) return { bytes, error: 'A disk can be at most 64 TB.' };
  return { bytes, error: null };
}

export function validatePath(path: string, what: string): string | null {
  if (path.trim() === '') return `Enter the path of the ${what}.`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
  if (/[\u0000-\u001f]/.test(path)) return 'The path contains control characters.';
  return null;
}

export function validateFileName(name: string): string | null {
  if (name.trim() === '') return 'Enter a file name for the disk.';
  if (/[/\\]/.test(name)) return 'Give only a file name here; put the folder in Location.';
  return null;
}

export type NewVmPage = 'begin' | 'name' | 'memory' | 'network' | 'disk' | 'install' | 'summary';
export type FieldErrors = Partial<Record<string, string>>;

export interface NewVmContext {
  maxMemoryMiB: number;
  existingNames: readonly string[];
}

/** Every field's problem, by page: drives inline messages, Next, Finish and the step marks. */
export function validateDraft(d: NewVmDraft, ctx: NewVmContext): Record<NewVmPage, FieldErrors> {
  const name: FieldErrors = {};
  const memory: FieldErrors = {};
  const network: FieldErrors = {};
  const disk: FieldErrors = {};
  const install: FieldErrors = {};

  const n = validateVmName(d.name, ctx.existingNames);
  if (n) name['name'] = n;
  const m = validateMemory(d.memoryMiB, ctx.maxMemoryMiB);
  if (m) memory['memory'] = m;
  const c = validateCpus(d.cpus);
  if (c) memory['cpus'] = c;
  if (d.network.network !== null && d.network.network.trim() === '') network['network'] = 'Enter a network name, or choose Not connected.';

  if (d.disk.mode === 'new') {
    const size = validateDiskSize(d.disk.size, d.disk.format);
    if (size.error) disk['size'] = size.error;
    if (d.disk.customLocation) {
      const f = validateFileName(d.disk.fileName);
      if (f) disk['fileName'] = f;
      const l = validatePath(d.disk.location, 'folder');
      if (l) disk['location'] = l;
    }
  } else if (d.disk.mode === 'existing') {
    const p = validatePath(d.disk.existingPath, 'virtual hard disk');
    if (p) disk['existingPath'] = p;
  }

  if (d.install.mode === 'iso') {
    const p = validatePath(d.install.iso, 'CD/DVD image (.iso)');
    if (p) install['iso'] = p;
  } else if (d.install.mode === 'floppy') {
    const p = validatePath(d.install.floppy, 'floppy image (.vfd)');
    if (p) install['floppy'] = p;
  }
  if (d.install.kernel.trim() === '' && (d.install.initrd.trim() !== '' || d.install.append.trim() !== '')) {
    install['kernel'] = 'Enter the kernel too: the initial RAM disk and command line need one.';
  }

  return { begin: {}, name, memory, network, disk, install, summary: {} };
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.keys(errors).length > 0;
}

/** Non-blocking advice shown on a page. */
export function draftWarnings(d: NewVmDraft): Partial<Record<NewVmPage, string>> {
  const out: Partial<Record<NewVmPage, string>> = {};
  if (d.install.mode === 'net' && (d.network.kind !== 'legacy' || d.network.network === null)) {
    out.install = 'Installing from the network needs a legacy network adapter connected to a network (Configure Networking).';
  }
  if (d.disk.mode === 'new' && d.disk.type === 'fixed') {
    const bytes = parseSize(d.disk.size);
    if (bytes !== null) out.disk = `A fixed-size disk takes all ${formatBytes(bytes)} on the host when it is created, which can take a while.`;
  }
  return out;
}
