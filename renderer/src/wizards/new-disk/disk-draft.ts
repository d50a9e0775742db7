import type { CreateDiskParams, UserDiskFormat } from '../../../../core/contract';
import { joinPath } from '../new-vm/draft';
import { validateDiskSize, validateFileName, validatePath, type FieldErrors } from '../new-vm/validation';

export type DiskKind = 'dynamic' | 'fixed' | 'differencing';

export interface NewDiskDraft {
  format: UserDiskFormat;
  kind: DiskKind;
  fileName: string;
  location: string;
  size: string;
  parent: string;
}

export type NewDiskPage = 'type' | 'name' | 'configure' | 'summary';

export function defaultDiskDraft(root: string | undefined): NewDiskDraft {
  return { format: 'qcow2', kind: 'dynamic', fileName: 'New Virtual Hard Disk.qcow2', location: root ?? '', size: '127 GB', parent: '' };
}

export function validateDiskDraft(d: NewDiskDraft): Record<NewDiskPage, FieldErrors> {
  const name: FieldErrors = {};
  const configure: FieldErrors = {};
  const f = validateFileName(d.fileName);
  if (f) name['fileName'] = f;
  const l = validatePath(d.location, 'folder');
  if (l) name['location'] = l;
  if (d.kind === 'differencing') {
    const p = validatePath(d.parent, 'parent disk');
    if (p) configure['parent'] = p;
  } else {
    const size = validateDiskSize(d.size, d.format);
    if (size.error) configure['size'] = size.error;
  }
  return { type: {}, name, configure, summary: {} };
}

export function toDiskParams(d: NewDiskDraft): CreateDiskParams {
  const path = joinPath(d.location.trim(), d.fileName.trim());
  if (d.kind === 'differencing') return { path, format: d.format, type: 'differencing', parent: d.parent.trim() };
  const bytes = validateDiskSize(d.size, d.format).bytes ?? 0;
  return { path, format: d.format, type: d.kind, sizeBytes: bytes };
}
