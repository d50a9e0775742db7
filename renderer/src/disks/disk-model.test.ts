import { describe, expect, it } from 'vitest';
import type { DiskInfo } from '../../../core/contract';
import { checkSize, cliPreview, editActions, withExtension } from './disk-model';
import { defaultEditDraft, editCall, editCli, validateEdit } from './edit-disk-draft';
import { defaultNewDisk, newDiskCall, newDiskCli, setFormat, validateNewDisk } from './new-disk-draft';

const GiB = 1024 ** 3;
const info = (over: Partial<DiskInfo>): DiskInfo => ({
  path: '/d/a.vhd',
  format: 'vpc',
  type: 'dynamic',
  virtualSize: 10 * GiB,
  actualSize: GiB,
  parent: null,
  chain: [{ path: '/d/a.vhd', format: 'vpc', exists: true }],
  intact: true,
  ...over,
});
const noFacts = { space: null, spaceError: null, copyInfo: null, copyError: null, parentInfo: null, parentError: null };

describe('disk wizard rules', () => {
  it('sizes: VHD at most 2040 GB, VHDX and qcow2 more; at least 1 MB', () => {
    expect(checkSize('2040 GB', 'vhd').error).toBeNull();
    expect(checkSize('2041 GB', 'vhd').error).toMatch(/2040 GB/);
    expect(checkSize('10 TB', 'vhdx')).toEqual({ bytes: 10 * 1024 ** 4, error: null });
    expect(checkSize('12 KB', 'qcow2').error).toMatch(/at least 1 MB/);
    expect(checkSize('lots', 'qcow2').error).toMatch(/Enter a size/);
  });

  it('New disk: format switch fixes the extension and drops differencing for VHD; fixed needs the free space', () => {
    let d = defaultNewDisk('/data');
    d = setFormat({ ...d, type: 'differencing' }, 'vhdx');
    expect([d.name, d.type]).toEqual(['New Virtual Hard Disk.vhdx', 'dynamic']);
    expect(withExtension('x.qcow2', 'vhd')).toBe('x.vhd');
    const fixed = { ...defaultNewDisk('/data'), type: 'fixed' as const, size: '100 GB' };
    const e = validateNewDisk(fixed, { ...noFacts, space: { folder: '/data', freeBytes: 50 * GiB, exists: true } });
    expect(e.configure['size']).toMatch(/needs that much space, but only 50.0 GiB is free/);
    expect(validateNewDisk({ ...fixed, location: 'relative' }, noFacts).name['location']).toMatch(/full path/);
  });

  it('New disk: the call and the CLI line for blank, copy and differencing', () => {
    const d = { ...defaultNewDisk('/data'), size: '1 GB' };
    expect(newDiskCall(d)).toEqual({ method: 'disk.create', params: { path: '/data/New Virtual Hard Disk.vhd', format: 'vhd', type: 'dynamic', sizeBytes: GiB } });
    expect(newDiskCli(d)).toBe(`viridian disk create '/data/New Virtual Hard Disk.vhd' --size ${GiB} --format vhd --type dynamic`);
    expect(newDiskCall({ ...d, source: 'copy', copyFrom: '/img/a.img' })).toMatchObject({ method: 'disk.convert', params: { path: '/img/a.img', destination: '/data/New Virtual Hard Disk.vhd' } });
    expect(newDiskCli({ ...d, format: 'qcow2', name: 'c.qcow2', type: 'differencing', parent: '/p.vhd' })).toBe('viridian disk differencing /data/c.qcow2 --parent /p.vhd');
  });

  it('Edit disk: what is allowed for which disk, and why not', () => {
    expect(editActions(info({})).merge).toMatch(/Only a differencing disk/);
    expect(editActions(info({ type: 'fixed' })).compact).toMatch(/fixed-size/);
    const vhdDiff = editActions(info({ type: 'differencing' }));
    expect(vhdDiff.convert).toMatch(/cannot read through/);
    expect(vhdDiff.reconnect).toMatch(/parent locators/);
    const broken = info({ format: 'qcow2', type: 'differencing', intact: false });
    expect(editActions(broken).reconnect).toBeNull();
    expect(editActions(broken).merge).toMatch(/reconnect it first/);
  });

  it('Edit disk: expand must grow; convert needs a new file; calls and CLI lines', () => {
    const d = { ...defaultEditDraft('/d/a.vhd', 'expand'), size: '5 GB' };
    expect(validateEdit(d, info({}), null).configure['size']).toMatch(/more than the current 10.0 GiB/);
    const conv = { ...defaultEditDraft('/d/a.vhd', 'convert'), destination: '/d/a.vhd', format: 'vhd' as const };
    expect(validateEdit(conv, info({}), null).configure['destination']).toMatch(/never overwritten/);
    expect(editCall({ ...d, size: '20 GB' }, info({}))).toEqual({ method: 'disk.expand', params: { path: '/d/a.vhd', sizeBytes: 20 * GiB } });
    expect(editCli({ ...defaultEditDraft('/d/c.qcow2', 'merge'), into: 'new', destination: '/d/m.vhdx', format: 'vhdx' }, null)).toBe(
      'viridian disk merge /d/c.qcow2 --into-new /d/m.vhdx --format vhdx --type dynamic',
    );
    expect(cliPreview('disk', 'compact', "/it's here")).toBe(`viridian disk compact '/it'\\''s here'`);
  });
});
