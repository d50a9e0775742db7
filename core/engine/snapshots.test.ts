// Snapshots on the real test guest: live checkpoints, apply with memory state,
// branches, hidden bases, live and offline merges, Off/Saved/Paused snapshots.
import { existsSync, readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, SnapshotTree } from '../contract';
import { TICK_RE_GLOBAL } from '../testing/guest';
import { copyGuestDisk, engineFixture, kernelVm, lastTick, runAction, serialText, waitForSerial, type EngineFixture } from '../testing/engine-fixture';
import type { Engine } from './engine';
import { blankDisk, dataDiskVm, mountData, readMarkers, writeMarker } from './snapshots-testkit';

let fx: EngineFixture;
beforeEach(async () => {
  fx = await engineFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

async function ok(engine: Engine, p: Promise<Job>): Promise<Job> {
  const j = await engine.waitJob((await p).id, 300_000);
  if (j.state !== 'completed') throw new Error(`${j.label}: ${j.state}: ${j.error?.message ?? ''}`);
  return j;
}
const take = async (e: Engine, vm: string, name?: string) =>
  ((await ok(e, e.invoke('snapshot.create', name === undefined ? { vm } : { vm, name }))).result as { id: string }).id;
const apply = (e: Engine, vm: string, snapshot: string) => ok(e, e.invoke('snapshot.apply', { vm, snapshot }));
const del = (e: Engine, vm: string, snapshot: string, subtree = false) => ok(e, e.invoke('snapshot.delete', { vm, snapshot, subtree }));
const shape = (t: SnapshotTree) => t.snapshots.map((s) => `${s.name}<${t.snapshots.find((p) => p.id === s.parentId)?.name ?? '-'}`);
const overlays = async (e: Engine, vm: string) => {
  const dir = join(e.getVm(vm).folder, 'snapshots');
  return existsSync(dir) ? (await readdir(dir)).filter((f) => f.endsWith('.qcow2')).sort() : [];
};
const bootId = (text: string) => /VIRIDIAN-BOOT-ID (\w+)/.exec(text)?.[1];

describe('snapshots of a running VM', () => {
  it('applies a running snapshot (the guest continues from there), keeps branches, hides a shared base, merges live', async () => {
    const e = fx.engine;
    const disk = await blankDisk(fx, 'data.qcow2');
    await e.invoke('vm.create', dataDiskVm(fx, 'web', disk));
    await runAction(e, 'web', 'start');
    const booted = await waitForSerial(e, 'web', /VIRIDIAN-DISK-READY/);
    await mountData(e, 'web', true);
    await writeMarker(e, 'web', 0, 'a');
    await waitForSerial(e, 'web', /VIRIDIAN-TICK [3-9]/);

    const s1 = await take(e, 'web', 'one');
    const tickAtS1 = lastTick(await serialText(e, 'web'));
    expect(e.getVm('web').state).toBe('Running');
    expect(e.getVm('web').config.ide[0][0]).toMatchObject({ format: 'qcow2', type: 'differencing' });
    await writeMarker(e, 'web', 0, 'b');
    const s2 = await take(e, 'web', 'two');
    await waitForSerial(e, 'web', new RegExp(`VIRIDIAN-TICK ${tickAtS1 + 4}\\b`));

    // Apply "one": the guest is back at that moment — same boot, counter from there, disk as it was.
    const mark = (await serialText(e, 'web')).length;
    const lastBefore = lastTick(await serialText(e, 'web'));
    await apply(e, 'web', s1);
    expect(e.getVm('web').state).toBe('Running');
    // Ticks logged after the mark that are below the last one seen then come from the restored guest.
    const deadline = Date.now() + 60_000;
    let back: number | undefined;
    while (back === undefined && Date.now() < deadline) {
      back = [...(await serialText(e, 'web')).slice(mark).matchAll(TICK_RE_GLOBAL)].map((m) => Number(m[1])).find((t) => t < lastBefore);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(back).toBeGreaterThanOrEqual(tickAtS1 - 1);
    expect(back).toBeLessThanOrEqual(tickAtS1 + 2);
    expect(bootId(await serialText(e, 'web'))).toBe(bootId(booted));
    expect(await readMarkers(e, 'web')).toEqual({ f0: 'a' });

    await writeMarker(e, 'web', 1, 'c');
    const s3 = await take(e, 'web', 'three');
    let tree = await e.invoke('snapshot.list', { vm: 'web' });
    expect(shape(tree)).toEqual(['one<-', 'two<one', 'three<one']);
    expect(tree.nowParentId).toBe(s3);

    // "one" is the base of two branches: it disappears from the tree, its data stays.
    await del(e, 'web', s1);
    tree = await e.invoke('snapshot.list', { vm: 'web' });
    expect(shape(tree)).toEqual(['two<-', 'three<-']);
    expect(await readMarkers(e, 'web')).toEqual({ f0: 'a', f1: 'c' });

    // Deleting "two" leaves the hidden base one dependent: it is merged away live (intermediate commit).
    const before = await overlays(e, 'web');
    await del(e, 'web', s2);
    tree = await e.invoke('snapshot.list', { vm: 'web' });
    expect(shape(tree)).toEqual(['three<-']);
    expect((await overlays(e, 'web')).length).toBe(before.length - 2);
    expect(e.getVm('web').state).toBe('Running');
    expect(await readMarkers(e, 'web')).toEqual({ f0: 'a', f1: 'c' });

    // The last snapshot with Now under it: the active overlay is committed into the base disk (active commit).
    await writeMarker(e, 'web', 2, 'd');
    await del(e, 'web', s3);
    expect((await e.invoke('snapshot.list', { vm: 'web' })).snapshots).toEqual([]);
    expect(await overlays(e, 'web')).toEqual([]);
    expect(e.getVm('web').config.ide[0][0]).toMatchObject({ path: disk, format: 'qcow2', type: 'dynamic' });
    expect(await readMarkers(e, 'web')).toEqual({ f0: 'a', f1: 'c', f2: 'd' });

    // Cold boot from the base disk alone: everything merged is there.
    await runAction(e, 'web', 'turnOff');
    await runAction(e, 'web', 'start');
    await waitForSerial(e, 'web', /VIRIDIAN-DISK-READY[\s\S]*VIRIDIAN-DISK-READY/);
    await mountData(e, 'web', false);
    expect(await readMarkers(e, 'web')).toEqual({ f0: 'a', f1: 'c', f2: 'd' });
  }, 300_000);
});

describe('snapshots and an engine restart', () => {
  it('a config left behind by a crash after a live disk switch follows QEMU again when the engine reopens', async () => {
    const e = fx.engine;
    const disk = await blankDisk(fx, 'data.qcow2');
    await e.invoke('vm.create', dataDiskVm(fx, 'crash', disk));
    await runAction(e, 'crash', 'start');
    await waitForSerial(e, 'crash', /VIRIDIAN-DISK-READY/);
    const before = e.getVm('crash').config;
    await take(e, 'crash', 'one');
    const overlay = (e.getVm('crash').config.ide[0][0] as { path: string }).path;
    // As if the engine died right after QEMU switched disks: the config still names the old image.
    await e.getVm('crash').saveConfig(before);
    const reopened = await fx.reopen();
    await new Promise((r) => setTimeout(r, 500));
    expect(reopened.getVm('crash').state).toBe('Running');
    expect(reopened.getVm('crash').config.ide[0][0]).toMatchObject({ path: overlay, format: 'qcow2', type: 'differencing' });
    await runAction(reopened, 'crash', 'turnOff');
  }, 120_000);
});

describe('snapshots of paused, saved and turned-off VMs', () => {
  it('takes them in every state, applies each to the state it was taken in, renames, deletes a subtree', async () => {
    const e = fx.engine;
    const disk = await blankDisk(fx, 'data.qcow2');
    await e.invoke('vm.create', dataDiskVm(fx, 'db', disk));
    await runAction(e, 'db', 'start');
    await waitForSerial(e, 'db', /VIRIDIAN-DISK-READY/);
    await mountData(e, 'db', true);
    await writeMarker(e, 'db', 0, 'paused');
    await runAction(e, 'db', 'pause');
    const p = await take(e, 'db', 'while paused');
    expect(e.getVm('db').state).toBe('Paused');
    await runAction(e, 'db', 'resume');
    await writeMarker(e, 'db', 0, 'saved');
    await runAction(e, 'db', 'save');
    const sv = await take(e, 'db');
    expect(e.getVm('db').state).toBe('Saved');
    await runAction(e, 'db', 'start');
    expect(await readMarkers(e, 'db')).toEqual({ f0: 'saved' });
    await writeMarker(e, 'db', 0, 'off');
    await runAction(e, 'db', 'turnOff');
    const off = await take(e, 'db');
    expect(e.getVm('db').state).toBe('Off');

    let tree = await e.invoke('snapshot.list', { vm: 'db' });
    expect(tree.snapshots.map((s) => [s.vmState, s.hasMemoryState])).toEqual([
      ['Paused', true],
      ['Saved', true],
      ['Off', false],
    ]);
    expect(tree.snapshots[1]?.name).toMatch(/^db - \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)$/);
    await e.invoke('snapshot.rename', { vm: 'db', snapshot: off, name: 'cold' });
    tree = await e.invoke('snapshot.list', { vm: 'db' });
    expect(tree.snapshots[2]?.name).toBe('cold');

    // The settings come back with the snapshot.
    await e.invoke('vm.update', { vm: 'db', changes: { memoryMiB: 160 } });
    // Applying an online snapshot to an Off VM leaves it Saved (Hyper-V); Start brings it back paused.
    await apply(e, 'db', p);
    expect(e.getVm('db').state).toBe('Saved');
    expect(e.getVm('db').config.memoryMiB).toBe(128);
    await runAction(e, 'db', 'start');
    expect(e.getVm('db').state).toBe('Paused');
    await runAction(e, 'db', 'resume');
    expect(await readMarkers(e, 'db')).toEqual({ f0: 'paused' });

    // Applying an offline snapshot to a running VM turns it off.
    await apply(e, 'db', 'cold');
    expect(e.getVm('db').state).toBe('Off');
    await apply(e, 'db', sv);
    expect(e.getVm('db').state).toBe('Saved');
    // Deleting the snapshot "Now" sits under, while Saved: merged offline, the saved state still fits the disks.
    await del(e, 'db', sv);
    expect(e.getVm('db').state).toBe('Saved');
    expect((await e.invoke('snapshot.list', { vm: 'db' })).snapshots.map((x) => x.name)).toEqual(['while paused', 'cold']);
    await runAction(e, 'db', 'start');
    expect(await readMarkers(e, 'db')).toEqual({ f0: 'saved' });
    await runAction(e, 'db', 'turnOff');

    // Subtree from the root: every snapshot goes, the disk keeps Now's data.
    await del(e, 'db', p, true);
    expect((await e.invoke('snapshot.list', { vm: 'db' })).snapshots).toEqual([]);
    expect(await overlays(e, 'db')).toEqual([]);
    expect(e.getVm('db').state).toBe('Off');
    expect(readdirSyncSafe(join(e.getVm('db').folder, 'snapshots')).filter((f) => f.endsWith('.state'))).toEqual([]);
  }, 300_000);
});

function readdirSyncSafe(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe('snapshot refusals', () => {
  it('refuses a dynamic VHD with the reason, unknown and ambiguous snapshots, and busy states', async () => {
    const e = fx.engine;
    const vhd = await copyGuestDisk(fx, 'diskDynamicVhd', 'dyn.vhd');
    await e.invoke('vm.create', { name: 'legacy', memoryMiB: 128, disk: { kind: 'existing', path: vhd } });
    await expect(e.invoke('snapshot.create', { vm: 'legacy' })).rejects.toMatchObject({ code: 'DISK_BLOCKS_ACTION', message: expect.stringMatching(/dynamically expanding VHD/) });

    await e.invoke('vm.create', kernelVm(fx.guest, 'k'));
    await take(e, 'k', 'same');
    await take(e, 'k', 'same');
    await expect(e.invoke('snapshot.apply', { vm: 'k', snapshot: 'same' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(e.invoke('snapshot.apply', { vm: 'k', snapshot: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(e.invoke('snapshot.create', { vm: 'k', name: '  ' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const started = await e.invoke('vm.action', { vm: 'k', action: 'start' });
    await expect(e.invoke('snapshot.create', { vm: 'k' })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await e.waitJob(started.id);
    await runAction(e, 'k', 'turnOff');
  }, 120_000);
});
