import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine, type Engine } from '../core/engine/engine';
import { buildQemuArgs } from '../core/qemu/cmdline';
import { launchQemu, waitForExit } from '../core/qemu/process';
import { QmpClient, sleep } from '../core/qemu/qmp';
import { runtimePaths } from '../core/engine/runtime';
import { FLUSH_STEP } from '../core/engine/vm-instance';
import { ensureTestGuest } from '../core/testing/guest';
import { median, ms, ratio } from './stats';

/**
 * Our engine versus the same QEMU command line driven by hand (QMP only),
 * measured alternately in one run: start → running, save, restore → running.
 */
export interface LifecycleResult {
  memoryMiB: number;
  runs: number;
  accelerator: string;
  /** saveFlushMs: the part of the engine's save spent in fsync of the state file (bare QEMU skips it). */
  engine: { startMs: number; saveMs: number; restoreMs: number; saveFlushMs: number };
  bare: { startMs: number; saveMs: number; restoreMs: number };
  ratios: { start: number; save: number; restore: number; saveWithoutFlush: number };
}

async function waitTick(file: string, re: RegExp, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!re.test(await readFile(file, 'utf8').catch(() => ''))) {
    if (Date.now() > deadline) throw new Error(`no ${re} in ${file}`);
    await sleep(100);
  }
}

type Round = { startMs: number; saveMs: number; restoreMs: number };

async function engineRound(engine: Engine, name: string): Promise<Round & { saveFlushMs: number }> {
  let flushMs = 0;
  const run = async (action: 'start' | 'save') => {
    const t0 = performance.now();
    const job = await engine.invoke('vm.action', { vm: name, action });
    const done = await engine.waitJob(job.id);
    if (done.state !== 'completed') throw new Error(`${action}: ${JSON.stringify(done.error)}`);
    const flush = done.steps.find((s) => s.text === FLUSH_STEP);
    if (flush && done.endedAt) flushMs = Date.parse(done.endedAt) - Date.parse(flush.at);
    return performance.now() - t0;
  };
  const startMs = await run('start');
  const vm = engine.getVm(name);
  await waitTick(join(vm.folder, 'serial.log'), /VIRIDIAN-TICK 2\b/);
  const saveMs = await run('save');
  const saveFlushMs = flushMs;
  const restoreMs = await run('start');
  const off = await engine.invoke('vm.action', { vm: name, action: 'turnOff' });
  await engine.waitJob(off.id);
  await rm(join(vm.folder, 'serial.log'), { force: true });
  return { startMs, saveMs, restoreMs, saveFlushMs };
}

/** The engine's own command line, driven with nothing but QMP. */
async function bareRound(engine: Engine, name: string, dir: string): Promise<Round> {
  const vm = engine.getVm(name);
  const folder = join(dir, 'bare');
  await rm(folder, { recursive: true, force: true });
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(folder, 'saved'), { recursive: true });
  const paths = runtimePaths(folder);
  const binary = engine.hostInfo.qemu.binary as string;
  const accel = engine.hostInfo.accelerator.kind;
  const args = buildQemuArgs(vm.config, paths, { accel, sandbox: true });

  let t0 = performance.now();
  let proc = launchQemu(binary, args, { cwd: folder, logFile: join(folder, 'qemu.log') });
  let qmp = await QmpClient.connect(paths.qmp, { retryForMs: 20_000, isAlive: () => proc.isAlive() });
  await qmp.execute('query-status');
  const startMs = performance.now() - t0;
  await waitTick(paths.serialLog, /VIRIDIAN-TICK 2\b/);

  t0 = performance.now();
  await qmp.execute('stop');
  await qmp.execute('migrate-set-parameters', { 'max-bandwidth': 64 * 1024 ** 3 });
  await qmp.execute('migrate', { uri: 'exec:cat > saved/state.bin' });
  for (;;) {
    const info = await qmp.execute<{ status: string }>('query-migrate');
    if (info.status === 'completed') break;
    if (info.status === 'failed') throw new Error('bare save failed');
    await sleep(25);
  }
  await qmp.execute('quit').catch(() => undefined);
  await waitForExit(proc, 10_000);
  const saveMs = performance.now() - t0;

  t0 = performance.now();
  proc = launchQemu(binary, [...args, '-incoming', 'defer'], { cwd: folder, logFile: join(folder, 'qemu.log') });
  qmp = await QmpClient.connect(paths.qmp, { retryForMs: 20_000, isAlive: () => proc.isAlive() });
  await qmp.execute('migrate-incoming', { uri: 'exec:cat saved/state.bin' });
  for (;;) {
    const { status } = await qmp.execute<{ status: string }>('query-status');
    if (status !== 'inmigrate') break;
    await sleep(20);
  }
  await qmp.execute('cont');
  const restoreMs = performance.now() - t0;
  await qmp.execute('quit').catch(() => undefined);
  await waitForExit(proc, 10_000);
  return { startMs, saveMs, restoreMs };
}

export async function benchLifecycle(memoryMiB: number, runs: number): Promise<LifecycleResult> {
  const guest = await ensureTestGuest();
  const dataDir = await mkdtemp(join(tmpdir(), 'viridian-bench-'));
  const engine = await openEngine({ dataDir, storageRoots: [dataDir, guest.dir] });
  try {
    const name = `bench-${memoryMiB}`;
    await engine.invoke('vm.create', { name, memoryMiB, kernel: { path: guest.kernel, initrd: guest.initrd, append: 'console=ttyS0' } });
    const e: (Round & { saveFlushMs: number })[] = [];
    const b: Round[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate so drift on a noisy machine hits both sides alike.
      if (i % 2 === 0) {
        e.push(await engineRound(engine, name));
        b.push(await bareRound(engine, name, dataDir));
      } else {
        b.push(await bareRound(engine, name, dataDir));
        e.push(await engineRound(engine, name));
      }
    }
    const m = (xs: readonly Round[], k: keyof Round) => median(xs.map((x) => x[k]));
    const engineM = { startMs: m(e, 'startMs'), saveMs: m(e, 'saveMs'), restoreMs: m(e, 'restoreMs'), saveFlushMs: median(e.map((x) => x.saveFlushMs)) };
    const bareM = { startMs: m(b, 'startMs'), saveMs: m(b, 'saveMs'), restoreMs: m(b, 'restoreMs') };
    return {
      memoryMiB,
      runs,
      accelerator: engine.hostInfo.accelerator.kind,
      engine: engineM,
      bare: bareM,
      ratios: {
        start: engineM.startMs / bareM.startMs,
        save: engineM.saveMs / bareM.saveMs,
        restore: engineM.restoreMs / bareM.restoreMs,
        saveWithoutFlush: median(e.map((x) => x.saveMs - x.saveFlushMs)) / bareM.saveMs,
      },
    };
  } finally {
    await engine.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export function formatLifecycle(r: LifecycleResult): string {
  const row = (k: keyof Round, label: string) =>
    `  ${label.padEnd(22)} engine ${ms(r.engine[k]).padStart(9)}   bare QEMU ${ms(r.bare[k]).padStart(9)}   ratio ${ratio(r.engine[k], r.bare[k])}`;
  return [
    `VM lifecycle, ${r.memoryMiB} MiB guest, ${r.accelerator}, median of ${r.runs} alternating runs`,
    row('startMs', 'start → running'),
    row('saveMs', 'save (to file, exit)'),
    `  ${''.padEnd(22)} of which the final fsync of the state file ${ms(r.engine.saveFlushMs)} (bare QEMU does not sync); without it ratio ${r.ratios.saveWithoutFlush.toFixed(3)}`,
    row('restoreMs', 'restore → running'),
  ].join('\n');
}
