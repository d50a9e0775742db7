import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrationMode, MigrationResult } from '../core/contract/protocol-migration';
import { kernelGuest, lastTick, resultOf, serialOf, twoHosts, waitJob, waitSerial, type Side, type TwoHosts } from '../core/migration/migration-fixture';
import { DIRTY_STARTED_RE } from '../core/testing/guest';
import { median, ms, ratio } from './stats';

/**
 * Quick and live migration between two real host services on loopback,
 * 128 and 512 MiB guests, idle and dirtying memory; each sample is one move
 * (A→B, then B→A, alternating). Quick Migration's downtime is set against its
 * lower bound (guest memory written once and read once at the measured disk
 * bandwidth), live downtime against QEMU's own query-migrate figure.
 */
export interface MigrationBenchRow {
  memoryMiB: number;
  load: 'idle' | 'dirty';
  dirtyMiB: number;
  mode: MigrationMode;
  runs: number;
  downtimeMs: number;
  totalMs: number;
  bytesMoved: number;
  /** Live: QEMU's own downtime figure (median). */
  qemuDowntimeMs: number | null;
  /** Quick: guest memory / write bandwidth + guest memory / read bandwidth. */
  lowerBoundMs: number | null;
  /** Quick: the same bound for the state actually written (only touched pages travel). */
  stateLowerBoundMs: number | null;
  failures: string[];
}

export interface MigrationBench {
  accelerator: string;
  disk: { writeMiBps: number; readMiBps: number; file: string };
  rows: MigrationBenchRow[];
}

const MiB = 1024 * 1024;

/** Disk bandwidth where the state file goes: write with fsync, then read it back. */
async function diskBandwidth(dir: string, sizeMiB = 256): Promise<{ writeMiBps: number; readMiBps: number }> {
  const file = join(dir, 'bw.bin');
  const chunk = randomBytes(4 * MiB);
  const fh = await open(file, 'w');
  const t0 = performance.now();
  for (let i = 0; i < sizeMiB / 4; i++) await fh.write(chunk);
  await fh.sync();
  await fh.close();
  const write = performance.now() - t0;
  const rd = await open(file, 'r');
  const buf = Buffer.alloc(4 * MiB);
  const t1 = performance.now();
  while ((await rd.read(buf, 0, buf.length)).bytesRead > 0) {
    /* read it all */
  }
  const read = performance.now() - t1;
  await rd.close();
  await rm(file, { force: true });
  return { writeMiBps: sizeMiB / (write / 1000), readMiBps: sizeMiB / (read / 1000) };
}

async function oneMove(from: Side, to: Side, vmId: string, mode: MigrationMode): Promise<MigrationResult> {
  const job = await waitJob(from.client, await from.client.call('migration.start', { vm: vmId, to: to.address, mode, storage: 'shared' }), 600_000);
  if (job.state !== 'completed') throw new Error(job.error?.message ?? job.state);
  return resultOf(job);
}

async function benchCase(t: TwoHosts, memoryMiB: number, dirtyMiB: number, mode: MigrationMode, runs: number, bw: { writeMiBps: number; readMiBps: number }): Promise<MigrationBenchRow> {
  const name = `bench-${memoryMiB}-${dirtyMiB}-${mode}`;
  const vm = await t.a.client.call('vm.create', kernelGuest(t.guest, name, dirtyMiB > 0 ? { dirtyMiB } : {}, { memoryMiB }));
  await waitJob(t.a.client, await t.a.client.call('vm.action', { vm: vm.id, action: 'start' }));
  if (dirtyMiB > 0) await waitSerial(t.a, vm.id, DIRTY_STARTED_RE, 180_000);
  await waitSerial(t.a, vm.id, /VIRIDIAN-TICK [3-9]/, 180_000);
  const results: MigrationResult[] = [];
  const stateSizes: number[] = [];
  const failures: string[] = [];
  let here = t.a;
  let there = t.b;
  for (let i = 0; i < runs; i++) {
    // Settle: the guest runs a little on its new host before the next move.
    const tick = lastTick(await serialOf(here, vm.id));
    await waitSerial(here, vm.id, new RegExp(`VIRIDIAN-TICK (${tick + 2}|${tick + 3}|${tick + 4})\\b`), 60_000).catch(() => undefined);
    try {
      const r = await oneMove(here, there, vm.id, mode);
      results.push(r);
      if (mode === 'quick') {
        const transfer = r.phases.find((p) => p.name === 'transferring');
        if (transfer) stateSizes.push(transfer.bytes);
      }
      [here, there] = [there, here];
    } catch (err) {
      failures.push(String(err));
      break;
    }
  }
  await waitJob(here.client, await here.client.call('vm.action', { vm: vm.id, action: 'turnOff' }));
  await here.client.call('vm.delete', { vm: vm.id, confirm: true });
  const memBytes = memoryMiB * MiB;
  const bound = (bytes: number) => (bytes / MiB / bw.writeMiBps + bytes / MiB / bw.readMiBps) * 1000;
  const qemu = results.map((r) => r.qemuDowntimeMs).filter((x): x is number => x !== null);
  return {
    memoryMiB,
    load: dirtyMiB > 0 ? 'dirty' : 'idle',
    dirtyMiB,
    mode,
    runs: results.length,
    downtimeMs: median(results.map((r) => r.downtimeMs ?? NaN)),
    totalMs: median(results.map((r) => r.totalMs)),
    bytesMoved: median(results.map((r) => r.bytesMoved)),
    qemuDowntimeMs: qemu.length ? median(qemu) : null,
    lowerBoundMs: mode === 'quick' ? bound(memBytes) : null,
    // The state file holds only touched pages (zero pages are compressed by QEMU; zero runs are not even sent).
    stateLowerBoundMs: mode === 'quick' && stateSizes.length ? bound(median(stateSizes)) : null,
    failures,
  };
}

export async function benchMigration(runs: number, cases?: { memoryMiB: number; dirtyMiB: number }[]): Promise<MigrationBench> {
  const t = await twoHosts();
  try {
    const bw = await diskBandwidth(t.a.dataDir);
    const rows: MigrationBenchRow[] = [];
    const list = cases ?? [
      { memoryMiB: 128, dirtyMiB: 0 },
      { memoryMiB: 128, dirtyMiB: 40 },
      { memoryMiB: 512, dirtyMiB: 0 },
      { memoryMiB: 512, dirtyMiB: 256 },
    ];
    for (const c of list) {
      for (const mode of ['quick', 'live'] as const) {
        rows.push(await benchCase(t, c.memoryMiB, c.dirtyMiB, mode, runs, bw));
        process.stderr.write(`migration bench: ${c.memoryMiB} MiB ${c.dirtyMiB ? `dirty ${c.dirtyMiB} MiB` : 'idle'} ${mode} done\n`);
      }
    }
    return { accelerator: t.a.engine.hostInfo.accelerator.kind, disk: { ...bw, file: t.a.dataDir }, rows };
  } finally {
    await t.close();
  }
}

export function formatMigration(b: MigrationBench): string {
  const lines = [
    `Migration between two hosts on loopback (${b.accelerator.toUpperCase()}), shared storage; disk: write ${b.disk.writeMiBps.toFixed(0)} MiB/s (fsync), read ${b.disk.readMiBps.toFixed(0)} MiB/s`,
    'memory  load              mode   runs  downtime    total      moved      QEMU downtime  lower bound (mem / state)  downtime ÷ bound (mem / state)  downtime ÷ QEMU',
  ];
  for (const r of b.rows) {
    const load = r.load === 'idle' ? 'idle' : `dirty ${r.dirtyMiB} MiB`;
    const lb = r.lowerBoundMs !== null ? `${ms(r.lowerBoundMs)} / ${r.stateLowerBoundMs !== null ? ms(r.stateLowerBoundMs) : '-'}` : '-';
    const vsLb = r.lowerBoundMs !== null ? `${ratio(r.downtimeMs, r.lowerBoundMs)} / ${r.stateLowerBoundMs !== null ? ratio(r.downtimeMs, r.stateLowerBoundMs) : '-'}` : '-';
    const vsQ = r.qemuDowntimeMs !== null && r.qemuDowntimeMs > 0 ? ratio(r.downtimeMs, r.qemuDowntimeMs) : '-';
    lines.push(
      [
        `${r.memoryMiB} MiB`.padEnd(8),
        load.padEnd(17),
        r.mode.padEnd(6),
        String(r.runs).padEnd(5),
        ms(r.downtimeMs).padEnd(11),
        ms(r.totalMs).padEnd(10),
        `${(r.bytesMoved / MiB).toFixed(1)} MiB`.padEnd(10),
        (r.qemuDowntimeMs !== null ? ms(r.qemuDowntimeMs) : '-').padEnd(14),
        lb.padEnd(26),
        vsLb.padEnd(31),
        vsQ,
      ].join(' '),
    );
    for (const f of r.failures) lines.push(`  failed: ${f}`);
  }
  return lines.join('\n');
}
