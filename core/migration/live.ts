import { rm } from 'node:fs/promises';
import { createServer, isIP } from 'node:net';
import { join } from 'node:path';
import { ViridianError, type VmConfig } from '../contract';
import type { MigrationResult } from '../contract/protocol-migration';
import { writeJsonAtomic } from '../common/atomic';
import { VM_FILE } from '../engine/runtime';
import { VmInstance } from '../engine/vm-instance';
import { sleep, type QmpClient, type QmpEvent } from '../qemu/qmp';
import { splitAddress, urlHost } from '../remote/address';
import { createDisk, runQemuImg } from '../storage/qemu-img';
import { fitError } from './fit-check';
import { INCOMING_MARKER, type Incoming, type IncomingManager } from './incoming';
import { isConnectionLoss } from './quick';
import { migrationFailed, type OutgoingMove } from './source';
import { addPskCreds, newMigrationPsk, type PskCreds } from './tls-psk';

const MiB = 1024 * 1024;

/** QEMU's block node names for a config's disks (as core/qemu/cmdline.ts names them), IDE first. */
export function diskNodes(config: VmConfig): { node: string; path: string }[] {
  const out: { node: string; path: string }[] = [];
  config.ide.forEach((ctrl, c) =>
    ctrl.forEach((slot, u) => {
      if (slot?.kind === 'disk') out.push({ node: `ide${c}-${u}`, path: slot.path });
    }),
  );
  for (const d of config.scsi) out.push({ node: `scsi0-${d.lun}`, path: d.path });
  return out;
}

function freePort(host: string): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, host, () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => done(port));
    });
  });
}

function checkListenHost(host: string): string {
  if (isIP(host) || /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/.test(host)) return host;
  throw new ViridianError('INVALID_INPUT', `"${host}" is not an address to receive a migration on.`);
}

// ---------------------------------------------------------------- target side

/**
 * Live target: QEMU with the VM's command line, `-incoming defer` and `-S`;
 * for a storage mirror an NBD server exporting each (empty) disk; then
 * `migrate-incoming tcp:HOST:0` and the port QEMU picked.
 */
export async function incomingLive(m: IncomingManager, id: string, listenHost: string) {
  const inc = m.get(id);
  m.touch(inc);
  if (inc.plan.mode !== 'live' || inc.phase !== 'receiving') throw new ViridianError('INVALID_STATE', 'This incoming migration is not waiting for a live stream.');
  const host = checkListenHost(listenHost);
  inc.phase = 'live';
  const copy = inc.plan.storage === 'copy';
  const config = m.rewriteConfig(inc);
  if (copy) {
    // The mirror writes the merged contents into a fresh image of the same size and format.
    for (const d of config.ide.flat().concat(config.scsi)) {
      if (d?.kind === 'disk' && d.type === 'differencing') d.type = 'dynamic';
    }
    for (const f of inc.files.values()) {
      if (!f.spec.copy || f.spec.role !== 'disk') continue;
      const size = f.spec.virtualSize ?? 0;
      if (f.spec.format === 'vpc') await createDisk({ path: f.path, format: 'vhd', type: 'fixed', sizeBytes: size });
      else await runQemuImg(['create', '-q', '-f', f.spec.format === 'raw' ? 'raw' : 'qcow2', f.path, String(size)]);
      f.done = true;
    }
  }
  // The config is in place from the start; the marker alone says "not committed" (the sweep removes such folders).
  await writeJsonAtomic(join(inc.folder, VM_FILE), config);
  const vm = new VmInstance(inc.folder, config, VmInstance.runtimeOff(), m.ctx.vmHost);
  inc.vm = vm;
  m.ctx.addVm(vm);
  const qmp = await vm.launchIncoming(new AbortController().signal, `Receiving a live migration from ${inc.plan.source.hostname}`);
  // Only the source that holds this key (sent over the tokened channel) can feed the ports below.
  const psk = newMigrationPsk();
  inc.tls = await addPskCreds(qmp, inc.folder, 'server', psk);
  let nbd: { host: string; port: number; exports: Record<string, string> } | null = null;
  if (copy) {
    const port = await freePort(host);
    await qmp.execute('nbd-server-start', { addr: { type: 'inet', data: { host, port: String(port) } }, 'tls-creds': inc.tls.id });
    inc.nbdRunning = true;
    const exports: Record<string, string> = {};
    for (const { node } of diskNodes(config)) {
      const exportId = `mig-${node}`;
      // An export activates the (still inactive) incoming node for writing: QEMU's own design for this.
      await qmp.execute('block-export-add', { type: 'nbd', id: exportId, 'node-name': node, writable: true, name: node });
      inc.exports.push(exportId);
      exports[node] = node;
    }
    nbd = { host, port, exports };
  }
  await qmp.execute('migrate-incoming', { uri: `tcp:${urlHost(host)}:0` });
  const q = await qmp.execute<{ 'socket-address'?: { port?: string; host?: string }[] }>('query-migrate');
  const port = Number(q['socket-address']?.[0]?.port);
  if (!Number.isInteger(port) || port <= 0) throw new ViridianError('QEMU_FAILED', 'QEMU did not say which port it listens on for the migration.');
  m.touch(inc);
  return { migrateUri: `tcp:${urlHost(host)}:${port}`, nbd, tls: psk };
}

export async function incomingStatus(m: IncomingManager, id: string) {
  const inc = m.get(id);
  m.touch(inc);
  const qmp = inc.vm?.qmpClient();
  const status = qmp ? await qmp.execute<{ status: string }>('query-status').then((s) => s.status).catch(() => null) : null;
  return { phase: inc.phase, qemuStatus: status };
}

/**
 * The hand-over on the target: the stream is in, the NBD exports go (so the
 * guest's disk is its own again), the VM is committed here, then resumed.
 */
export async function finishLive(m: IncomingManager, inc: Incoming, state: 'Running' | 'Paused' | 'Saved' | 'Off'): Promise<{ vm: VmInstance; runningAt: number | null }> {
  const vm = inc.vm;
  const qmp = vm?.qmpClient();
  if (!vm || !qmp || inc.phase !== 'live') throw new ViridianError('INVALID_STATE', 'No live migration is waiting to finish here.');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const q = await qmp.execute<{ status?: string; 'error-desc'?: string }>('query-migrate');
    if (q.status === 'completed') break;
    if (q.status === 'failed' || q.status === 'cancelled') throw new ViridianError('QEMU_FAILED', `The incoming migration ${q.status}${q['error-desc'] ? `: ${q['error-desc']}` : ''}.`);
    if (Date.now() > deadline) throw new ViridianError('TIMEOUT', 'The migration stream did not complete on the target.');
    await sleep(5);
  }
  inc.phase = 'finishing';
  for (const e of inc.exports) await qmp.execute('block-export-del', { id: e, mode: 'hard' }).catch(() => undefined);
  inc.exports = [];
  if (inc.nbdRunning) await qmp.execute('nbd-server-stop').catch(() => undefined);
  inc.nbdRunning = false;
  // Commit before resuming: a crash from here on keeps the VM on this host.
  await rm(join(inc.folder, INCOMING_MARKER), { force: true });
  m.release(inc, 'done');
  const tls = inc.tls;
  inc.tls = null;
  let runningAt: number | null = null;
  try {
    if (state === 'Running') {
      const resumed = qmp.waitForEvent((e) => e.event === 'RESUME', 10_000).catch(() => null);
      await qmp.execute('cont');
      const ev: QmpEvent | null = await resumed;
      runningAt = ev ? ev.timestamp.seconds * 1000 + ev.timestamp.microseconds / 1000 : Date.now();
    }
  } finally {
    // After the resume (it is not part of the blackout) and before any later job: the
    // VM's next Save is a migration to a file, which must not expect TLS.
    await tls?.dispose();
  }
  vm.setState(state === 'Running' ? 'Running' : 'Paused', `Migrated here from ${inc.plan.source.hostname}`);
  return { vm, runningAt };
}

// ---------------------------------------------------------------- source side

interface LiveOptions {
  downtimeLimitMs: number;
  bandwidthMiBps: number;
  convergeTimeoutSec: number;
  autoConverge: boolean;
}

interface QueryMigrate {
  status?: string;
  'error-desc'?: string;
  'total-time'?: number;
  downtime?: number;
  'expected-downtime'?: number;
  ram?: { total: number; remaining: number; transferred: number; 'dirty-pages-rate'?: number; 'page-size'?: number; mbps?: number; 'dirty-sync-count'?: number };
  'cpu-throttle-percentage'?: number;
}

/** Why a migration does not converge, from QEMU's own figures. */
function notConverging(q: QueryMigrate, limitMs: number): string {
  const ram = q.ram;
  const link = ram?.mbps !== undefined ? ram.mbps / 8 / 1.048576 : null;
  const linkText = link !== null ? `about ${Math.max(1, Math.round(link))} MiB/s` : 'the capped bandwidth';
  if (ram && (ram['dirty-sync-count'] ?? 0) < 2) {
    // No dirty rate yet: the first pass over memory itself did not finish.
    return `the first copy of memory had not finished (${Math.ceil(ram.remaining / MiB)} of ${Math.ceil(ram.total / MiB)} MiB left) at ${linkText}`;
  }
  const parts: string[] = [];
  const dirty = ram && ram['dirty-pages-rate'] !== undefined ? (ram['dirty-pages-rate'] * (ram['page-size'] ?? 4096)) / MiB : null;
  if (dirty !== null) parts.push(`the guest dirties memory at about ${Math.round(dirty)} MiB/s`);
  parts.push(`the link moves ${linkText}`);
  if (q['expected-downtime'] !== undefined) parts.push(`so QEMU expects a ${q['expected-downtime']} ms pause against the ${limitMs} ms limit`);
  if (q['cpu-throttle-percentage']) parts.push(`even with the guest's CPUs throttled ${q['cpu-throttle-percentage']} %`);
  return parts.join(', ');
}

async function waitMirrorsReady(qmp: QmpClient, jobs: string[], move: OutgoingMove, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let copied = 0;
  for (;;) {
    const list = await qmp.execute<{ device: string; ready?: boolean; offset: number; len: number; status?: string }[]>('query-block-jobs');
    const ours = list.filter((j) => jobs.includes(j.device));
    if (ours.length < jobs.length) throw new ViridianError('QEMU_FAILED', 'A storage mirror stopped before it was in sync.');
    const offset = ours.reduce((s, j) => s + j.offset, 0);
    const len = ours.reduce((s, j) => s + j.len, 0) || 1;
    move.bytesMoved += Math.max(0, offset - copied);
    copied = Math.max(copied, offset);
    move.jc.progress(5 + (offset / len) * 45, 'Mirroring storage');
    if (ours.every((j) => j.ready === true)) return;
    if (move.jc.signal.aborted) throw new ViridianError('CANCELLED', 'The migration was cancelled; the VM keeps running here.');
    move.checkTarget();
    if (Date.now() > deadline) throw new ViridianError('TIMEOUT', `The storage mirror did not get in sync within ${Math.round(timeoutMs / 1000)} s.`, 'Use shared storage, or Quick Migration.');
    await sleep(100);
  }
}

/**
 * Live migration: (storage mirror to the target's NBD exports,) RAM pre-copy
 * over TCP with a downtime limit and a bandwidth cap set for the link,
 * auto-converge; the target resumes once it has it all. Gives up after the
 * timeout with QEMU's reason and leaves the VM running here.
 */
export async function liveMigrate(move: OutgoingMove, opts: LiveOptions): Promise<MigrationResult> {
  const { vm, jc, plan } = move;
  const before = vm.state;
  if (before !== 'Running' && before !== 'Paused') throw new ViridianError('INVALID_STATE', `Live migration moves a running VM; "${vm.name}" is ${before}.`, 'Use Quick Migration.');
  const copy = move.storage === 'copy';
  const qmp = vm.qmpClient();
  if (!qmp) throw new ViridianError('QEMU_FAILED', `"${vm.name}" has no QEMU process to migrate.`);
  if (copy) {
    // The mirror starts at each disk's active node; after a live snapshot that is an overlay with another name.
    const tops = new Set((await qmp.execute<{ inserted?: { 'node-name'?: string } }[]>('query-block')).map((b) => b.inserted?.['node-name']).filter(Boolean));
    const moved = diskNodes(vm.config).filter((d) => !tops.has(d.node));
    if (moved.length) {
      throw new ViridianError('UNSUPPORTED', `"${vm.name}" runs on a snapshot overlay (${moved.map((d) => d.path).join(', ')}) since it started, so its disks cannot be mirrored live.`, 'Use Quick Migration, or shared storage, or restart the VM first.');
    }
  }
  const mirrors: string[] = [];
  const nbdNodes: string[] = [];
  let migrating = false;
  let completed = false;
  let handingOver = false;
  let last: QueryMigrate = {};
  let incomingId = '';
  let tls: PskCreds | null = null;
  const offStop = move.watchStop();
  try {
    const prep = await move.phase('checking', `Checking and preparing ${move.address}`, async () => {
      const facts = await move.call('migration.incomingCheck', plan, 60_000);
      if (facts.problems.some((p) => p.severity === 'error')) throw fitError(vm.name, move.address, facts.problems);
      for (const p of facts.problems) jc.step(`Warning: ${p.message}`);
      const prepared = await move.call('migration.incomingPrepare', plan, 60_000);
      move.incomingId = prepared.incomingId;
      incomingId = prepared.incomingId;
      jc.step('Starting the receiving VM on the target');
      return move.call('migration.incomingLive', { incomingId: prepared.incomingId, listenHost: splitAddress(move.address).host }, 120_000);
    });
    vm.setState('Migrating', `Live migrating to ${move.address}`);
    const creds = await addPskCreds(qmp, vm.folder, 'client', prep.tls);
    tls = creds;
    jc.progress(5, 'Prepared');

    if (copy) {
      const nbd = prep.nbd;
      if (!nbd) throw new ViridianError('PROTOCOL', 'The target did not offer the disks for the storage mirror.');
      await move.phase('mirroring', 'Mirroring the disks to the target', async () => {
        for (const { node } of diskNodes(vm.config)) {
          const exportName = nbd.exports[node];
          if (!exportName) throw new ViridianError('PROTOCOL', `The target offered no export for ${node}.`);
          const target = `mig-nbd-${node}`;
          await qmp.execute('blockdev-add', { driver: 'nbd', 'node-name': target, server: { type: 'inet', host: nbd.host, port: String(nbd.port) }, export: exportName, 'tls-creds': creds.id });
          nbdNodes.push(target);
          const job = `mig-mirror-${node}`;
          // write-blocking: once in sync, every guest write reaches both sides before it completes.
          await qmp.execute('blockdev-mirror', { 'job-id': job, device: node, target, sync: 'full', 'copy-mode': 'write-blocking', 'auto-dismiss': true });
          mirrors.push(job);
        }
        const bytes = plan.files.filter((f) => f.role === 'disk').reduce((s, f) => s + (f.virtualSize ?? f.bytes), 0);
        await waitMirrorsReady(qmp, mirrors, move, Math.max(120_000, (bytes / (10 * MiB)) * 1000));
      });
    }

    await move.phase('migrating', 'Migrating memory', async () => {
      await qmp.execute('migrate-set-capabilities', {
        capabilities: [
          { capability: 'events', state: true },
          { capability: 'auto-converge', state: opts.autoConverge },
        ],
      });
      await qmp.execute('migrate-set-parameters', { 'downtime-limit': opts.downtimeLimitMs, 'max-bandwidth': opts.bandwidthMiBps * MiB });
      // React to the end at once (the blackout is running then), poll only for progress.
      let ended: () => void = () => undefined;
      const end = new Promise<void>((done) => (ended = done));
      const offEvents = qmp.onEvent((e) => {
        if (e.event === 'MIGRATION' && ['completed', 'failed', 'cancelled'].includes(String(e.data.status))) ended();
      });
      await qmp.execute('migrate', { uri: prep.migrateUri });
      migrating = true;
      const started = Date.now();
      let lastPing = started;
      try {
        for (;;) {
          last = await qmp.execute<QueryMigrate>('query-migrate');
          if (last.status === 'completed') break;
          if (last.status === 'failed' || last.status === 'cancelled') {
            throw new ViridianError('QEMU_FAILED', `QEMU's migration ${last.status}${last['error-desc'] ? `: ${last['error-desc']}` : ''}.`, 'The VM keeps running here.');
          }
          if (last.ram && last.ram.total > 0) jc.progress((copy ? 50 : 5) + (Math.min(1, last.ram.transferred / last.ram.total) * (copy ? 40 : 85)), 'Migrating memory');
          if (jc.signal.aborted) throw new ViridianError('CANCELLED', 'The migration was cancelled; the VM keeps running here.');
          move.checkTarget();
          // Keep the target's reservation alive (it gives up on a silent source after 10 minutes).
          if (Date.now() - lastPing > 30_000) {
            lastPing = Date.now();
            void move.call('migration.incomingStatus', { incomingId }, 10_000).catch(() => undefined);
          }
          if (Date.now() - started > opts.convergeTimeoutSec * 1000) {
            throw new ViridianError(
              'TIMEOUT',
              `Live migration of "${vm.name}" did not converge within ${opts.convergeTimeoutSec} s: ${notConverging(last, opts.downtimeLimitMs)}. The VM keeps running here.`,
              `Use Quick Migration instead (viridian vm migrate ${vm.name} --to ${move.address} --quick), or allow a longer pause or more bandwidth.`,
            );
          }
          await Promise.race([end, sleep(100)]);
        }
      } finally {
        offEvents();
      }
      migrating = false;
      completed = true;
      move.bytesMoved += last.ram?.transferred ?? 0;
    });

    handingOver = true;
    const fin = await move.phase('switching', 'Handing over to the target', async () => {
      // The guest is stopped here and every write is on the target: end the mirrors without a pivot.
      for (const job of mirrors) await qmp.execute('block-job-cancel', { device: job, force: true }).catch(() => undefined);
      return move.call('migration.incomingFinish', { incomingId, state: before, pausedAtSave: false }, 120_000);
    });
    move.incomingId = null;
    await vm.endProcess(`Migrated to ${move.address}`).catch(() => undefined);
    await move.handOver();
    const downtime = before === 'Running' && move.stoppedAt !== null && fin.runningAt !== null ? fin.runningAt - move.stoppedAt : null;
    jc.progress(100, 'Completed');
    return move.result(fin.state, downtime, last.downtime ?? null);
  } catch (err) {
    if (handingOver && isConnectionLoss(err)) {
      // The target may be running it now: the copy here stays stopped.
      if (vm.state === 'Migrating') vm.setState('Paused', `The move to ${move.address} may have completed`);
      throw new ViridianError(
        'PROTOCOL',
        `The connection to ${move.address} was lost while it took over "${vm.name}"; it may be running there. The copy here stays paused.`,
        `Check ${move.address}. If the VM is not there, resume it here (Resume).`,
      );
    }
    if (migrating) await qmp.execute('migrate_cancel').catch(() => undefined);
    for (const job of mirrors) await qmp.execute('block-job-cancel', { device: job, force: true }).catch(() => undefined);
    if (mirrors.length) await sleep(200);
    for (const node of nbdNodes) await qmp.execute('blockdev-del', { 'node-name': node }).catch(() => undefined);
    await move.abortTarget();
    if (!qmp.closed) {
      // After a completed stream the disks were handed over; take them back and run again.
      const { status } = await qmp.execute<{ status: string }>('query-status').catch(() => ({ status: '' }));
      if (before === 'Running' && status !== 'running') await qmp.execute('cont').catch((e: unknown) => move.ctx.log(`cont after failed migration: ${String(e)}`));
    }
    if (vm.state === 'Migrating') vm.setState(before, 'Migration did not complete');
    if (err instanceof ViridianError && err.code === 'TIMEOUT' && /did not converge/.test(err.message)) throw err;
    throw migrationFailed(vm.name, move.address, err, completed ? 'during the hand-over' : 'while copying');
  } finally {
    offStop();
    await tls?.dispose();
  }
}
