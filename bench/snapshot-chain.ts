import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openEngine, type Engine } from '../core/engine/engine';
import { sleep } from '../core/qemu/qmp';
import { ensureTestGuest, guestAppend } from '../core/testing/guest';
import { median, ms } from './stats';

const run = promisify(execFile);

/**
 * A VM on a snapshot chain of growing depth: how long Start takes (QEMU up and
 * answering) and how long until the guest has read its disk through every
 * level, and a take-snapshot of a running VM at that depth. Layers are empty,
 * so every read walks the whole chain down to the base (the worst case).
 */
export interface ChainPoint {
  depth: number;
  startMs: number;
  diskReadyMs: number;
  liveSnapshotMs: number;
  /** How long the guest was stopped during that live snapshot (QEMU's STOP → RESUME). */
  livePauseMs: number;
}

export interface ChainResult {
  accelerator: string;
  runs: number;
  points: ChainPoint[];
  /** Start time at the deepest level over start time at depth 0. */
  startRatio: number;
  diskReadyRatio: number;
}

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await f();
  return [performance.now() - t0, v];
}

async function job(engine: Engine, p: Promise<{ id: string }>): Promise<string[]> {
  const j = await engine.waitJob((await p).id, 600_000);
  if (j.state !== 'completed') throw new Error(`${j.kind}: ${j.error?.message ?? j.state}`);
  return j.steps.map((s) => s.text);
}

async function waitFor(file: string, re: RegExp, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!re.test(await readFile(file, 'utf8').catch(() => ''))) {
    if (Date.now() > deadline) throw new Error(`no ${re} in ${file}`);
    await sleep(20);
  }
}

export async function benchSnapshotChain(depths: readonly number[] = [0, 1, 10, 50, 100], runs = 3): Promise<ChainResult> {
  const guest = await ensureTestGuest();
  const dir = await mkdtemp(join(tmpdir(), 'viridian-bench-chain-'));
  const engine = await openEngine({ dataDir: dir, storageRoots: [dir, guest.dir] });
  try {
    const disk = join(dir, 'data.qcow2');
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '64M']);
    await engine.invoke('vm.create', {
      name: 'chain',
      memoryMiB: 128,
      bootFrom: 'net',
      disk: { kind: 'existing', path: disk },
      kernel: { path: guest.kernel, initrd: guest.initrd, append: guestAppend({ disk: '/dev/sda' }) },
    });
    const vm = engine.getVm('chain');
    const serial = join(vm.folder, 'serial.log');
    const points: ChainPoint[] = [];
    let depth = 0;
    for (const target of [...depths].sort((a, b) => a - b)) {
      // Off-VM snapshots up to the target depth (one qcow2 overlay each).
      while (depth < target) {
        await job(engine, engine.invoke('snapshot.create', { vm: 'chain', name: `level ${depth + 1}` }));
        depth++;
      }
      const starts: number[] = [];
      const ready: number[] = [];
      const live: number[] = [];
      const pauses: number[] = [];
      for (let r = 0; r < runs; r++) {
        await rm(serial, { force: true });
        const t0 = performance.now();
        await job(engine, engine.invoke('vm.action', { vm: 'chain', action: 'start' }));
        starts.push(performance.now() - t0);
        await waitFor(serial, /VIRIDIAN-DISK-READY/);
        ready.push(performance.now() - t0);
        if (r === 0) {
          // A checkpoint of the running VM at this depth (then deleted again, merged live).
          const [t, steps] = await timed(() => job(engine, engine.invoke('snapshot.create', { vm: 'chain', name: 'live' })));
          live.push(t);
          const paused = steps.map((x) => /paused for (\d+) ms/.exec(x)?.[1]).find((x) => x !== undefined);
          if (paused !== undefined) pauses.push(Number(paused));
          await job(engine, engine.invoke('snapshot.delete', { vm: 'chain', snapshot: 'live' }));
        }
        await job(engine, engine.invoke('vm.action', { vm: 'chain', action: 'turnOff' }));
      }
      points.push({ depth, startMs: median(starts), diskReadyMs: median(ready), liveSnapshotMs: median(live), livePauseMs: median(pauses) });
    }
    const first = points[0];
    const last = points[points.length - 1];
    return {
      accelerator: engine.hostInfo.accelerator.kind,
      runs,
      points,
      startRatio: first && last ? last.startMs / first.startMs : NaN,
      diskReadyRatio: first && last ? last.diskReadyMs / first.diskReadyMs : NaN,
    };
  } finally {
    for (const v of engine.listSummaries()) {
      const pid = engine.getVm(v.id).pid;
      if (pid) process.kill(pid, 'SIGKILL');
    }
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatSnapshotChain(r: ChainResult): string {
  const lines = [
    `Snapshot chain depth vs start (${r.accelerator}, median of ${r.runs}; empty layers, reads walk the whole chain)`,
    'depth  start → Running  start → disk read in guest  live snapshot  guest paused',
    ...r.points.map(
      (p) => `${String(p.depth).padStart(5)}  ${ms(p.startMs).padStart(15)}  ${ms(p.diskReadyMs).padStart(27)}  ${ms(p.liveSnapshotMs).padStart(13)}  ${ms(p.livePauseMs).padStart(12)}`,
    ),
    `deepest / depth 0: start ×${r.startRatio.toFixed(2)}, disk ready ×${r.diskReadyRatio.toFixed(2)}`,
  ];
  return lines.join('\n');
}
