import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A QEMU process we started (and can see exit) or adopted (pid only). */
export interface QemuProcess {
  pid: number;
  /** Resolves when the process has exited; exit status only known for our own children. */
  exited: Promise<ExitInfo | null>;
  isAlive(): boolean;
}

/**
 * Starts QEMU detached in its own session, with stdout/stderr appended to a
 * log file: it outlives the engine, and a restarted engine re-adopts it.
 * cwd is the VM folder, so migration commands can use fixed relative paths.
 */
export function launchQemu(binary: string, args: string[], opts: { cwd: string; logFile: string }): QemuProcess {
  const fd = openSync(opts.logFile, 'a');
  let child;
  try {
    child = spawn(binary, args, { cwd: opts.cwd, detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, LC_ALL: 'C' } });
  } finally {
    closeSync(fd);
  }
  let exitInfo: ExitInfo | null = null;
  const exited = new Promise<ExitInfo | null>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    child.once('error', () => {
      exitInfo = { code: 127, signal: null };
      resolve(exitInfo);
    });
  });
  child.unref();
  const pid = child.pid ?? -1;
  return { pid, exited, isAlive: () => exitInfo === null && pid > 0 };
}

/**
 * Alive and not a zombie. PID 1 here reaps orphans slowly (QEMU.md "Process
 * exits"), so a dead, re-parented QEMU may still answer kill(pid, 0).
 */
export function isPidAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Is this pid a QEMU with our VM's uuid (guards against pid reuse)? */
export async function isOurQemu(pid: number, vmId: string): Promise<boolean> {
  if (!isPidAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.split('\0').includes(vmId);
  } catch {
    return false;
  }
}

/** A QEMU we did not start (re-adopted): we can only watch its pid. */
export function adoptProcess(pid: number): QemuProcess {
  let alive = isPidAlive(pid);
  const exited = new Promise<ExitInfo | null>((resolve) => {
    if (!alive) return resolve(null);
    const timer = setInterval(() => {
      if (!isPidAlive(pid)) {
        alive = false;
        clearInterval(timer);
        resolve(null);
      }
    }, 250);
    timer.unref();
  });
  return { pid, exited, isAlive: () => alive && isPidAlive(pid) };
}

/** CPU time (user+system) of a process in clock ticks, from /proc (Linux only). */
export function cpuTicks(pid: number): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14, stime field 15.
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : null;
  } catch {
    return null;
  }
}

export async function waitForExit(proc: QemuProcess, timeoutMs: number): Promise<boolean> {
  if (!proc.isAlive()) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), timeoutMs);
  });
  const done = await Promise.race([proc.exited.then(() => true as const), timeout]);
  clearTimeout(timer);
  return done || !proc.isAlive();
}

export function describeExit(info: ExitInfo | null): string {
  if (!info) return 'The QEMU process ended unexpectedly.';
  if (info.signal) return `The QEMU process was killed by signal ${info.signal}.`;
  return `The QEMU process exited with code ${info.code}.`;
}
