// A deep snapshot chain still starts and runs, and deleting the whole tree
// merges every level back into the base disk while the VM keeps running.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineFixture, runAction, waitForSerial, type EngineFixture } from '../testing/engine-fixture';
import type { Engine } from './engine';
import { blankDisk, dataDiskVm, mountData, readMarkers, writeMarker } from './snapshots-testkit';

const DEPTH = 40;

let fx: EngineFixture;
beforeEach(async () => {
  fx = await engineFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

async function ok(e: Engine, p: Promise<{ id: string }>) {
  const j = await e.waitJob((await p).id, 300_000);
  if (j.state !== 'completed') throw new Error(`${j.label}: ${j.error?.message ?? j.state}`);
  return j;
}

describe('a deep snapshot chain', () => {
  it(`starts and runs on ${DEPTH} levels, and a subtree delete merges them all live`, async () => {
    const e = fx.engine;
    const disk = await blankDisk(fx, 'deep.qcow2');
    await e.invoke('vm.create', dataDiskVm(fx, 'deep', disk));
    for (let i = 1; i <= DEPTH; i++) await ok(e, e.invoke('snapshot.create', { vm: 'deep', name: `level ${i}` }));
    const tree = await e.invoke('snapshot.list', { vm: 'deep' });
    expect(tree.snapshots).toHaveLength(DEPTH);
    expect(tree.snapshots[DEPTH - 1]?.parentId).toBe(tree.snapshots[DEPTH - 2]?.id);

    await runAction(e, 'deep', 'start');
    await waitForSerial(e, 'deep', /VIRIDIAN-DISK-READY \/dev\/sda 32768/);
    await mountData(e, 'deep', true);
    await writeMarker(e, 'deep', 1, 'deepdata');
    expect(await readMarkers(e, 'deep')).toEqual({ f1: 'deepdata' });
    // One more level, live.
    await ok(e, e.invoke('snapshot.create', { vm: 'deep', name: 'live top' }));
    await writeMarker(e, 'deep', 2, 'after');

    await ok(e, e.invoke('snapshot.delete', { vm: 'deep', snapshot: 'level 1', subtree: true }));
    expect(e.getVm('deep').state).toBe('Running');
    expect((await e.invoke('snapshot.list', { vm: 'deep' })).snapshots).toEqual([]);
    expect(e.getVm('deep').config.ide[0][0]).toMatchObject({ path: disk, type: 'dynamic' });
    const dir = join(e.getVm('deep').folder, 'snapshots');
    expect(existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.qcow2')) : []).toEqual([]);
    expect(await readMarkers(e, 'deep')).toEqual({ f1: 'deepdata', f2: 'after' });
  }, 300_000);
});
