// Test helpers for snapshot tests: a test-guest VM with a blank data disk,
// and typing commands on its serial shell to write and read marker files.
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MethodParams } from '../contract';
import { guestAppend, serialCommand } from '../testing/guest';
import { kernelVm, serialText, waitForSerial, type EngineFixture } from '../testing/engine-fixture';
import type { Engine } from './engine';

const run = promisify(execFile);
let cmdId = 7000;

/** A blank qcow2 data disk inside the fixture's data dir. */
export async function blankDisk(fx: EngineFixture, name: string, size = '16M'): Promise<string> {
  const path = join(fx.dataDir, name);
  await run('qemu-img', ['create', '-q', '-f', 'qcow2', path, size]);
  return path;
}

/**
 * A direct-kernel-boot VM with `disk` as IDE 0:0 (/dev/sda in the guest).
 * Boot order puts the network first: with -kernel, QEMU's linuxboot ROM owns
 * bootindex 0, and a disk ranked first would ask for 0 as well.
 */
export function dataDiskVm(fx: EngineFixture, name: string, disk: string, extra: Partial<MethodParams<'vm.create'>> = {}): MethodParams<'vm.create'> {
  return kernelVm(fx.guest, name, {
    bootFrom: 'net',
    disk: { kind: 'existing', path: disk },
    kernel: { path: fx.guest.kernel, initrd: fx.guest.initrd, append: guestAppend({ disk: '/dev/sda' }) },
    ...extra,
  });
}

/** Types `command` on the guest's serial shell; resolves with its exit code and what it printed. */
export async function guestRun(engine: Engine, vm: string, command: string, timeoutMs = 60_000): Promise<{ rc: number; output: string }> {
  const id = cmdId++;
  const { line, done } = serialCommand(command, id);
  const path = engine.getVm(vm).paths?.serial;
  if (!path) throw new Error(`${vm} has no serial socket`);
  const start = (await serialText(engine, vm)).length;
  const sock: Socket = await new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(s));
    s.once('error', reject);
  });
  sock.end(line);
  const text = await waitForSerial(engine, vm, done, timeoutMs);
  return { rc: Number(done.exec(text)?.[1] ?? -1), output: text.slice(start) };
}

/** Makes sure /mnt holds the data disk's file system (formats it the first time). */
export async function mountData(engine: Engine, vm: string, format: boolean): Promise<void> {
  const mk = format ? 'mke2fs -q -F /dev/sda >/dev/null 2>&1 && ' : '';
  const r = await guestRun(engine, vm, `${mk}mkdir -p /mnt && (grep -q ' /mnt ' /proc/mounts || mount /dev/sda /mnt)`);
  if (r.rc !== 0) throw new Error(`mounting the data disk failed (rc ${r.rc}): ${r.output}`);
}

/** Writes marker file /mnt/f<key> and flushes it to the disk. */
export async function writeMarker(engine: Engine, vm: string, key: number, value: string): Promise<void> {
  const r = await guestRun(engine, vm, `echo ${value} > /mnt/f${key} && sync`);
  if (r.rc !== 0) throw new Error(`writing /mnt/f${key} failed: ${r.output}`);
}

/** Reads every marker file from the disk itself (page cache dropped first). */
export async function readMarkers(engine: Engine, vm: string): Promise<Record<string, string>> {
  const r = await guestRun(engine, vm, `sync; echo 3 > /proc/sys/vm/drop_caches; for f in /mnt/f*; do [ -e "$f" ] && echo "MARK-\${f#/mnt/}=$(cat "$f")-END"; done; true`);
  const out: Record<string, string> = {};
  for (const m of r.output.matchAll(/MARK-(f\d+)=(\w+)-END/g)) if (m[1] && m[2]) out[m[1]] = m[2];
  return out;
}
