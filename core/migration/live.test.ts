// Live migration between two real host services with the real test guest.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIRTY_STARTED_RE } from '../testing/guest';
import { buildPlan } from './fit-check';
import { bootSharedDiskGuest, expectKeptCounting, expectRunningOnCopiedDisk, kernelGuest, lastTick, resultOf, serialOf, sharedRawDisk, useTwoHosts, waitJob, waitSerial } from './migration-fixture';

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
    // The migration's TLS is off again on the moved VM: its Save (a migration to a file) works.
    expect((await waitJob(b.client, await b.client.call('vm.action', { vm: id, action: 'save' }))).error).toBeNull();
    expect((await waitJob(b.client, await b.client.call('vm.action', { vm: id, action: 'start' }))).error).toBeNull();

    // B → A copying the disk: a storage mirror to A's NBD export first, then memory.
    const tickAtB = lastTick(await serialOf(b, id));
    const back = await waitJob(b.client, await b.client.call('migration.start', { vm: id, to: a.address, mode: 'live', storage: 'copy' }));
    expect(back.error).toBeNull();
    const r2 = resultOf(back);
    expect(r2.phases.map((p) => p.name)).toEqual(['checking', 'mirroring', 'migrating', 'switching']);
    expect(r2.phases.find((p) => p.name === 'mirroring')?.bytes).toBeGreaterThan(0);
    await expectRunningOnCopiedDisk(a, id, diskMd5);
    await expectKeptCounting(a, id, tickAtB);
    // The one-time TLS key lived only as long as the move.
    expect(readdirSync(join(a.dataDir, 'vms', id, 'run')).filter((n) => n.includes('mig-tls'))).toEqual([]);
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

  it("the target's migration and NBD ports take only the source holding the one-time key (TLS-PSK), and the key goes with the move", async () => {
    const t = hosts();
    const { a, b } = t;
    const disk = await sharedRawDisk(t, 'keyed.img');
    const vm = await a.client.call('vm.create', kernelGuest(t.guest, 'keyed', { disk: '/dev/sda' }, { disk: { kind: 'existing', path: disk, bus: 'ide' } }));
    const plan = await buildPlan(a.engine.context, a.engine.getVm(vm.id), 'live', 'copy');
    const { incomingId } = await b.client.call('migration.incomingPrepare', plan);
    const prep = await b.client.call('migration.incomingLive', { incomingId, listenHost: '127.0.0.1' });
    expect(prep.tls.key).toMatch(/^[0-9a-f]{64}$/);
    const nbd = prep.nbd;
    if (!nbd) throw new Error('no NBD export for a copy-storage move');
    const exportName = Object.values(nbd.exports)[0] ?? '';
    const nbdInfo = async (key: string | null) => {
      const dir = await mkdtemp(join(t.dir, 'psk-'));
      await writeFile(join(dir, 'keys.psk'), `${prep.tls.username}:${key}\n`, { mode: 0o600 });
      const image = `driver=nbd,host=127.0.0.1,port=${nbd.port},export=${exportName}${key === null ? '' : ',tls-creds=c'}`;
      const args = [...(key === null ? [] : ['--object', `tls-creds-psk,id=c,endpoint=client,dir=${dir},username=${prep.tls.username}`]), '--image-opts', image];
      return spawnSync('qemu-img', ['info', ...args], { encoding: 'utf8', timeout: 30_000 });
    };
    // Without TLS, or with another key, the export stays shut; with the key from the tokened channel it opens.
    const plain = await nbdInfo(null);
    expect(plain.status).not.toBe(0);
    expect(plain.stderr).toMatch(/TLS/);
    const wrong = await nbdInfo(randomBytes(32).toString('hex'));
    expect(wrong.status).not.toBe(0);
    const right = await nbdInfo(prep.tls.key);
    expect(right.stderr).toBe('');
    expect(right.stdout).toMatch(/virtual size/);
    // A plain migration stream on the memory port is refused by the TLS handshake: nothing is loaded.
    const port = Number(/:(\d+)$/.exec(prep.migrateUri)?.[1]);
    // (QEMU may reset the connection: that is the refusal too.)
    await new Promise<void>((done) => {
      const sock = connect(port, '127.0.0.1', () => sock.end(Buffer.from('QEVM\0\0\0\x03', 'latin1')));
      sock.on('error', () => done()).on('close', () => done());
    });
    const log = join(b.dataDir, 'vms', vm.id, 'qemu.log');
    await expect.poll(async () => readFile(log, 'utf8').catch(() => ''), { timeout: 20_000 }).toMatch(/TLS|handshake/i);
    expect(b.engine.getVm(vm.id).state).not.toBe('Running');
    await b.client.call('migration.incomingAbort', { incomingId }).catch(() => undefined);
    await expect.poll(() => existsSync(join(b.dataDir, 'vms', vm.id)), { timeout: 20_000 }).toBe(false);
  }, 120_000);
});
