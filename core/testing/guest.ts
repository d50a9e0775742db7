// The tiny test guest (busybox initramfs + Debian kernel + boot disks) that
// integration tests, benchmarks and e2e boot under QEMU. It is built and
// cached by scripts/build-test-guest.sh; this module finds it, rebuilding when
// the script changed, and holds the markers the guest prints on ttyS0.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute paths of the built guest. */
export interface TestGuest {
  dir: string;
  /** Debian kernel for direct kernel boot (`-kernel`). */
  kernel: string;
  /** busybox initramfs (`-initrd`); its /init prints the markers below. */
  initrd: string;
  /** 64 MiB raw MBR disk: syslinux + FAT16 partition holding kernel and initrd. */
  diskRaw: string;
  diskQcow2: string;
  /** Fixed VHD (force_size=on): open it as raw with `size` = diskVirtualSize to keep it migratable. */
  diskFixedVhd: string;
  diskDynamicVhd: string;
  /** e.g. "6.1.0-56-cloud-amd64" */
  kernelVersion: string;
  /** Virtual size of every disk image in bytes (64 MiB). */
  diskVirtualSize: number;
  /** Modules the initramfs loads; requested ones the kernel lacks (e.g. tulip, e1000 in the cloud kernel). */
  modules: string[];
  missingModules: string[];
}

// ---------------------------------------------------------------- markers
// All markers go to ttyS0 (the ready/mem/boot-id lines also to tty0 for VNC).
// Lines end in "\r\n". Input typed on the serial shell is echoed by the tty
// and can be spliced in just before a line end, so match markers without
// anchoring to line ends and with exact-width captures.
export const GUEST_READY_MARKER = 'VIRIDIAN-GUEST-READY';
export const GUEST_READY_RE = /VIRIDIAN-GUEST-READY/;
/** Once per second (viridian.tick=SECONDS), counting from 1 at boot: keeps increasing across save/restore/migration. */
export const TICK_RE = /VIRIDIAN-TICK (\d+)/;
export const TICK_RE_GLOBAL = /VIRIDIAN-TICK (\d+)/g;
/** MemTotal in kB as the guest sees it (≈ 94800 for 128 MiB). */
export const MEM_RE = /VIRIDIAN-MEM (\d+)/;
/** 32 hex digits, new at every boot: unchanged after a restore or migration. */
export const BOOT_ID_RE = /VIRIDIAN-BOOT-ID ([0-9a-f]{32})/;
/** viridian.ip=… or viridian.dhcp=1: the address configured on the first NIC. */
export const IP_RE = /VIRIDIAN-IP (\d{1,3}(?:\.\d{1,3}){3})/;
export const DHCP_FAILED_MARKER = 'VIRIDIAN-DHCP-FAILED';
export const NO_NIC_MARKER = 'VIRIDIAN-NO-NIC';
/** viridian.dirty=MiB: the dirtier is running (MiB actually used). */
export const DIRTY_STARTED_RE = /VIRIDIAN-DIRTY-STARTED (\d+)/;
/** viridian.dirty asked for more than fits: requested, used. */
export const DIRTY_CLAMPED_RE = /VIRIDIAN-DIRTY-CLAMPED (\d+) (\d+)/;
/** viridian.disk=/dev/X: the device exists and its first sector was read; size in 512-byte sectors. */
export const DISK_READY_RE = /VIRIDIAN-DISK-READY (\/dev\/[\w/-]+) (\d+)/;
export const DISK_MISSING_RE = /VIRIDIAN-DISK-MISSING (\/dev\/[\w/-]+)/;
/** Printed by the ACPI power button handler right before `poweroff -f`. */
export const POWEROFF_MARKER = 'VIRIDIAN-POWEROFF';
/** virtserialport name on which the guest also writes "VIRIDIAN-TICK <n> <boot id>" lines. */
export const HEARTBEAT_PORT_NAME = 'org.viridian.heartbeat';
export const HEARTBEAT_RE = /VIRIDIAN-TICK (\d+) ([0-9a-f]{32})/;

/** Guest RAM the tests use; below GUEST_MIN_MEMORY_MIB this kernel hangs after "Probing EDD". */
export const GUEST_MEMORY_MIB = 128;
export const GUEST_MIN_MEMORY_MIB = 80;

/** Kernel command line switches understood by the guest's /init. */
export interface GuestAppendOptions {
  /** Static address on the first NIC, "ADDR/PREFIX". */
  ip?: string;
  /** Default gateway (with ip). */
  gateway?: string;
  /** Run udhcpc on the first NIC; prints VIRIDIAN-IP. */
  dhcp?: boolean;
  /** Rewrite this many MiB of memory in a loop (≈ 48 max in a 128 MiB guest). */
  dirtyMiB?: number;
  /** Print VIRIDIAN-DISK-READY once this block device exists, e.g. "/dev/vda". */
  disk?: string;
  /** Seconds between ticks (default 1). */
  tickSeconds?: number;
  /** Keep kernel messages on the console after /init starts (default: warnings only). */
  verbose?: boolean;
  /** Drop `quiet` (kernel boot messages on ttyS0 cost ≈ 1 s under TCG). */
  noisy?: boolean;
}

/** `-append` for direct kernel boot; console=ttyS0 comes last so /dev/console is the serial port. */
export function guestAppend(opts: GuestAppendOptions = {}): string {
  const a = ['console=tty0', 'console=ttyS0'];
  if (!opts.noisy) a.push('quiet');
  if (opts.ip !== undefined) a.push(`viridian.ip=${opts.ip}`);
  if (opts.gateway !== undefined) a.push(`viridian.gw=${opts.gateway}`);
  if (opts.dhcp) a.push('viridian.dhcp=1');
  if (opts.dirtyMiB !== undefined) a.push(`viridian.dirty=${Math.floor(opts.dirtyMiB)}`);
  if (opts.disk !== undefined) a.push(`viridian.disk=${opts.disk}`);
  if (opts.tickSeconds !== undefined) a.push(`viridian.tick=${opts.tickSeconds}`);
  if (opts.verbose) a.push('viridian.verbose=1');
  return a.join(' ');
}

/**
 * A line to type on the serial shell and a regexp for its completion. The
 * shell has no prompt and the tty echoes input, so the sentinel is computed by
 * the shell: the echoed command never matches `done`.
 */
export function serialCommand(command: string, id: number): { line: string; done: RegExp } {
  const n = Math.floor(Math.abs(id));
  return {
    line: `${command}; echo "VIRIDIAN-CMD-$((${n}+0))-RC-$?"\n`,
    done: new RegExp(`VIRIDIAN-CMD-${n}-RC-(\\d+)`),
  };
}

/** Last tick number in a serial log, or -1. */
export function lastTick(text: string): number {
  let last = -1;
  for (const m of text.matchAll(TICK_RE_GLOBAL)) last = Number(m[1]);
  return last;
}

// ---------------------------------------------------------------- building
/** Where the guest is built: $VIRIDIAN_GUEST_DIR or ~/.cache/viridian/test-guest (as the script). */
export function guestDir(): string {
  const env = process.env['VIRIDIAN_GUEST_DIR'];
  return resolve(env ? env : join(homedir(), '.cache', 'viridian', 'test-guest'));
}

/** The build script, found relative to this module. */
export function guestScriptPath(): string {
  return fileURLToPath(new URL('../../scripts/build-test-guest.sh', import.meta.url));
}

const DEFAULT_KERNEL_META = 'linux-image-cloud-amd64';

interface Manifest {
  scriptSha256: string;
  kernelMetaPackage: string;
  kernelVersion: string;
  diskVirtualSize: number;
  files: Record<'kernel' | 'initrd' | 'diskRaw' | 'diskQcow2' | 'diskFixedVhd' | 'diskDynamicVhd', string>;
  modules: string[];
  missingModules: string[];
}

async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

async function nonEmptyFile(path: string): Promise<boolean> {
  try {
    const s = await stat(path);
    return s.isFile() && s.size > 0;
  } catch {
    return false;
  }
}

/** The guest described by dir/manifest.json if it is complete and built by this script; else null. */
async function readGuest(dir: string, scriptSha: string): Promise<TestGuest | null> {
  let m: Manifest;
  try {
    m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return null;
  }
  const kernelMeta = process.env['VIRIDIAN_GUEST_KERNEL'] || DEFAULT_KERNEL_META;
  if (m.scriptSha256 !== scriptSha || m.kernelMetaPackage !== kernelMeta || !m.files) return null;
  const f = m.files;
  const guest: TestGuest = {
    dir,
    kernel: join(dir, f.kernel),
    initrd: join(dir, f.initrd),
    diskRaw: join(dir, f.diskRaw),
    diskQcow2: join(dir, f.diskQcow2),
    diskFixedVhd: join(dir, f.diskFixedVhd),
    diskDynamicVhd: join(dir, f.diskDynamicVhd),
    kernelVersion: m.kernelVersion,
    diskVirtualSize: m.diskVirtualSize,
    modules: m.modules ?? [],
    missingModules: m.missingModules ?? [],
  };
  const files = [guest.kernel, guest.initrd, guest.diskRaw, guest.diskQcow2, guest.diskFixedVhd, guest.diskDynamicVhd];
  const ok = await Promise.all(files.map(nonEmptyFile));
  return ok.every(Boolean) ? guest : null;
}

function runScript(script: string, dir: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'bash',
      [script],
      { env: { ...process.env, VIRIDIAN_GUEST_DIR: dir }, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 },
      (err, _stdout, stderr) => {
        if (err) {
          const tail = String(stderr).trim().split('\n').slice(-20).join('\n');
          reject(new Error(`${script} failed (${err.message.split('\n')[0]}):\n${tail}`));
        } else {
          resolvePromise();
        }
      },
    );
  });
}

const pending = new Map<string, Promise<TestGuest>>();

/**
 * Builds the test guest if it is missing or stale (the script changed) and
 * returns its files. The first build takes ≈ 10 s plus the kernel download
 * (27 MB, cached in ~/.cache/viridian/debs); afterwards it only reads the
 * manifest. Concurrent callers (also in other processes) share one build.
 */
export function ensureTestGuest(): Promise<TestGuest> {
  const dir = guestDir();
  let p = pending.get(dir);
  if (!p) {
    p = (async () => {
      const script = guestScriptPath();
      const sha = await sha256File(script);
      const cached = await readGuest(dir, sha);
      if (cached) return cached;
      await runScript(script, dir);
      const built = await readGuest(dir, sha);
      if (!built) throw new Error(`${script} ran but ${dir} has no complete guest`);
      return built;
    })();
    pending.set(dir, p);
    // A failure is not cached: the next call tries again.
    p.catch(() => pending.delete(dir));
  }
  return p;
}
