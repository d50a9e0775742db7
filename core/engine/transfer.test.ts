// Export / import round trips and Virtual PC .vmc imports on the real test guest.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportResult, ImportResult, Job } from '../contract';
import { GUEST_READY_RE, TICK_RE_GLOBAL } from '../testing/guest';
import { engineFixture, runAction, serialText, waitForSerial, type EngineFixture } from '../testing/engine-fixture';
import type { Engine } from './engine';
import { blankDisk, dataDiskVm, mountData, readMarkers, writeMarker } from './snapshots-testkit';
import { reencodedUtf8, utf16le, vmcXml } from './transfer-fixtures';

const run = promisify(execFile);
let fx: EngineFixture;
beforeEach(async () => {
  fx = await engineFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

async function done(engine: Engine, p: Promise<Job>): Promise<Job> {
  const j = await engine.waitJob((await p).id, 300_000);
  if (j.state !== 'completed') throw new Error(`${j.label}: ${j.state}: ${j.error?.message ?? ''}`);
  return j;
}
const importJob = async (e: Engine, path: string, copy = false) => (await done(e, e.invoke('transfer.import', { path, copy }))).result as ImportResult;

describe('export and import', () => {
  it('exports a saved VM with snapshots and an outside disk; imports a copy and in place, and both resume where it was', async () => {
    const e = fx.engine;
    const disk = await blankDisk(fx, 'outside.qcow2');
    await e.invoke('vm.create', dataDiskVm(fx, 'src', disk, { network: [{ kind: 'synthetic', network: null }] }));
    await runAction(e, 'src', 'start');
    await waitForSerial(e, 'src', /VIRIDIAN-DISK-READY/);
    await mountData(e, 'src', true);
    await writeMarker(e, 'src', 0, 'one');
    await done(e, e.invoke('snapshot.create', { vm: 'src', name: 'S1' }));
    await writeMarker(e, 'src', 0, 'two');
    await runAction(e, 'src', 'save');
    const original = e.getVm('src');
    const tickAtSave = Math.max(0, ...[...(await serialText(e, 'src')).matchAll(TICK_RE_GLOBAL)].map((m) => Number(m[1])));

    await expect(e.invoke('transfer.export', { vm: 'src', path: join(fx.dataDir, 'nowhere') })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const out = join(fx.dataDir, 'exports');
    await mkdir(out);
    const ex = (await done(e, e.invoke('transfer.export', { vm: 'src', path: out }))).result as ExportResult;
    expect(ex.folder).toBe(join(out, 'src'));
    expect(e.getVm('src').state).toBe('Saved');
    expect(existsSync(join(ex.folder, 'viridian-export.json'))).toBe(true);
    expect(existsSync(join(ex.folder, 'saved/state.bin'))).toBe(true);
    expect(existsSync(join(ex.folder, 'disks/outside.qcow2'))).toBe(true);
    expect(existsSync(join(ex.folder, 'run'))).toBe(false);
    const exportedConfig = JSON.parse(await readFile(join(ex.folder, 'vm.json'), 'utf8')) as { ide: [[{ path: string }]] };
    expect(exportedConfig.ide[0][0].path).toMatch(/^snapshots\/ide0-0-[0-9a-f]{8}\.qcow2$/);
    // The overlay on the outside disk now names the copy, relatively.
    const { stdout } = await run('qemu-img', ['info', '--output=json', join(ex.folder, exportedConfig.ide[0][0].path)]);
    expect((JSON.parse(stdout) as { 'backing-filename': string })['backing-filename']).toBe('../disks/outside.qcow2');
    expect(ex.notes.some((n) => n.text.includes('outside.qcow2 was copied to disks/outside.qcow2'))).toBe(true);
    await expect(done(e, e.invoke('transfer.export', { vm: 'src', path: out }))).rejects.toThrow(/already exists/);

    // A copy: new id, new MAC, new name; resumes from the saved state with its snapshot.
    const copy = await importJob(e, ex.folder, true);
    expect(copy.vm.name).toBe('src (2)');
    expect(copy.vm.id).not.toBe(original.id);
    expect(copy.vm.status.state).toBe('Saved');
    const copyVm = e.getVm(copy.vm.id);
    expect(copyVm.config.network[0]?.mac).not.toBe(original.config.network[0]?.mac);
    expect(copyVm.config.ide[0][0]).toMatchObject({ format: 'qcow2' });
    expect((copyVm.config.ide[0][0] as { path: string }).path.startsWith(copyVm.folder)).toBe(true);
    expect(existsSync(ex.folder)).toBe(true);
    await runAction(e, copy.vm.id, 'start');
    expect(copyVm.state).toBe('Running');
    expect(await readMarkers(e, copy.vm.id)).toEqual({ f0: 'two' });
    const copyLog = await serialText(e, copy.vm.id);
    expect(copyLog).not.toMatch(GUEST_READY_RE); // resumed, not booted
    // The counter goes on from where the original was (a fresh boot would start at 1).
    const ticks = [...(await waitForSerial(e, copy.vm.id, /VIRIDIAN-TICK \d+/)).matchAll(TICK_RE_GLOBAL)].map((m) => Number(m[1]));
    expect(ticks[0]).toBeGreaterThanOrEqual(Math.max(2, tickAtSave));
    const tree = await e.invoke('snapshot.list', { vm: copy.vm.id });
    expect(tree.snapshots.map((s) => s.name)).toEqual(['S1']);
    await done(e, e.invoke('snapshot.apply', { vm: copy.vm.id, snapshot: 'S1' }));
    expect(await readMarkers(e, copy.vm.id)).toEqual({ f0: 'one' });
    await runAction(e, copy.vm.id, 'turnOff');

    // In place: the same id, so not while the original is registered.
    await expect(done(e, e.invoke('transfer.import', { path: ex.folder, copy: false }))).rejects.toThrow(/already has the VM "src"/);
    await e.invoke('vm.delete', { vm: 'src', confirm: true });
    const back = await importJob(e, ex.folder, false);
    expect(back.vm.id).toBe(original.id);
    expect(back.vm.name).toBe('src');
    expect(existsSync(ex.folder)).toBe(false); // moved, not copied
    expect(e.getVm('src').config.network[0]?.mac).toBe(original.config.network[0]?.mac);
    await runAction(e, 'src', 'start');
    expect(await readMarkers(e, 'src')).toEqual({ f0: 'two' });
    await runAction(e, 'src', 'turnOff');
  }, 300_000);
});

describe('Virtual PC / Virtual Server .vmc import', () => {
  it('imports a UTF-16 .vmc with a dynamic VHD beside it (converted) and boots it; reports what it did not carry over', async () => {
    const e = fx.engine;
    const dir = join(fx.dataDir, 'Virtual Machines', 'Win2k');
    await mkdir(dir, { recursive: true });
    await copyFile(fx.guest.diskDynamicVhd, join(dir, 'Win2k Disk.vhd'));
    await writeFile(
      join(dir, 'Win2k.vmc'),
      utf16le(vmcXml({ disk: { absolute: 'C:\\Documents and Settings\\me\\My Virtual Machines\\Win2k\\Win2k Disk.vhd', relative: '.\\Win2k Disk.vhd' }, dvd: 'D:\\w2k.iso', notes: 'old DC' })),
    );
    const r = await importJob(e, join(dir, 'Win2k.vmc'));
    const vm = e.getVm(r.vm.id);
    expect(r.source).toBe('vmc');
    expect(vm.name).toBe('Win2k');
    expect(vm.config.memoryMiB).toBe(128);
    expect(vm.config.notes).toBe('old DC');
    expect(vm.config.guestOs).toBe('windows');
    expect(vm.config.ide[0][0]).toMatchObject({ kind: 'disk', format: 'qcow2', type: 'dynamic' });
    expect(vm.config.ide[1][0]).toEqual({ kind: 'dvd', path: null });
    expect(vm.config.network).toEqual([expect.objectContaining({ kind: 'legacy', macMode: 'static', mac: '00:03:ff:a1:b2:c3', network: null })]);
    expect(r.vm.migrationBlocker).toBeNull();
    const text = r.notes.map((n) => `${n.level}: ${n.text}`);
    expect(text.some((t) => /IDE 0:0: the dynamic VHD .*Win2k Disk\.vhd \(found by its relative path \.\\Win2k Disk\.vhd\) was converted to qcow2/.test(t))).toBe(true);
    expect(text).toContain('warning: IDE 1:0: the DVD image D:\\w2k.iso was not found; the drive is empty.');
    expect(text.some((t) => t.startsWith('warning: Network adapter nic0 was connected to "Shared Networking (NAT)", which does not exist here'))).toBe(true);
    expect(text).toContain('warning: Not carried over (unknown to the importer): settings/frobnicator = "on"');
    expect(text[0]).toMatch(/^info: Imported "Win2k" from .*Win2k\.vmc: 128 MB, 1 processor\.$/);
    expect(text.some((t) => t.includes('saved state (C:\\VMs\\Old\\Old.vsv) cannot be carried over'))).toBe(true);
    // The converted disk boots (syslinux → the test guest's kernel).
    await runAction(e, r.vm.id, 'start');
    await waitForSerial(e, r.vm.id, GUEST_READY_RE, 180_000);
    await runAction(e, r.vm.id, 'turnOff');

    // The same file again: the name is taken, so "(2)".
    expect((await importJob(e, join(dir, 'Win2k.vmc'))).vm.name).toBe('Win2k (2)');
  }, 300_000);

  it('imports a re-encoded UTF-8 .vmc whose fixed VHD is found by relative path in another case (in place, or copied)', async () => {
    const e = fx.engine;
    const dir = join(fx.dataDir, 'vs2005');
    await mkdir(join(dir, 'disks'), { recursive: true });
    await copyFile(fx.guest.diskFixedVhd, join(dir, 'disks', 'fixed.vhd'));
    await writeFile(join(dir, 'Server.vmc'), reencodedUtf8(vmcXml({ ramMiB: 96, disk: { absolute: 'E:\\VS\\Disks\\FIXED.VHD', relative: 'Disks\\FIXED.VHD' }, dvd: null, mac: '' })));
    const r = await importJob(e, join(dir, 'Server.vmc'));
    const vm = e.getVm(r.vm.id);
    expect(vm.config.memoryMiB).toBe(96);
    expect(vm.config.ide[0][0]).toMatchObject({ path: join(dir, 'disks', 'fixed.vhd'), format: 'vpc', type: 'fixed' });
    expect(vm.config.network[0]).toMatchObject({ macMode: 'dynamic' });
    expect(r.notes.some((n) => n.text.includes('the MAC address is missing'))).toBe(true);
    expect(r.notes.some((n) => n.text.includes('is used in place'))).toBe(true);

    const c = await importJob(e, join(dir, 'Server.vmc'), true);
    const copied = e.getVm(c.vm.id);
    expect((copied.config.ide[0][0] as { path: string }).path).toBe(join(copied.folder, 'fixed.vhd'));
    expect(existsSync(join(copied.folder, 'fixed.vhd'))).toBe(true);
  }, 120_000);

  it('imports a .vmc whose disk is gone, and says so line by line', async () => {
    const e = fx.engine;
    const dir = join(fx.dataDir, 'broken');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'Gone.vmc'), utf16le(vmcXml({ disk: { absolute: 'C:\\VMs\\Gone\\Gone.vhd', relative: '.\\Gone.vhd' }, scsiDisk: { absolute: 'C:\\VMs\\Gone\\Data.vhd', relative: '' } })));
    const r = await importJob(e, join(dir, 'Gone.vmc'));
    const vm = e.getVm(r.vm.id);
    expect(vm.config.ide[0][0]).toBeNull();
    expect(vm.config.scsi).toEqual([]);
    const errors = r.notes.filter((n) => n.level === 'error').map((n) => n.text);
    expect(errors).toEqual([
      'IDE 0:0: the hard disk C:\\VMs\\Gone\\Gone.vhd / .\\Gone.vhd was not found (tried its absolute path, its relative path and its file name beside the .vmc); nothing was attached.',
      'SCSI 0:0: the hard disk C:\\VMs\\Gone\\Data.vhd was not found (tried its absolute path, its relative path and its file name beside the .vmc); nothing was attached.',
    ]);
    await expect(done(e, e.invoke('transfer.import', { path: join(dir, 'nothing.vmc') }))).rejects.toThrow();
    await expect(e.invoke('transfer.import', { path: dir })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  }, 60_000);
});
