import { describe, it, expect, afterEach } from 'vitest';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareVersions, findQemuSystem, hostInfo, parseQemuVersion, probeAccelerator, qemuVersion, qmpQueryKvm, resetAcceleratorCache } from './probe';
import { AcceleratorSchema, HostInfoSchema } from '../contract';

const savedAccel = process.env['VIRIDIAN_ACCEL'];
afterEach(() => {
  if (savedAccel === undefined) delete process.env['VIRIDIAN_ACCEL'];
  else process.env['VIRIDIAN_ACCEL'] = savedAccel;
  resetAcceleratorCache();
});

async function qemu(): Promise<string> {
  const bin = await findQemuSystem();
  expect(bin, 'qemu-system-x86_64 must be installed for these tests').not.toBeNull();
  return bin ?? '';
}

describe('findQemuSystem / qemuVersion', () => {
  it('finds QEMU on PATH, honours VIRIDIAN_QEMU, and reads its version', async () => {
    const bin = await qemu();
    expect(bin).toMatch(/qemu-system-x86_64$/);
    expect(await findQemuSystem({ VIRIDIAN_QEMU: bin })).toBe(bin);
    expect(await findQemuSystem({ VIRIDIAN_QEMU: join(tmpdir(), 'no-such-qemu') })).toBeNull();
    const v = await qemuVersion(bin);
    expect(v).toMatch(/^\d+\.\d+/);
    expect(compareVersions(v, '7.2')).toBeGreaterThanOrEqual(0);
  });

  it('parses and compares versions', () => {
    expect(parseQemuVersion('QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\n')).toBe('7.2.22');
    expect(parseQemuVersion('nonsense')).toBeNull();
    expect(compareVersions('7.2.22', '7.2')).toBe(1);
    expect(compareVersions('7.2', '7.2.0')).toBe(0);
    expect(compareVersions('7.10', '7.9')).toBe(1);
    expect(compareVersions('6.2.0', '7.2')).toBe(-1);
  });
});

describe('probeAccelerator', () => {
  it('returns a valid kind with a reason, and caches the answer', async () => {
    delete process.env['VIRIDIAN_ACCEL'];
    const bin = await qemu();
    const a = await probeAccelerator(bin);
    expect(AcceleratorSchema.parse(a.kind)).toBe(a.kind);
    expect(a.reason.length).toBeGreaterThan(0);
    if (a.kind === 'tcg') expect(a.hint ?? '').not.toBe('');
    if (process.platform === 'linux' && !existsSync('/dev/kvm')) {
      expect(a.kind).toBe('tcg');
      expect(a.reason).toContain('Hardware virtualization is not available');
      expect(a.hint).toMatch(/kvm_intel or kvm_amd/);
    }
    expect(probeAccelerator(bin)).toBe(probeAccelerator(bin));
  }, 30_000);

  it('VIRIDIAN_ACCEL forces tcg or kvm', async () => {
    const bin = await qemu();
    process.env['VIRIDIAN_ACCEL'] = 'tcg';
    const t = await probeAccelerator(bin);
    expect(t.kind).toBe('tcg');
    expect(t.reason).toMatch(/VIRIDIAN_ACCEL=tcg/);
    process.env['VIRIDIAN_ACCEL'] = 'kvm';
    expect((await probeAccelerator(bin)).kind).toBe('kvm');
  });

  it('asks a real QEMU over QMP whether KVM is enabled (TCG here: no)', async () => {
    const r = await qmpQueryKvm(await qemu(), 'tcg');
    expect(r.enabled).toBe(false);
  }, 30_000);

  it('explains why QEMU could not start with KVM when there is none', async () => {
    if (existsSync('/dev/kvm')) return; // only meaningful without KVM
    await expect(qmpQueryKvm(await qemu(), 'kvm')).rejects.toThrow(/kvm/i);
  }, 30_000);
});

describe('hostInfo', () => {
  it('parses with HostInfoSchema and keeps memory back for the host', async () => {
    process.env['VIRIDIAN_ACCEL'] = 'tcg';
    const info = await hostInfo('/var/lib/viridian', ['/var/lib/viridian/vms']);
    expect(HostInfoSchema.parse(info)).toEqual(info);
    expect(info.qemu.found).toBe(true);
    expect(info.qemu.img).toMatch(/qemu-img$/);
    expect(info.qemu.version).toMatch(/^\d+\.\d+/);
    expect(info.accelerator.kind).toBe('tcg');
    expect(info.maxVmMemoryMiB).toBe(Math.max(256, info.memoryMiB - 512));
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.storageRoots).toEqual(['/var/lib/viridian/vms']);
  });
});
