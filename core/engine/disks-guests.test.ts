// Disk changes under a running guest (TCG): live VHD → qcow2 conversion, then
// Save/restore; SCSI hot-add and hot-remove seen by the guest.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectDisk } from '../storage/qemu-img';
import { BOOT_ID_RE, guestAppend } from '../testing/guest';
import { guestRun, until } from '../testing/guest-shell';
import { copyGuestDisk, engineFixture, kernelVm, lastTick, runAction, serialText, waitForSerial, type EngineFixture } from '../testing/engine-fixture';

const run = promisify(execFile);
let fx: EngineFixture;
beforeEach(async () => {
  fx = await engineFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

const SECTOR = 512;
/** Writes a marker string at a sector of the guest's /dev/sda (through the emulated IDE disk). */
const writeMarker = (text: string, sector: number) => `echo ${text} | dd of=/dev/sda bs=512 seek=${sector} conv=fsync 2>/dev/null`;

async function rawOf(path: string, fmt: string): Promise<Buffer> {
  const out = `${path}.check.raw`;
  await run('qemu-img', ['convert', '-U', '-f', fmt, '-O', 'raw', path, out]);
  const data = await readFile(out);
  await rm(out, { force: true });
  return data;
}
const at = (buf: Buffer, sector: number, len: number) => buf.subarray(sector * SECTOR, sector * SECTOR + len).toString('latin1');

describe('disks under a running guest', () => {
  it('converts a running VM’s dynamic VHD to qcow2 live; then Save and restore work and the guest keeps ticking', async () => {
    const e = fx.engine;
    const vhd = await copyGuestDisk(fx, 'diskDynamicVhd', 'live.vhd');
    await e.invoke('vm.create', { ...kernelVm(fx.guest, 'live', { disk: { kind: 'existing', path: vhd } }), kernel: { path: fx.guest.kernel, initrd: fx.guest.initrd, append: guestAppend() } });
    const started = await runAction(e, 'live', 'start');
    expect(started.state, JSON.stringify(started.error)).toBe('completed');
    const boot = await waitForSerial(e, 'live', /VIRIDIAN-TICK 2\b/);
    expect(await guestRun(e, 'live', until('[ -b /dev/sda ]'))).toBe(0);
    expect(await guestRun(e, 'live', writeMarker('VIRIDIAN-BEFORE', 100_000))).toBe(0);
    await expect(e.invoke('vm.action', { vm: 'live', action: 'save' })).rejects.toMatchObject({ code: 'DISK_BLOCKS_ACTION' });
    expect(e.getVm('live').summary().migrationBlocker).toMatch(/dynamically expanding VHD/);

    const tickAtConvert = lastTick(await serialText(e, 'live'));
    const job = await e.waitJob((await e.invoke('vm.disk.convertLive', { vm: 'live' })).id, 300_000);
    expect(job.state, JSON.stringify(job.error)).toBe('completed');
    expect(job.cli).toBe(`viridian vm disk convert-live live ${vhd}`);
    expect(e.getVm('live').state).toBe('Running');
    const slot = e.getVm('live').config.ide[0][0];
    const target = vhd.replace(/\.vhd$/, '.qcow2');
    expect(slot).toMatchObject({ path: target, format: 'qcow2', type: 'dynamic' });
    expect(e.getVm('live').summary().migrationBlocker).toBeNull();
    expect(await guestRun(e, 'live', writeMarker('VIRIDIAN-AFTER', 100_100))).toBe(0);

    // No downtime: the counter goes on. Save and restore now work.
    await waitForSerial(e, 'live', new RegExp(`VIRIDIAN-TICK ${tickAtConvert + 2}\\b`));
    const tickBeforeSave = lastTick(await serialText(e, 'live'));
    expect((await runAction(e, 'live', 'save')).state).toBe('completed');
    expect(e.getVm('live').state).toBe('Saved');
    expect((await runAction(e, 'live', 'start')).state).toBe('completed');
    const after = await waitForSerial(e, 'live', new RegExp(`VIRIDIAN-TICK (${tickBeforeSave + 2}|${tickBeforeSave + 3})\\b`));
    expect(after.match(/VIRIDIAN-GUEST-READY/g)?.length).toBe(1);
    expect(BOOT_ID_RE.exec(after)?.[1]).toBe(BOOT_ID_RE.exec(boot)?.[1]);
    expect(await guestRun(e, 'live', writeMarker('VIRIDIAN-RESTORED', 100_200))).toBe(0);
    expect((await runAction(e, 'live', 'turnOff')).state).toBe('completed');

    // The qcow2 stands alone and holds everything; the VHD was left as it was at the start of the conversion.
    const info = await inspectDisk(target);
    expect([info.format, info.type, info.parent]).toEqual(['qcow2', 'dynamic', null]);
    const q = await rawOf(target, 'qcow2');
    expect([at(q, 100_000, 15), at(q, 100_100, 14), at(q, 100_200, 17)]).toEqual(['VIRIDIAN-BEFORE', 'VIRIDIAN-AFTER', 'VIRIDIAN-RESTORED']);
    const v = await rawOf(vhd, 'vpc');
    expect(at(v, 100_000, 15)).toBe('VIRIDIAN-BEFORE');
    expect(at(v, 100_100, 14)).not.toBe('VIRIDIAN-AFTER');
  }, 400_000);

  it('hot-adds and hot-removes a SCSI disk while the guest runs; IDE changes wait for Off; edits of an attached disk are refused', async () => {
    const e = fx.engine;
    await e.invoke('vm.create', { ...kernelVm(fx.guest, 'hot'), kernel: { path: fx.guest.kernel, initrd: fx.guest.initrd, append: guestAppend() } });
    await e.invoke('vm.create', kernelVm(fx.guest, 'other'));
    const disk = `${fx.dataDir}/hot.qcow2`;
    await e.waitJob((await e.invoke('disk.create', { path: disk, sizeBytes: 16 * 1024 * 1024, format: 'qcow2' })).id);
    await runAction(e, 'hot', 'start');
    await waitForSerial(e, 'hot', /VIRIDIAN-TICK 1\b/);
    expect(await guestRun(e, 'hot', '[ ! -e /sys/block/sda ]')).toBe(0);

    const d = await e.invoke('vm.disk.attach', { vm: 'hot', path: disk, bus: 'scsi' });
    expect(d.config.scsi).toMatchObject([{ lun: 0, path: disk }]);
    expect(await guestRun(e, 'hot', until('[ "$(cat /sys/block/sda/size 2>/dev/null)" = 32768 ]'))).toBe(0);
    expect((await e.invoke('vm.devices', { vm: 'hot' })).devices.find((x) => x.device === 'Hard Drive (SCSI 0)')?.kind).toBe('synthetic');

    await expect(e.invoke('vm.disk.attach', { vm: 'hot', path: await copyGuestDisk(fx, 'diskQcow2', 'ide.qcow2'), bus: 'ide' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining('no hot-plug'),
    });
    await expect(e.invoke('disk.compact', { path: disk })).rejects.toMatchObject({ code: 'DISK_IN_USE', message: expect.stringContaining('"hot" (Running, SCSI 0)') });
    await expect(e.invoke('vm.disk.attach', { vm: 'other', path: disk })).rejects.toMatchObject({ code: 'DISK_IN_USE' });

    const r = await e.invoke('vm.disk.detach', { vm: 'hot', disk: 'scsi:0' });
    expect(r.config.scsi).toEqual([]);
    expect(await guestRun(e, 'hot', until('[ ! -e /sys/block/sda ]'))).toBe(0);
    // The same LUN again (the old block node is gone).
    await e.invoke('vm.disk.attach', { vm: 'hot', path: disk, bus: 'scsi', lun: 0 });
    expect(await guestRun(e, 'hot', until('[ -e /sys/block/sda ]'))).toBe(0);
    // Settings ▸ SCSI Controller on a running VM: vm.update applies the difference by hot-plug.
    const viaSettings = await e.invoke('vm.update', { vm: 'hot', changes: { scsi: [] } });
    expect(viaSettings.config.scsi).toEqual([]);
    expect(await guestRun(e, 'hot', until('[ ! -e /sys/block/sda ]'))).toBe(0);
    await expect(e.invoke('vm.update', { vm: 'hot', changes: { memoryMiB: 256, scsi: [] } })).rejects.toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('memoryMiB') });
    const back = await e.invoke('vm.update', { vm: 'hot', changes: { scsi: [{ kind: 'disk', path: disk, format: 'qcow2', type: 'dynamic', virtualSize: 0, readOnly: false, lun: 3 }] } });
    expect(back.config.scsi).toMatchObject([{ lun: 3, path: disk, virtualSize: 16 * 1024 * 1024 }]);
    expect(await guestRun(e, 'hot', until('[ -e /sys/block/sda ]'))).toBe(0);
    expect(existsSync(disk)).toBe(true);
  }, 300_000);
});
