// Two real host services on loopback (separate data dirs and ports), each
// remembering the other, and helpers to watch the guest as it moves.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { EngineClient, TERMINAL_JOB_STATES, type Job, type MethodParams } from '../contract';
import type { MigrationResult } from '../contract/protocol-migration';
import type { Engine } from '../engine/engine';
import { connectControlSocket } from '../host/control-socket';
import { runHost, type RunningHost } from '../host/main';
import { sleep } from '../qemu/qmp';
import { killEngineVms } from '../testing/engine-fixture';
import { BOOT_ID_RE, ensureTestGuest, guestAppend, serialCommand, type GuestAppendOptions, type TestGuest } from '../testing/guest';

export interface TwoHosts {
  dir: string;
  shared: string;
  guest: TestGuest;
  a: Side;
  b: Side;
  close(): Promise<void>;
}

export interface Side {
  name: 'a' | 'b';
  host: RunningHost;
  engine: Engine;
  client: EngineClient;
  address: string;
  dataDir: string;
}

async function side(name: 'a' | 'b', dir: string, roots: string[]): Promise<Side> {
  const host = await runHost({ dataDir: join(dir, name), storageRoots: roots, listen: { host: '127.0.0.1', port: 0 }, log: () => {} });
  const t = await connectControlSocket(host.dataDir);
  if (!t) throw new Error('no control socket');
  const address = /\/\/([^/]+)\//.exec(host.url ?? '')?.[1] ?? '';
  return { name, host, engine: host.engine as Engine, client: new EngineClient(t), address, dataDir: host.dataDir };
}

/** Host a and host b, each with the other added (viridian host add). */
export async function twoHosts(): Promise<TwoHosts> {
  const guest = await ensureTestGuest();
  const dir = await mkdtemp(join(tmpdir(), 'viridian-mig-'));
  const shared = join(dir, 'shared');
  await mkdir(shared);
  const roots = [guest.dir, shared];
  const a = await side('a', dir, roots);
  const b = await side('b', dir, roots);
  await a.client.call('hosts.add', { address: b.address, token: b.host.token ?? '' });
  await b.client.call('hosts.add', { address: a.address, token: a.host.token ?? '' });
  return {
    dir,
    shared,
    guest,
    a,
    b,
    async close() {
      for (const s of [a, b]) {
        killEngineVms(s.engine);
        s.client.close();
        await s.host.close();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts two hosts before the test file's tests and closes them after; call it
 * at the top level of the file. The returned function gives the running pair.
 */
export function useTwoHosts(): () => TwoHosts {
  let t: TwoHosts | undefined;
  beforeAll(async () => {
    t = await twoHosts();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });
  return () => {
    if (!t) throw new Error('the two hosts are not running (useTwoHosts sets them up in beforeAll)');
    return t;
  };
}

/**
 * A VM that boots the guest's kernel directly. With a disk, boot order starts
 * at the network so the disk's bootindex does not collide with -kernel's
 * (QEMU: "The bootindex 0 has already been used").
 */
export function kernelGuest(guest: TestGuest, name: string, opts: GuestAppendOptions = {}, extra: Partial<MethodParams<'vm.create'>> = {}): MethodParams<'vm.create'> {
  return { name, memoryMiB: 128, kernel: { path: guest.kernel, initrd: guest.initrd, append: guestAppend(opts) }, ...(extra.disk ? { bootFrom: 'net' as const } : {}), ...extra };
}

export async function waitJob(client: EngineClient, job: Job, timeoutMs = 240_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  let j = job;
  while (!TERMINAL_JOB_STATES.includes(j.state)) {
    if (Date.now() > deadline) throw new Error(`job ${job.label} still ${j.state} (${j.phase})`);
    j = await client.call('job.wait', { id: job.id, timeoutMs: 5000 });
  }
  return j;
}

export function resultOf(job: Job): MigrationResult {
  return job.result as MigrationResult;
}

export async function serialOf(s: Side, vmId: string): Promise<string> {
  return readFile(join(s.dataDir, 'vms', vmId, 'serial.log'), 'utf8').catch(() => '');
}

export async function waitSerial(s: Side, vmId: string, re: RegExp, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await serialOf(s, vmId);
    if (re.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`serial log on ${s.name} never matched ${re}; last lines:\n${text.split('\n').slice(-8).join('\n')}`);
    await sleep(200);
  }
}

let cmdId = 1;
/** Types a command on the guest's serial shell (on whichever host runs it) and returns what it printed. */
export async function guestRun(s: Side, vmId: string, command: string, timeoutMs = 90_000): Promise<{ rc: number; output: string }> {
  const id = cmdId++;
  const { line, done } = serialCommand(command, id);
  const path = s.engine.getVm(vmId).paths?.serial;
  if (!path) throw new Error('the VM has no serial socket');
  const before = (await serialOf(s, vmId)).length;
  const sock: Socket = await new Promise((resolve, reject) => {
    const c = connect(path, () => resolve(c));
    c.once('error', reject);
  });
  sock.end(line);
  const text = await waitSerial(s, vmId, done, timeoutMs);
  const output = text.slice(before);
  return { rc: Number(done.exec(output)?.[1] ?? -1), output };
}

export function md5File(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const h = createHash('md5');
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('end', () => done(h.digest('hex')))
      .on('error', fail);
  });
}

/** A private copy of the guest's raw disk in the shared folder (both hosts see it). */
export async function sharedRawDisk(t: TwoHosts, name: string): Promise<string> {
  const dst = join(t.shared, name);
  await copyFile(t.guest.diskRaw, dst);
  return dst;
}

export function lastTick(text: string): number {
  let last = -1;
  for (const m of text.matchAll(/VIRIDIAN-TICK (\d+)/g)) last = Number(m[1]);
  return last;
}

export function firstTick(text: string): number {
  return Number(/VIRIDIAN-TICK (\d+)/.exec(text)?.[1] ?? -1);
}

export interface BootedGuest {
  id: string;
  /** The guest's disk: a private raw copy in the shared folder. */
  disk: string;
  diskMd5: string;
  /** The kernel's boot id (32 hex digits), to tell a moved guest from a rebooted one. */
  bootId: string;
}

/** Creates a VM named `name` on host a with a private shared raw disk (the guest's /dev/sda), starts it and waits until it counts. */
export async function bootSharedDiskGuest(t: TwoHosts, name: string, diskFile: string): Promise<BootedGuest> {
  const { a } = t;
  const disk = await sharedRawDisk(t, diskFile);
  const diskMd5 = await md5File(disk);
  const vm = await a.client.call('vm.create', kernelGuest(t.guest, name, { disk: '/dev/sda' }, { disk: { kind: 'existing', path: disk, bus: 'ide' } }));
  expect((await waitJob(a.client, await a.client.call('vm.action', { vm: vm.id, action: 'start' }))).state).toBe('completed');
  const bootLog = await waitSerial(a, vm.id, /VIRIDIAN-TICK [3-9]/);
  const bootId = BOOT_ID_RE.exec(bootLog)?.[1] ?? '';
  expect(bootId).toMatch(/^[0-9a-f]{32}$/);
  return { id: vm.id, disk, diskMd5, bootId };
}

/**
 * After a move to `s`: the guest goes on counting there past `tickBefore`
 * without a reboot (no new ready marker; with `bootId`, the kernel's boot id is
 * the same). Returns the first tick it printed on `s`.
 */
export async function expectKeptCounting(s: Side, vmId: string, tickBefore: number, bootId?: string): Promise<number> {
  const log = await waitSerial(s, vmId, /VIRIDIAN-TICK \d+[\s\S]*VIRIDIAN-TICK \d+/);
  expect(log).not.toMatch(/VIRIDIAN-GUEST-READY/);
  const first = firstTick(log);
  expect(first).toBeGreaterThan(tickBefore);
  if (bootId !== undefined) expect((await guestRun(s, vmId, "tr -d '-' </proc/sys/kernel/random/boot_id")).output).toContain(bootId);
  return first;
}

/** After a move that copied the disk to `s`: the VM runs there from a disk in its VM folder, and the guest reads the bytes it had (`diskMd5`). */
export async function expectRunningOnCopiedDisk(s: Side, vmId: string, diskMd5: string): Promise<void> {
  const vm = s.engine.getVm(vmId);
  expect(vm.state).toBe('Running');
  const d = vm.config.ide[0][0];
  expect(d?.kind === 'disk' && d.path.startsWith(join(s.dataDir, 'vms', vmId))).toBe(true);
  const sum = await guestRun(s, vmId, 'md5sum /dev/sda');
  expect(sum.rc).toBe(0);
  expect(sum.output).toContain(diskMd5);
}
