import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeSpaceCheck, runDoctor, versionCheck, type DoctorCheck } from './doctor';
import { resetAcceleratorCache } from '../qemu/probe';

let base: string;
const saved = { ...process.env };
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'viridian-doctor-'));
  resetAcceleratorCache();
});
afterEach(async () => {
  for (const k of ['VIRIDIAN_QEMU', 'VIRIDIAN_QEMU_IMG', 'VIRIDIAN_ACCEL']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await rm(base, { recursive: true, force: true });
});

function byId(checks: DoctorCheck[], id: string): DoctorCheck {
  const c = checks.find((x) => x.id === id);
  expect(c, `check ${id}`).toBeDefined();
  return c as DoctorCheck;
}

describe('runDoctor', () => {
  it('passes on this machine and creates the data folder', async () => {
    const dataDir = join(base, 'data', 'viridian');
    const checks = await runDoctor(dataDir);
    expect(checks.map((c) => c.id)).toEqual(['qemu-system', 'qemu-img', 'qemu-version', 'accelerator', 'data-dir', 'free-space']);
    for (const id of ['qemu-system', 'qemu-img', 'qemu-version', 'accelerator', 'data-dir']) expect(byId(checks, id).ok).toBe(true);
    for (const c of checks) {
      expect(c.title.length).toBeGreaterThan(0);
      expect(c.detail.length).toBeGreaterThan(0);
    }
    expect((await stat(dataDir)).isDirectory()).toBe(true);
    // The write probe cleans up after itself.
    expect(await readdir(dataDir)).toEqual([]);
  }, 30_000);

  it('passes TCG but carries the notice and the fix', async () => {
    process.env['VIRIDIAN_ACCEL'] = 'tcg';
    const accel = byId(await runDoctor(join(base, 'd')), 'accelerator');
    expect(accel.ok).toBe(true);
    expect(accel.detail).toMatch(/^TCG: /);
  });

  it('says how to install QEMU when it is missing', async () => {
    process.env['VIRIDIAN_QEMU'] = join(base, 'no-qemu');
    process.env['VIRIDIAN_QEMU_IMG'] = join(base, 'no-qemu-img');
    const checks = await runDoctor(join(base, 'd'));
    const sys = byId(checks, 'qemu-system');
    expect(sys.ok).toBe(false);
    if (process.platform === 'linux') expect(sys.fix).toBe('sudo apt-get install qemu-system-x86');
    const img = byId(checks, 'qemu-img');
    expect(img.ok).toBe(false);
    if (process.platform === 'linux') expect(img.fix).toBe('sudo apt-get install qemu-utils');
    expect(byId(checks, 'qemu-version').ok).toBe(false);
    expect(byId(checks, 'accelerator').ok).toBe(false);
  });

  it('reports a data folder that cannot be created, pointing at VIRIDIAN_DATA', async () => {
    // A file where a folder should be: mkdir fails even for root.
    await writeFile(join(base, 'file'), 'x');
    const checks = await runDoctor(join(base, 'file', 'data'));
    const c = byId(checks, 'data-dir');
    expect(c.ok).toBe(false);
    expect(c.detail).toContain(join(base, 'file', 'data'));
    expect(c.fix).toMatch(/VIRIDIAN_DATA/);
    // Free space is still measured on the nearest existing folder.
    expect(byId(checks, 'free-space').detail).toMatch(/free/);
  });
});

describe('individual checks', () => {
  it('requires QEMU 7.2 or newer', () => {
    expect(versionCheck('7.2.22').ok).toBe(true);
    expect(versionCheck('8.2.0').ok).toBe(true);
    const old = versionCheck('6.2.0');
    expect(old.ok).toBe(false);
    expect(old.detail).toMatch(/too old/);
    expect(versionCheck(null).ok).toBe(false);
  });

  it('warns under 2 GiB free, with the numbers', () => {
    const low = freeSpaceCheck(512 * 1024 ** 2, '/data');
    expect(low).toMatchObject({ ok: false, severity: 'warn' });
    expect(low.detail).toContain('512 MiB');
    expect(low.fix).toMatch(/VIRIDIAN_DATA/);
    expect(freeSpaceCheck(3 * 1024 ** 3, '/data').ok).toBe(true);
  });
});
