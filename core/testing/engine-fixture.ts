import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job, MethodParams, VmState } from '../contract';
import { openEngine, type Engine } from '../engine/engine';
import { sleep } from '../qemu/qmp';
import { ensureTestGuest, type TestGuest } from './guest';

/** A real engine on a temp data dir, with the test guest inside its storage roots. */
export interface EngineFixture {
  engine: Engine;
  dataDir: string;
  guest: TestGuest;
  reopen(): Promise<Engine>;
  cleanup(): Promise<void>;
}

export async function engineFixture(): Promise<EngineFixture> {
  const guest = await ensureTestGuest();
  const dataDir = await mkdtemp(join(tmpdir(), 'viridian-it-'));
  const roots = [dataDir, guest.dir];
  const fx: EngineFixture = {
    engine: await openEngine({ dataDir, storageRoots: roots }),
    dataDir,
    guest,
    async reopen() {
      await fx.engine.close();
      fx.engine = await openEngine({ dataDir, storageRoots: roots });
      return fx.engine;
    },
    async cleanup() {
      killEngineVms(fx.engine);
      await fx.engine.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return fx;
}

/** Kills the QEMU process of every VM the engine runs: engines leave VMs running by design; tests must not. */
export function killEngineVms(engine: Engine): void {
  for (const vm of engine.listSummaries()) {
    const pid = (() => {
      try {
        return engine.getVm(vm.id).pid;
      } catch {
        return null;
      }
    })();
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

/** Params for a VM that boots the test guest's kernel directly (fastest boot). */
export function kernelVm(guest: TestGuest, name: string, extra: Partial<MethodParams<'vm.create'>> = {}): MethodParams<'vm.create'> {
  return {
    name,
    memoryMiB: 128,
    kernel: { path: guest.kernel, initrd: guest.initrd, append: 'console=ttyS0' },
    ...extra,
  };
}

/** A private copy of one of the guest's disks inside the data dir. */
export async function copyGuestDisk(fx: EngineFixture, which: 'diskQcow2' | 'diskFixedVhd' | 'diskDynamicVhd' | 'diskRaw', name: string): Promise<string> {
  const dst = join(fx.dataDir, name);
  await copyFile(fx.guest[which], dst);
  return dst;
}

export async function runAction(engine: Engine, vm: string, action: MethodParams<'vm.action'>['action'], timeoutSec?: number): Promise<Job> {
  const job = await engine.invoke('vm.action', timeoutSec === undefined ? { vm, action } : { vm, action, timeoutSec });
  return engine.waitJob(job.id, 180_000);
}

export async function waitForState(engine: Engine, vm: string, state: VmState, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (engine.getVm(vm).state !== state) {
    if (Date.now() > deadline) throw new Error(`"${vm}" stayed ${engine.getVm(vm).state}, expected ${state}`);
    await sleep(50);
  }
}

export async function serialText(engine: Engine, vm: string): Promise<string> {
  const v = engine.getVm(vm);
  return readFile(join(v.folder, 'serial.log'), 'utf8').catch(() => '');
}

/** Waits until the guest's serial log matches; returns the whole log. */
export async function waitForSerial(engine: Engine, vm: string, re: RegExp, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await serialText(engine, vm);
    if (re.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`serial log of "${vm}" never matched ${re}; last lines:\n${text.split('\n').slice(-10).join('\n')}`);
    await sleep(200);
  }
}

export function lastTick(text: string): number {
  const all = [...text.matchAll(/VIRIDIAN-TICK (\d+)/g)];
  const last = all[all.length - 1];
  return last?.[1] ? Number(last[1]) : -1;
}
