import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { availableParallelism, cpus, hostname, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { HostInfoSchema, ViridianError, type Accelerator, type HostInfo } from '../contract';
import { findExecutable, isExecutable } from '../common/paths';
import { findQemuImg, qemuInstallDirs } from '../storage/qemu-img';

export interface AcceleratorProbe {
  kind: Accelerator;
  reason: string;
  hint?: string;
}

const QEMU_SYSTEM = 'qemu-system-x86_64';

/** qemu-system-x86_64: VIRIDIAN_QEMU if set (and executable), else PATH, else common install folders. */
export async function findQemuSystem(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const override = env['VIRIDIAN_QEMU'];
  if (override) return (await isExecutable(override)) ? resolve(override) : null;
  return findExecutable(QEMU_SYSTEM, qemuInstallDirs(process.platform, env), env);
}

export function qemuSystemInstallHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'Install QEMU with `brew install qemu`, or set VIRIDIAN_QEMU to qemu-system-x86_64.';
  if (platform === 'win32') return 'Install QEMU for Windows (qemu.weilnetz.de), or set VIRIDIAN_QEMU to qemu-system-x86_64.exe.';
  return 'Install it with `sudo apt-get install qemu-system-x86` (Debian/Ubuntu) or `sudo dnf install qemu-system-x86` (Fedora), or set VIRIDIAN_QEMU.';
}

function execText(binary: string, args: string[], timeoutMs = 15_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(binary, args, { timeout: timeoutMs, env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const detail = String(stderr).trim() || err.message;
        reject(new ViridianError('QEMU_FAILED', `${binary} ${args.join(' ')} failed: ${detail}`));
      } else {
        resolvePromise(String(stdout));
      }
    });
  });
}

/** "QEMU emulator version 7.2.22 (Debian ...)" → "7.2.22". */
export function parseQemuVersion(text: string): string | null {
  const m = /version\s+(\d+\.\d+(?:\.\d+)?)/i.exec(text);
  return m?.[1] ?? null;
}

/** Compares dotted versions numerically: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export async function qemuVersion(binary: string): Promise<string> {
  const out = await execText(binary, ['--version']);
  const v = parseQemuVersion(out);
  if (!v) throw new ViridianError('QEMU_FAILED', `Could not read the QEMU version from "${out.trim().split('\n')[0] ?? ''}".`);
  return v;
}

// ---------------------------------------------------------------------------
// Accelerator

const TCG_SLOW = 'VMs run in software emulation (TCG), 10–50× slower.';
const NO_HW_REASON = `Hardware virtualization is not available; ${TCG_SLOW}`;
const NO_HW_HINT = 'Enable VT-x/AMD-V in firmware and load the kvm_intel or kvm_amd module; add your user to the kvm group.';
const KVM_GROUP_HINT = 'Add your user to the kvm group (`sudo usermod -aG kvm $USER`), then log out and back in.';

const cache = new Map<string, Promise<AcceleratorProbe>>();

/** Forget cached probes (tests, or after the user fixed their setup). */
export function resetAcceleratorCache(): void {
  cache.clear();
}

/**
 * Which accelerator VMs will get, why, and for TCG how to get a faster one.
 * VIRIDIAN_ACCEL=tcg|kvm|whpx|hvf forces the answer (tests, or to work around
 * a broken accelerator). Probed once per process and binary.
 */
export function probeAccelerator(binary: string): Promise<AcceleratorProbe> {
  const forced = process.env['VIRIDIAN_ACCEL'];
  if (forced === 'tcg') {
    return Promise.resolve({ kind: 'tcg', reason: `Software emulation (TCG) was chosen with VIRIDIAN_ACCEL=tcg; VMs run 10–50× slower than with a hardware accelerator.` });
  }
  if (forced === 'kvm' || forced === 'whpx' || forced === 'hvf') {
    return Promise.resolve({ kind: forced, reason: `${forced.toUpperCase()} was chosen with VIRIDIAN_ACCEL=${forced} (not probed).` });
  }
  let p = cache.get(binary);
  if (!p) {
    p = probeUncached(binary);
    cache.set(binary, p);
  }
  return p;
}

async function probeUncached(binary: string): Promise<AcceleratorProbe> {
  try {
    if (process.platform === 'linux') return await probeKvm(binary);
    if (process.platform === 'win32') return await probeListed(binary, 'whpx', 'Windows Hypervisor Platform (WHPX)', 'Turn on "Windows Hypervisor Platform" in Windows Features and restart.');
    if (process.platform === 'darwin') return await probeListed(binary, 'hvf', 'Hypervisor.framework (HVF)', 'Use a Mac with hardware virtualization and a QEMU build with HVF (Homebrew\'s has it).');
    return { kind: 'tcg', reason: `No hardware accelerator is supported on ${process.platform}; ${TCG_SLOW}` };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { kind: 'tcg', reason: `Probing the accelerator failed (${msg}); ${TCG_SLOW}` };
  }
}

/** Windows and macOS: trust the platform plus QEMU saying it was built with the accelerator. */
async function probeListed(binary: string, kind: 'whpx' | 'hvf', name: string, hint: string): Promise<AcceleratorProbe> {
  const out = await execText(binary, ['-accel', 'help']);
  const listed = out.split('\n').some((l) => l.trim() === kind);
  if (listed) return { kind, reason: `${name} is available in this QEMU.` };
  return { kind: 'tcg', reason: `This QEMU does not list ${name}; ${TCG_SLOW}`, hint };
}

async function cpuHasVirtFlags(): Promise<boolean | null> {
  try {
    const text = await readFile('/proc/cpuinfo', 'utf8');
    return /^flags\s*:.*\b(vmx|svm)\b/m.test(text);
  } catch {
    return null;
  }
}

async function probeKvm(binary: string): Promise<AcceleratorProbe> {
  const st = await stat('/dev/kvm').catch(() => null);
  if (!st) {
    // Without vmx/svm the CPU (often a cloud VM without nested virtualization) cannot do KVM at all.
    const flags = await cpuHasVirtFlags();
    const hint = flags === false ? `${NO_HW_HINT} This CPU does not report VT-x/AMD-V; if this host is itself a VM, turn on nested virtualization.` : NO_HW_HINT;
    return { kind: 'tcg', reason: NO_HW_REASON, hint };
  }
  try {
    const fh = await open('/dev/kvm', 'r+');
    await fh.close();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      return { kind: 'tcg', reason: `/dev/kvm exists but this user may not open it; ${TCG_SLOW}`, hint: KVM_GROUP_HINT };
    }
    return { kind: 'tcg', reason: `/dev/kvm could not be opened (${code ?? String(err)}); ${TCG_SLOW}`, hint: NO_HW_HINT };
  }
  // The device opens; only QEMU itself can say whether KVM really works (module loaded, nesting, ...).
  try {
    const r = await qmpQueryKvm(binary, 'kvm');
    if (r.enabled) return { kind: 'kvm', reason: 'KVM hardware acceleration is available.' };
    return { kind: 'tcg', reason: `QEMU started but KVM is not enabled; ${TCG_SLOW}`, hint: NO_HW_HINT };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { kind: 'tcg', reason: `QEMU could not use KVM (${msg}); ${TCG_SLOW}`, hint: NO_HW_HINT };
  }
}

/**
 * Starts a paused, device-less QEMU with the given accelerator and asks it
 * over QMP (on stdio) whether KVM is enabled, then quits it.
 */
export function qmpQueryKvm(binary: string, accel: 'kvm' | 'tcg', timeoutMs = 20_000): Promise<{ enabled: boolean; present: boolean }> {
  // The VM's own CPU model: nested setups can pass query-kvm yet fail to set
  // up a `-cpu host` vCPU (seen here: an MSR assertion at start).
  const cpu = accel === 'kvm' ? ['-cpu', 'host'] : [];
  const args = ['-machine', `pc,accel=${accel}`, ...cpu, '-m', '16', '-display', 'none', '-serial', 'none', '-monitor', 'none', '-nodefaults', '-S', '-qmp', 'stdio'];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let buf = '';
    let stderr = '';
    let result: { enabled: boolean; present: boolean } | null = null;
    let settled = false;
    const finish = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        child.kill('SIGKILL');
        reject(err);
      } else if (result) {
        resolvePromise(result);
      } else {
        reject(new Error(stderr.trim().replace(/^qemu-system-x86_64:\s*/gm, '') || 'QEMU exited without answering'));
      }
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const send = (cmd: object): void => {
      if (!child.stdin.destroyed) child.stdin.write(`${JSON.stringify(cmd)}\n`);
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => {
      stderr += c;
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        let msg: { QMP?: unknown; id?: string; return?: { enabled?: boolean; present?: boolean }; error?: { desc?: string } };
        try {
          msg = JSON.parse(line) as typeof msg;
        } catch {
          continue;
        }
        if (msg.QMP !== undefined) send({ execute: 'qmp_capabilities', id: 'caps' });
        else if (msg.id === 'caps') send({ execute: 'query-kvm', id: 'kvm' });
        else if (msg.id === 'kvm') {
          if (msg.error) return finish(new Error(msg.error.desc ?? 'query-kvm failed'));
          result = { enabled: msg.return?.enabled === true, present: msg.return?.present === true };
          // Run the vCPU for a moment: a broken accelerator fails here, not at query time.
          send({ execute: 'cont', id: 'cont' });
        } else if (msg.id === 'cont') {
          setTimeout(() => send({ execute: 'query-status', id: 'status' }), 200);
        } else if (msg.id === 'status') {
          const status = (msg.return as { status?: string } | undefined)?.status;
          if (status !== 'running' && result) result = { ...result, enabled: false };
          send({ execute: 'quit', id: 'quit' });
        }
      }
    });
    child.stdin.on('error', () => undefined); // QEMU may exit before reading; the exit handler reports why.
    child.on('error', (err) => finish(err));
    child.on('close', () => finish(null));
  });
}

// ---------------------------------------------------------------------------
// Host information

const MiB = 1024 * 1024;
/** Memory kept back for the host OS and the engine when sizing VMs. */
export const HOST_RESERVED_MIB = 512;

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    // Bundled builds may not ship package.json beside core; the host can pass its version instead.
    return '0.0.0';
  }
}

export async function hostInfo(dataDir: string, storageRoots: readonly string[], version: string = packageVersion()): Promise<HostInfo> {
  const [binary, img] = await Promise.all([findQemuSystem(), findQemuImg()]);
  let qemuVer: string | null = null;
  let accelerator: AcceleratorProbe;
  if (binary) {
    qemuVer = await qemuVersion(binary).catch(() => null);
    accelerator = await probeAccelerator(binary);
  } else {
    accelerator = { kind: 'tcg', reason: 'QEMU (qemu-system-x86_64) is not installed, so no VM can start.', hint: qemuSystemInstallHint() };
  }
  const memoryMiB = Math.floor(totalmem() / MiB);
  const cpuCount = typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
  return HostInfoSchema.parse({
    hostname: hostname(),
    version,
    platform: process.platform,
    cpus: cpuCount,
    memoryMiB,
    maxVmMemoryMiB: Math.max(256, memoryMiB - HOST_RESERVED_MIB),
    dataDir,
    storageRoots: [...storageRoots],
    qemu: { found: binary !== null, binary, version: qemuVer, img },
    accelerator: accelerator.hint === undefined ? { kind: accelerator.kind, reason: accelerator.reason } : accelerator,
  });
}
