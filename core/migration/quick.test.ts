// Quick Migration between two real host services with the real test guest.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli } from '../testing/cli-harness';
import { bootSharedDiskGuest, expectKeptCounting, expectRunningOnCopiedDisk, kernelGuest, lastTick, md5File, resultOf, serialOf, sharedRawDisk, useTwoHosts, waitJob, waitSerial } from './migration-fixture';

const hosts = useTwoHosts();

describe('Quick Migration between two hosts', () => {
  it('moves a running guest A→B (shared storage) and back B→A (copying the disk): no reboot, disk intact', async () => {
    const t = hosts();
    const { a, b } = t;
    const { id, disk, diskMd5, bootId } = await bootSharedDiskGuest(t, 'mover', 'mover.img');

    // A → B, shared storage.
    const fit = await a.client.call('migration.check', { vm: id, to: b.address, mode: 'quick', storage: 'shared' });
    expect(fit).toMatchObject({ ok: true, liveAvailable: true, target: { address: b.address } });
    // The serial log lives in the VM's folder on each host: read A's before it moves.
    const tickAtA = lastTick(await serialOf(a, id));
    const job1 = await waitJob(a.client, await a.client.call('migration.start', { vm: id, to: b.address, mode: 'quick', storage: 'shared' }));
    expect(job1.error).toBeNull();
    expect(job1.state).toBe('completed');
    expect(job1.cli).toBe(`viridian vm migrate mover --to ${b.address} --quick`);
    const r1 = resultOf(job1);
    expect(r1.phases.map((p) => p.name)).toEqual(['checking', 'saving', 'transferring', 'restoring']);
    expect(r1).toMatchObject({ mode: 'quick', storage: 'shared', finalState: 'Running', to: b.address });
    expect(r1.downtimeMs).toBeGreaterThan(0);
    expect(r1.downtimeMs).toBeLessThan(r1.totalMs);
    // The memory state crossed (zero runs are not sent); the shared disk did not.
    expect(r1.bytesMoved).toBeGreaterThan(1024 * 1024);
    expect(r1.bytesMoved).toBeLessThan(140 * 1024 * 1024);
    expect(a.engine.listSummaries().some((v) => v.id === id)).toBe(false);
    expect(existsSync(join(a.dataDir, 'vms', id))).toBe(false);
    expect(b.engine.getVm(id).state).toBe('Running');
    expect(b.engine.getVm(id).config.ide[0][0]).toMatchObject({ path: disk });

    // The counter keeps counting on B: no reboot (no new ready marker, same boot id).
    expect(await expectKeptCounting(b, id, tickAtA, bootId)).toBeLessThan(tickAtA + 60);

    // B → A, copying the disk into A's VM folder.
    const tickAtB = lastTick(await serialOf(b, id));
    const job2 = await waitJob(b.client, await b.client.call('migration.start', { vm: id, to: a.address, mode: 'quick', storage: 'copy' }));
    expect(job2.error).toBeNull();
    const r2 = resultOf(job2);
    expect(r2).toMatchObject({ mode: 'quick', storage: 'copy', finalState: 'Running' });
    expect(r2.bytesMoved).toBeGreaterThan(r1.bytesMoved);
    // The shared original is untouched and the guest reads the same bytes from the copy.
    expect(await md5File(disk)).toBe(diskMd5);
    await expectRunningOnCopiedDisk(a, id, diskMd5);
    // A's new serial log continues the count; the old boot's ready marker went with the old folder.
    await expectKeptCounting(a, id, tickAtB);
    expect((await waitJob(a.client, await a.client.call('vm.action', { vm: id, action: 'turnOff' }))).state).toBe('completed');
  }, 240_000);

  it('moves an Off VM (disk copied) and a Saved VM (state and shared disk) without starting them', async () => {
    const t = hosts();
    const { a, b } = t;
    const off = await a.client.call('vm.create', { name: 'cold', memoryMiB: 64, disk: { kind: 'new', sizeBytes: 8 * 1024 * 1024, format: 'qcow2', type: 'dynamic', bus: 'ide' } });
    const job = await waitJob(a.client, await a.client.call('migration.start', { vm: 'cold', to: b.address, storage: 'copy' }));
    expect(job.error).toBeNull();
    expect(resultOf(job)).toMatchObject({ finalState: 'Off', downtimeMs: null });
    expect(resultOf(job).phases.map((p) => p.name)).toEqual(['checking', 'transferring', 'restoring']);
    expect(b.engine.getVm(off.id).state).toBe('Off');
    expect(existsSync(join(b.dataDir, 'vms', off.id, 'cold.qcow2'))).toBe(true);

    const disk = await sharedRawDisk(t, 'saved.img');
    const saved = await a.client.call('vm.create', kernelGuest(t.guest, 'sleeper', {}, { disk: { kind: 'existing', path: disk, bus: 'ide' } }));
    await waitJob(a.client, await a.client.call('vm.action', { vm: saved.id, action: 'start' }));
    await waitSerial(a, saved.id, /VIRIDIAN-TICK [2-9]/);
    await waitJob(a.client, await a.client.call('vm.action', { vm: saved.id, action: 'save' }));
    const tick = lastTick(await serialOf(a, saved.id));
    const job2 = await waitJob(a.client, await a.client.call('migration.start', { vm: saved.id, to: b.address }));
    expect(job2.error).toBeNull();
    expect(resultOf(job2)).toMatchObject({ finalState: 'Saved', downtimeMs: null });
    expect(b.engine.getVm(saved.id).state).toBe('Saved');
    // It resumes on B where it left off.
    await waitJob(b.client, await b.client.call('vm.action', { vm: saved.id, action: 'start' }));
    await waitSerial(b, saved.id, new RegExp(`VIRIDIAN-TICK (${tick + 1}|${tick + 2})\\b`));
    await waitJob(b.client, await b.client.call('vm.action', { vm: saved.id, action: 'turnOff' }));
  }, 180_000);

  it('the fit check lists problems with fixes, and a blocked move changes nothing', async () => {
    const { a, b } = hosts();
    const vm = await a.client.call('vm.create', { name: 'local-disk', memoryMiB: 64, disk: { kind: 'new', sizeBytes: 4 * 1024 * 1024, format: 'qcow2', type: 'dynamic', bus: 'ide' } });
    await b.client.call('vm.create', { name: 'local-disk', memoryMiB: 64 });
    const fit = await a.client.call('migration.check', { vm: 'local-disk', to: b.address, mode: 'live', storage: 'shared' });
    expect(fit.ok).toBe(false);
    const checks = fit.problems.map((p) => p.check);
    expect(checks).toEqual(expect.arrayContaining(['state', 'storage', 'name']));
    for (const p of fit.problems) expect(p.fix.length).toBeGreaterThan(10);
    await expect(a.client.call('migration.start', { vm: 'local-disk', to: b.address, storage: 'shared' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const job = await waitJob(a.client, await a.client.call('migration.start', { vm: 'local-disk', to: b.address, storage: 'copy' }));
    expect(job.state).toBe('failed');
    expect(job.error?.message).toMatch(/already has a virtual machine named "local-disk"/);
    expect(job.error?.hint).toMatch(/Rename/);
    expect(a.engine.getVm(vm.id).state).toBe('Off');
    const unknown = await a.client.call('migration.check', { vm: 'local-disk', to: '127.0.0.1:9', storage: 'copy' });
    expect(unknown.problems).toEqual([expect.objectContaining({ check: 'connection', severity: 'error' })]);
  });

  it('the fit check finds a virtual network the target lacks (matched by name, as Hyper-V does)', async () => {
    const { a, b } = hosts();
    await a.client.call('network.create', { name: 'LabNet', kind: 'private' });
    await a.client.call('vm.create', { name: 'on-lab', memoryMiB: 64, network: [{ kind: 'synthetic', network: 'LabNet' }] });
    const fit = await a.client.call('migration.check', { vm: 'on-lab', to: b.address, storage: 'copy' });
    expect(fit.problems).toContainEqual(expect.objectContaining({ check: 'network', severity: 'error', fix: expect.stringMatching(/Create a network named "LabNet"/) }));
    await b.client.call('network.create', { name: 'labnet', kind: 'private' });
    const again = await a.client.call('migration.check', { vm: 'on-lab', to: b.address, storage: 'copy' });
    expect(again.problems.filter((p) => p.check === 'network')).toEqual([]);
    expect(again.ok).toBe(true);
  });

  it('CLI: vm migrate --json prints the job result; --check lists problems with fixes', async () => {
    const { a, b, dir } = hosts();
    await a.client.call('vm.create', { name: 'cli-vm', memoryMiB: 64, disk: { kind: 'new', sizeBytes: 4 * 1024 * 1024, format: 'qcow2', type: 'dynamic', bus: 'ide' } });
    const cli = (args: string[]) => captureCli(args, { cwd: dir });
    const moved = await cli(['vm', 'migrate', 'cli-vm', '--to', b.address, '--copy-storage', '--json', '--data', a.dataDir]);
    expect(moved.err).toBe('');
    expect(moved.code).toBe(0);
    const r = JSON.parse(moved.out) as ReturnType<typeof resultOf>;
    expect(r).toMatchObject({ vmName: 'cli-vm', mode: 'quick', storage: 'copy', finalState: 'Off', downtimeMs: null });
    expect(r.phases.length).toBeGreaterThan(0);
    expect(r.bytesMoved).toBeGreaterThan(0);
    // Back with shared storage: its disk now lives in B's VM folder, so the fit check says copy.
    const check = await cli(['vm', 'migrate', 'cli-vm', '--to', a.address, '--check', '--data', b.dataDir]);
    expect(check.code).toBe(1);
    expect(check.out).toMatch(/Problem \(storage\): .* Fix: Choose "Copy the disks to the target"/);
    const refused = await cli(['vm', 'migrate', 'cli-vm', '--to', a.address, '--json', '--data', b.dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.err.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(refused.out)).toMatchObject({ error: { code: 'UNSUPPORTED' } });
    const human = await cli(['vm', 'migrate', 'cli-vm', '--to', a.address, '--copy-storage', '--data', b.dataDir]);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^Moved "cli-vm" to .*\nDowntime: none/ms);
    expect((await cli(['vm', 'migrate', 'cli-vm', '--to', a.address, '--live', '--quick', '--data', a.dataDir])).code).toBe(2);
    expect((await cli(['vm', 'migrate', 'cli-vm', '--data', a.dataDir])).code).toBe(2);
  });
});
