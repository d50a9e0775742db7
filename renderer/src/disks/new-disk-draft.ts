import { formatBytes, type DiskInfo, type DiskSpace, type MethodParams, type UserDiskFormat } from '../../../core/contract';
import { FORMAT_FACTS, checkAbsolute, checkFileName, checkSize, cliPreview, joinPath, withExtension, type NewDiskSource, type NewDiskType } from './disk-model';

export interface NewDiskDraft {
  format: UserDiskFormat;
  type: NewDiskType;
  name: string;
  location: string;
  source: NewDiskSource;
  size: string;
  copyFrom: string;
  parent: string;
}

export type NewDiskPageId = 'begin' | 'format' | 'type' | 'name' | 'configure' | 'summary';
export type PageErrors = Partial<Record<string, string>>;

export function defaultNewDisk(location: string): NewDiskDraft {
  return { format: 'vhd', type: 'dynamic', name: 'New Virtual Hard Disk.vhd', location, source: 'blank', size: '127 GB', copyFrom: '', parent: '' };
}

export function setFormat(d: NewDiskDraft, format: UserDiskFormat): NewDiskDraft {
  const type = FORMAT_FACTS[format].types.includes(d.type) ? d.type : 'dynamic';
  return { ...d, format, type, name: withExtension(d.name, format) };
}

export interface DiskFacts {
  space: DiskSpace | null;
  spaceError: string | null;
  copyInfo: DiskInfo | null;
  copyError: string | null;
  parentInfo: DiskInfo | null;
  parentError: string | null;
}

/** Page by page, what is wrong (empty = fine). Facts come from the engine (free space, inspected disks). */
export function validateNewDisk(d: NewDiskDraft, f: DiskFacts): Record<NewDiskPageId, PageErrors> {
  const type: PageErrors = {};
  if (!FORMAT_FACTS[d.format].types.includes(d.type)) {
    type['type'] = `qemu-img cannot create ${FORMAT_FACTS[d.format].label} differencing disks. Choose qcow2 on the previous page; its parent may be a VHD or VHDX.`;
  }
  const name: PageErrors = {};
  const n = checkFileName(d.name);
  if (n) name['name'] = n;
  const l = checkAbsolute(d.location, 'location');
  if (l) name['location'] = l;
  else if (f.spaceError) name['location'] = f.spaceError;
  const configure: PageErrors = {};
  if (d.type === 'differencing') {
    const p = checkAbsolute(d.parent, 'parent disk');
    if (p) configure['parent'] = p;
    else if (f.parentError) configure['parent'] = f.parentError;
    else if (f.parentInfo && !f.parentInfo.intact) configure['parent'] = 'This disk’s own parent is missing; reconnect it first (Edit Disk).';
  } else if (d.source === 'copy') {
    const c = checkAbsolute(d.copyFrom, 'disk or image to copy');
    if (c) configure['copyFrom'] = c;
    else if (f.copyError) configure['copyFrom'] = f.copyError;
    else if (f.copyInfo && d.format === 'vhd' && f.copyInfo.virtualSize > FORMAT_FACTS.vhd.maxBytes) configure['copyFrom'] = 'It is larger than a VHD can hold (2040 GB).';
    else if (f.copyInfo && d.type === 'fixed' && f.space && f.copyInfo.virtualSize > f.space.freeBytes) {
      configure['copyFrom'] = `A fixed copy needs ${formatBytes(f.copyInfo.virtualSize)}, but only ${formatBytes(f.space.freeBytes)} is free in ${f.space.folder}.`;
    }
  } else {
    const sz = checkSize(d.size, d.format);
    if (sz.error) configure['size'] = sz.error;
    else if (d.type === 'fixed' && f.space && sz.bytes !== null && sz.bytes > f.space.freeBytes) {
      configure['size'] = `A fixed ${formatBytes(sz.bytes)} disk needs that much space, but only ${formatBytes(f.space.freeBytes)} is free in ${f.space.folder}.`;
    }
  }
  return { begin: {}, format: {}, type, name, configure, summary: {} };
}

export function newDiskPath(d: NewDiskDraft): string {
  return joinPath(d.location, d.name);
}

export type NewDiskCall = { method: 'disk.create'; params: MethodParams<'disk.create'> } | { method: 'disk.convert'; params: MethodParams<'disk.convert'> };

export function newDiskCall(d: NewDiskDraft): NewDiskCall {
  const path = newDiskPath(d);
  if (d.type === 'differencing') return { method: 'disk.create', params: { path, format: 'qcow2', type: 'differencing', parent: d.parent.trim() } };
  if (d.source === 'copy') return { method: 'disk.convert', params: { path: d.copyFrom.trim(), destination: path, format: d.format, type: d.type } };
  return { method: 'disk.create', params: { path, format: d.format, type: d.type, sizeBytes: checkSize(d.size, d.format).bytes ?? 0 } };
}

/** The command the wizard's work equals (shown on the summary page). */
export function newDiskCli(d: NewDiskDraft): string {
  const path = newDiskPath(d);
  if (d.type === 'differencing') return cliPreview('disk', 'differencing', path, '--parent', d.parent.trim());
  if (d.source === 'copy') return cliPreview('disk', 'convert', d.copyFrom.trim(), path, '--format', d.format, '--type', d.type);
  return cliPreview('disk', 'create', path, '--size', String(checkSize(d.size, d.format).bytes ?? 0), '--format', d.format, '--type', d.type);
}
