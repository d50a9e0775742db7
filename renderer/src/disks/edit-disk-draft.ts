import { formatBytes, type DiskInfo, type MethodParams, type UserDiskFormat } from '../../../core/contract';
import { checkAbsolute, checkFileName, checkSize, cliPreview, editActions, withExtension, type EditAction } from './disk-model';

export interface EditDiskDraft {
  path: string;
  action: EditAction;
  /** convert / merge into new */
  destination: string;
  format: UserDiskFormat;
  type: 'dynamic' | 'fixed';
  /** expand */
  size: string;
  /** merge */
  into: 'parent' | 'new';
  /** reconnect */
  parent: string;
}

export type EditPageId = 'locate' | 'action' | 'configure' | 'summary';

export function defaultEditDraft(path = '', action: EditAction = 'compact'): EditDiskDraft {
  return { path, action, destination: '', format: 'qcow2', type: 'dynamic', size: '', into: 'parent', parent: '' };
}

/** A sensible new file name beside the disk for Convert / Merge into new. */
export function suggestDestination(path: string, format: UserDiskFormat, suffix: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dir = path.slice(0, slash + 1);
  const stem = path.slice(slash + 1).replace(/\.(qcow2|vhdx?|img|raw)$/i, '');
  return dir + withExtension(`${stem}-${suffix}`, format);
}

export function validateEdit(d: EditDiskDraft, info: DiskInfo | null, inspectError: string | null): Record<EditPageId, Partial<Record<string, string>>> {
  const locate: Partial<Record<string, string>> = {};
  const abs = checkAbsolute(d.path, 'disk');
  if (abs) locate['path'] = abs;
  else if (inspectError) locate['path'] = inspectError;
  else if (!info) locate['path'] = 'Reading the disk…';
  const action: Partial<Record<string, string>> = {};
  if (info) {
    const why = editActions(info)[d.action];
    if (why) action['action'] = why;
  }
  const configure: Partial<Record<string, string>> = {};
  const needsDest = d.action === 'convert' || (d.action === 'merge' && d.into === 'new');
  if (needsDest) {
    const a = checkAbsolute(d.destination, 'new disk');
    const n = a ?? checkFileName(d.destination.split(/[/\\]/).pop() ?? '');
    if (n) configure['destination'] = n;
    else if (d.destination.trim() === d.path.trim()) configure['destination'] = 'Choose a new file; the original is never overwritten.';
    if (info && d.format === 'vhd' && info.virtualSize > 2040 * 1024 ** 3) configure['format'] = 'The disk is larger than a VHD can hold (2040 GB).';
  }
  if (d.action === 'expand' && info) {
    const fmt: UserDiskFormat = info.format === 'vpc' ? 'vhd' : info.format === 'vhdx' ? 'vhdx' : 'qcow2';
    const sz = checkSize(d.size, fmt);
    if (sz.error) configure['size'] = sz.error;
    else if (sz.bytes !== null && sz.bytes <= info.virtualSize) configure['size'] = `Enter more than the current ${formatBytes(info.virtualSize)}.`;
  }
  if (d.action === 'reconnect') {
    const a = checkAbsolute(d.parent, 'parent disk');
    if (a) configure['parent'] = a;
  }
  return { locate, action, configure, summary: {} };
}

export type EditCall =
  | { method: 'disk.compact'; params: MethodParams<'disk.compact'> }
  | { method: 'disk.convert'; params: MethodParams<'disk.convert'> }
  | { method: 'disk.expand'; params: MethodParams<'disk.expand'> }
  | { method: 'disk.merge'; params: MethodParams<'disk.merge'> }
  | { method: 'disk.reconnect'; params: MethodParams<'disk.reconnect'> };

export function editCall(d: EditDiskDraft, info: DiskInfo | null): EditCall {
  const path = d.path.trim();
  switch (d.action) {
    case 'compact':
      return { method: 'disk.compact', params: { path } };
    case 'convert':
      return { method: 'disk.convert', params: { path, destination: d.destination.trim(), format: d.format, type: d.type } };
    case 'expand': {
      const fmt: UserDiskFormat = info?.format === 'vpc' ? 'vhd' : info?.format === 'vhdx' ? 'vhdx' : 'qcow2';
      return { method: 'disk.expand', params: { path, sizeBytes: checkSize(d.size, fmt).bytes ?? 0 } };
    }
    case 'merge':
      return d.into === 'parent'
        ? { method: 'disk.merge', params: { path, into: 'parent' } }
        : { method: 'disk.merge', params: { path, into: 'new', destination: d.destination.trim(), format: d.format, type: d.type } };
    case 'reconnect':
      return { method: 'disk.reconnect', params: { path, parent: d.parent.trim() } };
  }
}

export function editCli(d: EditDiskDraft, info: DiskInfo | null): string {
  const c = editCall(d, info);
  switch (c.method) {
    case 'disk.compact':
      return cliPreview('disk', 'compact', c.params.path);
    case 'disk.convert':
      return cliPreview('disk', 'convert', c.params.path, c.params.destination, '--format', c.params.format, '--type', c.params.type ?? 'dynamic');
    case 'disk.expand':
      return cliPreview('disk', 'expand', c.params.path, '--size', String(c.params.sizeBytes));
    case 'disk.merge':
      return c.params.into === 'parent'
        ? cliPreview('disk', 'merge', c.params.path)
        : cliPreview('disk', 'merge', c.params.path, '--into-new', c.params.destination ?? '', '--format', c.params.format ?? 'qcow2', '--type', c.params.type ?? 'dynamic');
    case 'disk.reconnect':
      return cliPreview('disk', 'reconnect', c.params.path, '--parent', c.params.parent);
  }
}
