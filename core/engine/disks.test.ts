// Edit Disk operations on real files with real qemu-img (no guest boots here).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiskInfo, Job } from '../contract';
import { buildQemuArgs } from '../qemu/cmdline';
import { inspectDisk } from '../storage/qemu-img';
import { copyGuestDisk, engineFixture, kernelVm, type EngineFixture } from '../testing/engine-fixture';

const run = promisify(execFile);
let fx: EngineFixture;
beforeEach(async () => {
  fx = await engineFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

const MiB = 1024 * 1024;
const p = (name: string) => join(fx.dataDir, name);
async function img(...args: string[]): Promise<string> {
  return (await run('qemu-img', args)).stdout;
}
async function io(file: string, fmt: string, ...cmds: string[]): Promise<void> {
  await run('qemu-io', ['-f', fmt, ...cmds.flatMap((c) => ['-c', c]), file]);
}
async function wait(job: Job): Promise<Job> {
  return fx.engine.waitJob(job.id, 300_000);
}
async function done(job: Job): Promise<Job> {
  const j = await wait(job);
  if (j.state !== 'completed') throw new Error(`${j.label}: ${j.state} ${JSON.stringify(j.error)}`);
  return j;
}
/** Guest-visible content of a disk, as a hash (format-independent). */
async function contentHash(path: string, format: string): Promise<string> {
  const raw = `${path}.raw-${Date.now()}`;
  await img('convert', '-f', format, '-O', 'raw', path, raw);
  const h = createHash('sha256').update(await readFile(raw)).digest('hex');
  await run('rm', ['-f', raw]);
  return h;
}
async function leftovers(): Promise<string[]> {
  return (await readdir(fx.dataDir)).filter((f) => f.endsWith('.partial'));
}

describe('Edit Disk: compact', () => {
  it('compacts a dynamic qcow2 that holds zeroed data; the content stays the same', async () => {
    const d = p('c.qcow2');
    await img('create', '-f', 'qcow2', d, '64M');
    await io(d, 'qcow2', 'write -P 0x11 0 4M', 'write -P 0 8M 24M');
    const before = await contentHash(d, 'qcow2');
    const job = await done(await fx.engine.invoke('disk.compact', { path: d }));
    expect(job.cli).toBe(`viridian disk compact ${d}`);
    const r = job.result as { before: number; after: number };
    expect(r.after).toBeLessThan(r.before - 16 * MiB);
    expect(await contentHash(d, 'qcow2')).toBe(before);
    expect(await leftovers()).toEqual([]);
  });

  it('compacts a differencing disk and keeps its parent; refuses a fixed disk', async () => {
    const base = p('base.qcow2');
    const child = p('child.qcow2');
    await img('create', '-f', 'qcow2', base, '32M');
    await io(base, 'qcow2', 'write -P 0xaa 0 16M');
    await img('create', '-f', 'qcow2', '-b', base, '-F', 'qcow2', child);
    await io(child, 'qcow2', 'write -P 0xbb 1M 1M', 'write -P 0 4M 8M');
    const before = await contentHash(child, 'qcow2');
    await done(await fx.engine.invoke('disk.compact', { path: child }));
    const info = await inspectDisk(child);
    expect(info.parent).toBe(base);
    expect(info.intact).toBe(true);
    expect(await contentHash(child, 'qcow2')).toBe(before);

    const fixed = await copyGuestDisk(fx, 'diskFixedVhd', 'f.vhd');
    await expect(fx.engine.invoke('disk.compact', { path: fixed })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});

describe('Edit Disk: expand', () => {
  it('expands qcow2 in place and VHD/VHDX through qcow2, keeping format, type and data', async () => {
    const cases: { file: string; fmt: string; type: string }[] = [];
    const q = p('e.qcow2');
    await img('create', '-f', 'qcow2', q, '64M');
    await io(q, 'qcow2', 'write -P 0x42 0 2M');
    cases.push({ file: q, fmt: 'qcow2', type: 'dynamic' });
    cases.push({ file: await copyGuestDisk(fx, 'diskDynamicVhd', 'dyn.vhd'), fmt: 'vpc', type: 'dynamic' });
    cases.push({ file: await copyGuestDisk(fx, 'diskFixedVhd', 'fix.vhd'), fmt: 'vpc', type: 'fixed' });
    const x = p('e.vhdx');
    await img('create', '-f', 'vhdx', '-o', 'subformat=dynamic', x, '64M');
    await io(x, 'vhdx', 'write -P 0x43 0 2M');
    cases.push({ file: x, fmt: 'vhdx', type: 'dynamic' });

    for (const c of cases) {
      const head = createHash('sha256').update((await rawBytes(c.file, c.fmt)).subarray(0, 64 * MiB)).digest('hex');
      const job = await done(await fx.engine.invoke('disk.expand', { path: c.file, sizeBytes: 96 * MiB }));
      const info = job.result as DiskInfo;
      expect([info.format, info.type, info.virtualSize]).toEqual([c.fmt, c.type, 96 * MiB]);
      const after = await rawBytes(c.file, c.fmt);
      expect(after.length).toBe(96 * MiB);
      expect(createHash('sha256').update(after.subarray(0, 64 * MiB)).digest('hex')).toBe(head);
    }
    expect(await leftovers()).toEqual([]);
  });

  it('refuses shrinking and VHDs above 2040 GB; updates an Off VM that uses the disk', async () => {
    const d = await copyGuestDisk(fx, 'diskQcow2', 'vm.qcow2');
    await fx.engine.invoke('vm.create', kernelVm(fx.guest, 'ex', { disk: { kind: 'existing', path: d, bus: 'scsi' } }));
    await expect(fx.engine.invoke('disk.expand', { path: d, sizeBytes: 32 * MiB })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const vhd = await copyGuestDisk(fx, 'diskDynamicVhd', 'big.vhd');
    await expect(fx.engine.invoke('disk.expand', { path: vhd, sizeBytes: 2041 * 1024 ** 3 })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('2040 GB') });
    await done(await fx.engine.invoke('disk.expand', { path: d, sizeBytes: 80 * MiB }));
    expect(fx.engine.getVm('ex').config.scsi[0]?.virtualSize).toBe(80 * MiB);
  });
});

async function rawBytes(file: string, fmt: string): Promise<Buffer> {
  const raw = `${file}.${Math.random().toString(36).slice(2)}.raw`;
  await img('convert', '-f', fmt, '-O', 'raw', file, raw);
  const data = await readFile(raw);
  await run('rm', ['-f', raw]);
  return data;
}

describe('Edit Disk: convert, merge, reconnect', () => {
  it('converts among formats and types into a new file; never overwrites', async () => {
    const src = await copyGuestDisk(fx, 'diskDynamicVhd', 'src.vhd');
    const h = await contentHash(src, 'vpc');
    const plan: [string, 'qcow2' | 'vhd' | 'vhdx', 'dynamic' | 'fixed', string][] = [
      ['a.qcow2', 'qcow2', 'dynamic', 'qcow2'],
      ['b.vhd', 'vhd', 'fixed', 'vpc'],
      ['c.vhdx', 'vhdx', 'fixed', 'vhdx'],
      ['d.vhdx', 'vhdx', 'dynamic', 'vhdx'],
    ];
    for (const [name, format, type, fmt] of plan) {
      const job = await done(await fx.engine.invoke('disk.convert', { path: src, destination: p(name), format, type }));
      expect(job.cli).toBe(`viridian disk convert ${src} ${p(name)} --format ${format} --type ${type}`);
      const info = await inspectDisk(p(name));
      expect([info.format, info.type]).toEqual([fmt, type]);
      expect(await contentHash(p(name), fmt)).toBe(h);
    }
    // Fixed VHD back to dynamic qcow2.
    await done(await fx.engine.invoke('disk.convert', { path: p('b.vhd'), destination: p('e.qcow2'), format: 'qcow2', type: 'dynamic' }));
    expect(await contentHash(p('e.qcow2'), 'qcow2')).toBe(h);
    await expect(fx.engine.invoke('disk.convert', { path: src, destination: p('a.qcow2'), format: 'qcow2' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('merges a differencing disk into its parent (the VM follows) or into a new disk', async () => {
    const parent = await copyGuestDisk(fx, 'diskDynamicVhd', 'parent.vhd');
    const child = p('child.qcow2');
    await done(await fx.engine.invoke('disk.create', { path: child, format: 'qcow2', type: 'differencing', parent }));
    await io(child, 'qcow2', 'write -P 0x77 40M 1M');
    const merged = await contentHash(child, 'qcow2');
    await fx.engine.invoke('vm.create', kernelVm(fx.guest, 'mg', { disk: { kind: 'existing', path: child } }));

    // Into a new disk: both originals stay.
    await done(await fx.engine.invoke('disk.merge', { path: child, into: 'new', destination: p('flat.vhdx'), format: 'vhdx' }));
    expect(await contentHash(p('flat.vhdx'), 'vhdx')).toBe(merged);
    expect(existsSync(child)).toBe(true);

    // Into the parent: the parent (still a dynamic VHD) holds the changes, the child is gone, the VM uses the parent.
    const job = await done(await fx.engine.invoke('disk.merge', { path: child, into: 'parent' }));
    expect(job.cli).toBe(`viridian disk merge ${child}`);
    expect(existsSync(child)).toBe(false);
    const info = await inspectDisk(parent);
    expect([info.format, info.type]).toEqual(['vpc', 'dynamic']);
    expect(await contentHash(parent, 'vpc')).toBe(merged);
    const slot = fx.engine.getVm('mg').config.ide[0][0];
    expect(slot?.kind === 'disk' ? [slot.path, slot.format] : null).toEqual([parent, 'vpc']);
    await expect(fx.engine.invoke('disk.merge', { path: parent, into: 'parent' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('shows a missing parent and reconnects it', async () => {
    await mkdir(p('old'));
    const parent = p('old/base.qcow2');
    await img('create', '-f', 'qcow2', parent, '32M');
    await io(parent, 'qcow2', 'write -P 0x31 0 1M');
    const child = p('diff.qcow2');
    await done(await fx.engine.invoke('disk.create', { path: child, format: 'qcow2', type: 'differencing', parent }));
    const h = await contentHash(child, 'qcow2');
    await mkdir(p('new'));
    await rename(parent, p('new/base.qcow2'));
    const broken = await fx.engine.invoke('disk.inspect', { path: child });
    expect(broken.intact).toBe(false);
    expect(broken.chain[1]).toMatchObject({ path: parent, exists: false });
    // A wrong parent (larger than the child) is refused and the header is left as it was.
    const big = p('big.qcow2');
    await img('create', '-f', 'qcow2', big, '64M');
    await expect(fx.engine.invoke('disk.reconnect', { path: child, parent: big })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const job = await done(await fx.engine.invoke('disk.reconnect', { path: child, parent: p('new/base.qcow2') }));
    expect(job.cli).toBe(`viridian disk reconnect ${child} --parent ${p('new/base.qcow2')}`);
    const fixed = await fx.engine.invoke('disk.inspect', { path: child });
    expect(fixed).toMatchObject({ intact: true, parent: p('new/base.qcow2') });
    expect(await contentHash(child, 'qcow2')).toBe(h);
  });
});

describe('Edit Disk: bad input, cancel, free space', () => {
  it('refuses paths outside the roots, files that are not disks, and too little free space (with the numbers)', async () => {
    await expect(fx.engine.invoke('disk.compact', { path: '/etc/passwd' })).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOTS' });
    await writeFile(p('notes.vhd'), 'just text, not a disk\n'.repeat(100));
    await expect(fx.engine.invoke('disk.compact', { path: p('notes.vhd') })).rejects.toMatchObject({ code: 'NOT_A_DISK' });
    await expect(fx.engine.invoke('disk.convert', { path: p('notes.vhd'), destination: p('x.qcow2'), format: 'qcow2' })).rejects.toMatchObject({ code: 'NOT_A_DISK' });
    // 2000 GB converted to a fixed disk cannot fit here: refused before any job starts.
    await img('create', '-f', 'qcow2', p('huge.qcow2'), '2000G');
    const jobsBefore = (await fx.engine.invoke('job.list', {})).length;
    const err = await fx.engine.invoke('disk.convert', { path: p('huge.qcow2'), destination: p('huge.vhd'), format: 'vhd', type: 'fixed' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NO_SPACE', message: expect.stringMatching(/needs about [\d.]+ TiB, but only [\d.]+ [GMT]iB is free in /) });
    expect((await fx.engine.invoke('job.list', {})).length).toBe(jobsBefore);
  });

  it('cancelling a conversion or compaction leaves no new file and the source unchanged', async () => {
    const src = p('big.qcow2');
    await img('create', '-f', 'qcow2', src, '1024M');
    await io(src, 'qcow2', 'write -P 0x5a 0 1024M');
    const before = createHash('sha256').update(await readFile(src)).digest('hex');
    const job = await fx.engine.invoke('disk.convert', { path: src, destination: p('out.vhdx'), format: 'vhdx', type: 'fixed' });
    await new Promise((r) => setTimeout(r, 300));
    await fx.engine.invoke('job.cancel', { id: job.id });
    expect((await wait(job)).state).toBe('cancelled');
    expect(existsSync(p('out.vhdx'))).toBe(false);
    expect(await leftovers()).toEqual([]);

    await io(src, 'qcow2', 'write -P 0 0 1024M');
    const zeroed = createHash('sha256').update(await readFile(src)).digest('hex');
    expect(zeroed).not.toBe(before);
    const c = await fx.engine.invoke('disk.compact', { path: src });
    await new Promise((r) => setTimeout(r, 200));
    await fx.engine.invoke('job.cancel', { id: c.id });
    const end = await wait(c);
    // Either it was cancelled (source untouched) or it had already finished (content the same, just smaller).
    if (end.state === 'cancelled') expect(createHash('sha256').update(await readFile(src)).digest('hex')).toBe(zeroed);
    else expect(end.state).toBe('completed');
    expect(await leftovers()).toEqual([]);
  }, 120_000);
});

describe('disks of a VM that is off; synthetic vs emulated', () => {
  it('attaches and detaches SCSI and IDE disks while off; refuses a disk of another VM', async () => {
    const a = await copyGuestDisk(fx, 'diskQcow2', 'a.qcow2');
    const b = await copyGuestDisk(fx, 'diskFixedVhd', 'b.vhd');
    await fx.engine.invoke('vm.create', kernelVm(fx.guest, 'off1'));
    await fx.engine.invoke('vm.create', kernelVm(fx.guest, 'off2'));
    let d = await fx.engine.invoke('vm.disk.attach', { vm: 'off1', path: a, bus: 'scsi' });
    expect(d.config.scsi).toMatchObject([{ lun: 0, path: a, format: 'qcow2' }]);
    d = await fx.engine.invoke('vm.disk.attach', { vm: 'off1', path: b, bus: 'ide' });
    expect(d.config.ide[0][0]).toMatchObject({ path: b, format: 'vpc', type: 'fixed' });
    await expect(fx.engine.invoke('vm.disk.attach', { vm: 'off2', path: a })).rejects.toMatchObject({ code: 'DISK_IN_USE' });
    d = await fx.engine.invoke('vm.disk.detach', { vm: 'off1', disk: 'scsi:0' });
    expect(d.config.scsi).toEqual([]);
    d = await fx.engine.invoke('vm.disk.detach', { vm: 'off1', disk: b });
    expect(d.config.ide[0][0]).toBeNull();
  });

  it('lists synthetic and emulated devices; hv-* only with KVM/WHPX for Windows guests', async () => {
    const a = await copyGuestDisk(fx, 'diskQcow2', 'w.qcow2');
    const vm = await fx.engine.invoke('vm.create', kernelVm(fx.guest, 'win', { guestOs: 'windows', disk: { kind: 'existing', path: a }, network: [{ kind: 'synthetic', network: null }, { kind: 'legacy', network: null }] }));
    const dev = await fx.engine.invoke('vm.devices', { vm: 'win' });
    expect(dev.accelerator).toBe(fx.engine.hostInfo.accelerator.kind);
    const kinds = Object.fromEntries(dev.devices.map((x) => [x.device, x.kind]));
    expect(kinds).toMatchObject({ 'Hard Drive (IDE 0:0)': 'emulated', 'SCSI Controller': 'synthetic', 'Network Adapter': 'synthetic', 'Legacy Network Adapter': 'emulated' });
    if (dev.accelerator === 'tcg') expect(dev.enlightenments).toMatchObject({ enabled: false, reason: expect.stringContaining('TCG') });
    const paths = { qmp: 'q', serial: 's', vnc: 'v', pidfile: 'p', serialLog: 'l' };
    const cpu = (accel: 'tcg' | 'kvm' | 'whpx', guestOs: 'windows' | 'linux') => {
      const args = buildQemuArgs({ ...vm.config, guestOs }, paths, { accel });
      return args[args.indexOf('-cpu') + 1];
    };
    expect(cpu('kvm', 'windows')).toBe('host,hv-relaxed=on,hv-vapic=on,hv-spinlocks=0x1fff,hv-time=on');
    expect(cpu('whpx', 'windows')).toContain('hv-relaxed=on');
    expect(cpu('tcg', 'windows')).toBe('qemu64');
    expect(cpu('kvm', 'linux')).toBe('host');
  });

  it('copies the contents of an existing image into a new disk (wizard "copy from")', async () => {
    const raw = p('image.img');
    await copyFile(fx.guest.diskRaw, raw);
    const job = await done(await fx.engine.invoke('disk.convert', { path: raw, destination: p('copy.vhd'), format: 'vhd', type: 'dynamic' }));
    expect((job.result as DiskInfo).format).toBe('vpc');
    expect(await contentHash(p('copy.vhd'), 'vpc')).toBe(await contentHash(raw, 'raw'));
  });
});
