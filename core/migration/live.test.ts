// Live migration between two real host services with the real test guest.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIRTY_STARTED_RE } from '../testing/guest';
import { bootSharedDiskGuest, expectKeptCounting, expectRunningOnCopiedDisk, kernelGuest, lastTick, resultOf, serialOf, useTwoHosts, waitJob, waitSerial } from './migration-fixture';

const hosts = useTwoHosts();

describe('live migration between two hosts', () => {
  it('moves a running guest A→B on shared storage and back B→A mirroring its disk: it never stops counting', async () => {
    const t = hosts();
    const { a, b } = t;
    const { id, diskMd5, bootId } = await bootSharedDiskGuest(t, 'runner', 'live.img');

    // A → B, shared storage: only memory moves.
    const tickAtA = lastTick(await serialOf(a, id));
    const job = await waitJob(a.client, await a.client.call('migration.start', { vm: id, to: b.address, mode: 'live', storage: 'shared' }));
    expect(job.error).toBeNull();
    expect(job.cli).toBe(`viridian vm migrate runner --to ${b.address} --live`);
    const r = resultOf(job);
    expect(r.phases.map((p) => p.name)).toEqual(['checking', 'migrating', 'switching']);
    expect(r).toMatchObject({ mode: 'live', storage: 'shared', finalState: 'Running' });
    expect(r.qemuDowntimeMs).toBeGreaterThanOrEqual(0);
    expect(r.downtimeMs).toBeGreaterThan(0);
    // A live move's blackout is a small part of the whole.
    expect(r.downtimeMs).toBeLessThan(r.totalMs);
    expect(r.bytesMoved).toBeGreaterThan(1024 * 1024);
    expect(existsSync(join(a.dataDir, 'vms', id))).toBe(false);
    expect(b.engine.getVm(id).state).toBe('Running');
    await expectKeptCounting(b, id, tickAtA, bootId);

    // B → A copying the disk: a storage mirror to A's NBD export first, then memory.
    const tickAtB = lastTick(await serialOf(b, id));
    const back = await waitJob(b.client, await b.client.call('migration.start', { vm: id, to: a.address, mode: 'live', storage: 'copy' }));
    expect(back.error).toBeNull();
    const r2 = resultOf(back);
    expect(r2.phases.map((p) => p.name)).toEqual(['checking', 'mirroring', 'migrating', 'switching']);
    expect(r2.phases.find((p) => p.name === 'mirroring')?.bytes).toBeGreaterThan(0);
    await expectRunningOnCopiedDisk(a, id, diskMd5);
    await expectKeptCounting(a, id, tickAtB);
    await waitJob(a.client, await a.client.call('vm.action', { vm: id, action: 'turnOff' }));
  }, 240_000);

  it('a guest dirtying memory faster than the link never converges: the reason is given, the VM keeps running here, the target is clean', async () => {
    const t = hosts();
    const { a, b } = t;
    const vm = await a.client.call('vm.create', kernelGuest(t.guest, 'busy', { dirtyMiB: 40 }));
    await waitJob(a.client, await a.client.call('vm.action', { vm: vm.id, action: 'start' }));
    await waitSerial(a, vm.id, DIRTY_STARTED_RE);
    await waitSerial(a, vm.id, /VIRIDIAN-TICK [2-9]/);
    const job = await waitJob(
      a.client,
      await a.client.call('migration.start', { vm: vm.id, to: b.address, mode: 'live', storage: 'shared', bandwidthMiBps: 32, downtimeLimitMs: 50, autoConverge: false, convergeTimeoutSec: 15 }),
    );
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('TIMEOUT');
    expect(job.error?.message).toMatch(/did not converge within 15 s: the guest dirties memory at about [1-9]\d* MiB\/s, the link moves about \d+ MiB\/s, so QEMU expects a \d+ ms pause against the 50 ms limit/);
    expect(job.error?.hint).toMatch(/Quick Migration/);
    expect(a.engine.getVm(vm.id).state).toBe('Running');
    const tick = lastTick(await serialOf(a, vm.id));
    await waitSerial(a, vm.id, new RegExp(`VIRIDIAN-TICK (${tick + 1}|${tick + 2}|${tick + 3})\\b`));
    expect(b.engine.listSummaries().some((v) => v.id === vm.id)).toBe(false);
    expect(existsSync(join(b.dataDir, 'vms', vm.id))).toBe(false);
    // The same busy guest moves with Quick Migration.
    const quick = await waitJob(a.client, await a.client.call('migration.start', { vm: vm.id, to: b.address, mode: 'quick', storage: 'shared' }));
    expect(quick.error).toBeNull();
    expect(b.engine.getVm(vm.id).state).toBe('Running');
    await waitJob(b.client, await b.client.call('vm.action', { vm: vm.id, action: 'turnOff' }));
  }, 180_000);
});
