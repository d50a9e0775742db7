import { describe, expect, it } from 'vitest';
import { CreateVmParamsSchema, VHD_MAX_BYTES } from '../../../../core/contract';
import { makeHost } from '../../test-support/fixtures';
import { defaultDraft, joinPath, toCreateParams, type NewVmDraft } from './draft';
import { draftWarnings, hasErrors, validateDiskSize, validateDraft, validateMemory, validateVmName } from './validation';

const ctx = { maxMemoryMiB: 4096, existingNames: ['web01'] };
const draft = (patch: (d: NewVmDraft) => NewVmDraft = (d) => d): NewVmDraft => patch(defaultDraft(makeHost()));

describe('new VM validation', () => {
  it('uses the engine’s name rules and refuses a name in use', () => {
    expect(validateVmName('ok name')).toBeNull();
    expect(validateVmName('')).toBe('The name cannot be empty.');
    expect(validateVmName('a/b')).toMatch(/cannot contain/);
    expect(validateVmName(' x')).toMatch(/start or end with a space/);
    expect(validateVmName('x'.repeat(101))).toMatch(/at most 100/);
    expect(validateVmName('WEB01', ['web01'])).toMatch(/already exists/);
  });

  it('memory is a whole number between 16 MiB and what the host allows', () => {
    expect(validateMemory(512, 4096)).toBeNull();
    expect(validateMemory(8, 4096)).toMatch(/at least 16 MiB/);
    expect(validateMemory(5000, 4096)).toMatch(/at most 4096 MiB/);
    expect(validateMemory(null, 4096)).toMatch(/whole number/);
    expect(validateMemory(12.5, 4096)).toMatch(/whole number/);
  });

  it('disk sizes parse with units and respect the VHD limit of 2040 GB', () => {
    expect(validateDiskSize('127 GB', 'qcow2')).toEqual({ bytes: 127 * 1024 ** 3, error: null });
    expect(validateDiskSize('512M', 'vhd').error).toBeNull();
    expect(validateDiskSize('lots', 'qcow2').error).toMatch(/Enter a size/);
    expect(validateDiskSize('100K', 'qcow2').error).toMatch(/at least 1 MB/);
    expect(validateDiskSize('2040G', 'vhd')).toEqual({ bytes: VHD_MAX_BYTES, error: null });
    expect(validateDiskSize('2041G', 'vhd').error).toMatch(/VHD can be at most 2040 GB/);
    expect(validateDiskSize('2041G', 'vhdx').error).toBeNull();
    expect(validateDiskSize('65T', 'vhdx').error).toMatch(/64 TB/);
  });

  it('the defaults are valid on every page, so Finish works at once', () => {
    const errors = validateDraft(draft(), ctx);
    expect(Object.values(errors).every((e) => !hasErrors(e))).toBe(true);
  });

  it('puts each problem on its page', () => {
    const errors = validateDraft(
      draft((d) => ({
        ...d,
        name: 'web01',
        memoryMiB: 1,
        disk: { ...d.disk, size: 'huge' },
        install: { ...d.install, mode: 'iso', iso: ' ', initrd: '/x' },
      })),
      ctx,
    );
    expect(Object.keys(errors.name)).toEqual(['name']);
    expect(Object.keys(errors.memory)).toEqual(['memory']);
    expect(Object.keys(errors.disk)).toEqual(['size']);
    expect(Object.keys(errors.install).sort()).toEqual(['iso', 'kernel']);
  });

  it('checks file name and folder only when the disk goes elsewhere', () => {
    const errors = validateDraft(draft((d) => ({ ...d, disk: { ...d.disk, customLocation: true, fileName: 'a/b', location: '' } })), ctx);
    expect(Object.keys(errors.disk).sort()).toEqual(['fileName', 'location']);
  });

  it('warns that PXE needs a connected legacy adapter', () => {
    expect(draftWarnings(draft((d) => ({ ...d, install: { ...d.install, mode: 'net' } }))).install).toMatch(/legacy network adapter/);
    expect(
      draftWarnings(draft((d) => ({ ...d, network: { kind: 'legacy', network: 'External' }, install: { ...d.install, mode: 'net' } }))).install,
    ).toBeUndefined();
  });
});

describe('vm.create request', () => {
  it('defaults give a valid request: new 127 GB qcow2 in the VM folder, one unconnected adapter', () => {
    const p = toCreateParams(draft(), 127 * 1024 ** 3);
    expect(CreateVmParamsSchema.parse(p)).toMatchObject({
      name: 'New Virtual Machine',
      memoryMiB: 512,
      disk: { kind: 'new', sizeBytes: 127 * 1024 ** 3, format: 'qcow2', type: 'dynamic', bus: 'ide' },
      network: [{ kind: 'synthetic', network: null }],
      bootFrom: 'disk',
      start: false,
    });
    expect(p.disk).not.toHaveProperty('path');
  });

  it('maps install choices, kernel boot, an existing disk and a custom location', () => {
    const iso = toCreateParams(draft((d) => ({ ...d, install: { ...d.install, mode: 'iso', iso: ' /isos/x.iso ' } })), 1);
    expect(iso).toMatchObject({ iso: '/isos/x.iso', bootFrom: 'cd', floppy: null });
    const k = toCreateParams(
      draft((d) => ({ ...d, disk: { ...d.disk, mode: 'later' }, install: { ...d.install, kernel: '/g/vmlinuz', initrd: '', append: 'console=ttyS0' } })),
      null,
    );
    expect(k).toMatchObject({ kernel: { path: '/g/vmlinuz', initrd: null, append: 'console=ttyS0' }, disk: { kind: 'none' } });
    const ex = toCreateParams(draft((d) => ({ ...d, disk: { ...d.disk, mode: 'existing', existingPath: '/d/a.vhd' } })), null);
    expect(ex.disk).toEqual({ kind: 'existing', path: '/d/a.vhd', bus: 'ide' });
    const custom = toCreateParams(draft((d) => ({ ...d, disk: { ...d.disk, customLocation: true, location: '/srv/disks/', fileName: 'x.vhdx', format: 'vhdx' } })), 1024 ** 3);
    expect(custom.disk).toMatchObject({ kind: 'new', path: '/srv/disks/x.vhdx', format: 'vhdx' });
    expect(CreateVmParamsSchema.safeParse(custom).success).toBe(true);
  });

  it('joins paths with the folder’s own separator', () => {
    expect(joinPath('/a', 'b')).toBe('/a/b');
    expect(joinPath('C:\\VMs', 'b.vhd')).toBe('C:\\VMs\\b.vhd');
  });
});
