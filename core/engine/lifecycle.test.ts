import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ViridianError } from '../contract';
import { sleep } from '../qemu/qmp';
import { BOOT_ID_RE } from '../testing/guest';
import {
  copyGuestDisk,
  engineFixture,
  kernelVm,
  lastTick,
  runAction,
  serialText,
  waitForSerial,
  waitForState,
  type EngineFixture,
} from '../testing/engine-fixture';

// Real QEMU, real guest (TCG here): each test boots the tiny test guest.
const READY = /VIRIDIAN-GUEST-READY/;
const bootId = (text: string) => BOOT_ID_RE.exec(text)?.[1];

let fx: EngineFixture;
beforeEach(async () => {
  fx = await engineFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

describe('VM lifecycle on a real guest', () => {
  it('starts to Running, the guest prints its marker, and Shut Down powers it off cleanly', async () => {
    const { engine } = fx;
    await engine.invoke('vm.create', kernelVm(fx.guest, 'alpha'));
    const job = await runAction(engine, 'alpha', 'start');
    expect(job.state).toBe('completed');
    expect(engine.getVm('alpha').state).toBe('Running');
    await waitForSerial(engine, 'alpha', READY);
    const pid = engine.getVm('alpha').pid;
    expect(pid).toBeGreaterThan(0);
    const down = await runAction(engine, 'alpha', 'shutDown', 60);
    expect(down.state).toBe('completed');
    expect(engine.getVm('alpha').state).toBe('Off');
    expect(engine.getVm('alpha').pid).toBeNull();
  });

  it('Save then Start continues the guest where it was (the counter keeps counting)', async () => {
    const { engine } = fx;
    await engine.invoke('vm.create', kernelVm(fx.guest, 'beta'));
    await runAction(engine, 'beta', 'start');
    const before = await waitForSerial(engine, 'beta', /VIRIDIAN-TICK [3-9]/);
    const saved = await runAction(engine, 'beta', 'save');
    expect(saved.state).toBe('completed');
    expect(engine.getVm('beta').state).toBe('Saved');
    expect(existsSync(join(engine.getVm('beta').folder, 'saved/state.bin'))).toBe(true);
    const tickAtSave = lastTick(await serialText(engine, 'beta'));
    expect(tickAtSave).toBeGreaterThanOrEqual(lastTick(before));

    const restored = await runAction(engine, 'beta', 'start');
    expect(restored.state).toBe('completed');
    expect(engine.getVm('beta').state).toBe('Running');
    const after = await waitForSerial(engine, 'beta', new RegExp(`VIRIDIAN-TICK (${tickAtSave + 2}|${tickAtSave + 3})\\b`));
    // Same boot: one ready marker, one boot id, ticks continue instead of restarting at 0.
    expect(after.match(/VIRIDIAN-GUEST-READY/g)?.length).toBe(1);
    expect(bootId(after)).toBe(bootId(before));
    expect(existsSync(join(engine.getVm('beta').folder, 'saved'))).toBe(false);

    // Rename while running; then save again and throw the saved state away.
    await engine.invoke('vm.rename', { vm: 'beta', name: 'beta renamed' });
    expect(engine.getVm('beta renamed').state).toBe('Running');
    expect((await runAction(engine, 'beta renamed', 'save')).state).toBe('completed');
    expect((await runAction(engine, 'beta renamed', 'deleteSavedState')).state).toBe('completed');
    expect(engine.getVm('beta renamed').state).toBe('Off');
    expect(existsSync(join(engine.getVm('beta renamed').folder, 'saved'))).toBe(false);
    // The consumed state files are unlinked in the background, and nothing is left behind.
    await expect.poll(async () => (await readdir(engine.getVm('beta renamed').folder)).filter((n) => n.startsWith('saved')), { timeout: 10_000 }).toEqual([]);
  });

  it('Turn Off, Pause/Resume and Reset work, and a second Start while Starting is refused', async () => {
    const { engine } = fx;
    await engine.invoke('vm.create', kernelVm(fx.guest, 'gamma'));
    const job = await engine.invoke('vm.action', { vm: 'gamma', action: 'start' });
    expect(engine.getVm('gamma').state).toBe('Starting');
    await expect(engine.invoke('vm.action', { vm: 'gamma', action: 'start' })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await engine.waitJob(job.id);
    expect((await runAction(engine, 'gamma', 'pause')).state).toBe('completed');
    expect(engine.getVm('gamma').state).toBe('Paused');
    const t1 = lastTick(await serialText(engine, 'gamma'));
    await sleep(2500);
    expect(lastTick(await serialText(engine, 'gamma'))).toBe(t1);
    expect((await runAction(engine, 'gamma', 'resume')).state).toBe('completed');
    expect(engine.getVm('gamma').state).toBe('Running');
    await waitForSerial(engine, 'gamma', READY);
    expect((await runAction(engine, 'gamma', 'reset')).state).toBe('completed');
    await waitForSerial(engine, 'gamma', /VIRIDIAN-GUEST-READY[\s\S]*VIRIDIAN-GUEST-READY/);
    const off = await runAction(engine, 'gamma', 'turnOff');
    expect(off.state).toBe('completed');
    expect(engine.getVm('gamma').state).toBe('Off');
    expect(engine.getVm('gamma').pid).toBeNull();
  });

  it('a restarted engine re-adopts a running VM with its true state', async () => {
    await fx.engine.invoke('vm.create', kernelVm(fx.guest, 'delta'));
    await runAction(fx.engine, 'delta', 'start');
    await waitForSerial(fx.engine, 'delta', READY);
    const pid = fx.engine.getVm('delta').pid;
    const engine = await fx.reopen();
    expect(engine.getVm('delta').state).toBe('Running');
    expect(engine.getVm('delta').pid).toBe(pid);
    // The adopted QMP connection works: pause is seen by the guest.
    expect((await runAction(engine, 'delta', 'pause')).state).toBe('completed');
    const engine2 = await fx.reopen();
    expect(engine2.getVm('delta').state).toBe('Paused');
    expect((await runAction(engine2, 'delta', 'turnOff')).state).toBe('completed');
  });

  it('killing QEMU makes the VM Critical with the reason', async () => {
    const { engine } = fx;
    await engine.invoke('vm.create', kernelVm(fx.guest, 'epsilon'));
    await runAction(engine, 'epsilon', 'start');
    const pid = engine.getVm('epsilon').pid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid as number, 'SIGKILL');
    await waitForState(engine, 'epsilon', 'Critical', 10_000);
    expect(engine.getVm('epsilon').status.reason).toMatch(/SIGKILL/);
    // Critical allows Turn Off (clean up) and Start again.
    expect((await runAction(engine, 'epsilon', 'turnOff')).state).toBe('completed');
    expect(engine.getVm('epsilon').state).toBe('Off');
  });

  it('a VM on a fixed VHD saves and restores', async () => {
    const { engine } = fx;
    const disk = await copyGuestDisk(fx, 'diskFixedVhd', 'fixed.vhd');
    const created = await engine.invoke('vm.create', { name: 'zeta', memoryMiB: 128, disk: { kind: 'existing', path: disk } });
    const attached = created.config.ide[0][0];
    expect(attached).toMatchObject({ kind: 'disk', format: 'vpc', type: 'fixed' });
    expect(created.migrationBlocker).toBeNull();
    await runAction(engine, 'zeta', 'start');
    const before = await waitForSerial(engine, 'zeta', /VIRIDIAN-TICK [2-9]/);
    expect((await runAction(engine, 'zeta', 'save')).state).toBe('completed');
    expect(engine.getVm('zeta').state).toBe('Saved');
    const t = lastTick(await serialText(engine, 'zeta'));
    expect((await runAction(engine, 'zeta', 'start')).state).toBe('completed');
    const after = await waitForSerial(engine, 'zeta', new RegExp(`VIRIDIAN-TICK (${t + 1}|${t + 2})\\b`));
    expect(bootId(after)).toBe(bootId(before));
  });

  it('a VM on a dynamic VHD refuses Save up front with the reason and a fix', async () => {
    const { engine } = fx;
    const disk = await copyGuestDisk(fx, 'diskDynamicVhd', 'dynamic.vhd');
    const created = await engine.invoke('vm.create', { name: 'eta', memoryMiB: 128, disk: { kind: 'existing', path: disk } });
    expect(created.migrationBlocker).toMatch(/dynamically expanding VHD/);
    await runAction(engine, 'eta', 'start');
    const err = await engine.invoke('vm.action', { vm: 'eta', action: 'save' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ViridianError);
    expect(err).toMatchObject({ code: 'DISK_BLOCKS_ACTION' });
    expect((err as ViridianError).hint).toMatch(/Convert/);
    expect(engine.getVm('eta').state).toBe('Running');
  });
});
