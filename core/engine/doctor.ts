import { mkdir, rm, statfs } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { formatBytes } from '../contract';
import { writeFileAtomic } from '../common/atomic';
import { compareVersions, findQemuSystem, probeAccelerator, qemuVersion } from '../qemu/probe';
import { findQemuImg } from '../storage/qemu-img';

export interface DoctorCheck {
  id: string;
  title: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** 'warn': worth fixing, but Viridian works; does not fail `viridian doctor`. */
  severity?: 'error' | 'warn';
}

export const MIN_QEMU_VERSION = '7.2';
export const LOW_SPACE_BYTES = 2 * 1024 ** 3;

function installFix(what: 'system' | 'img', platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'brew install qemu';
  if (platform === 'win32') return 'Install QEMU for Windows from https://qemu.weilnetz.de and add its folder to PATH (or set VIRIDIAN_QEMU / VIRIDIAN_QEMU_IMG).';
  return what === 'system' ? 'sudo apt-get install qemu-system-x86' : 'sudo apt-get install qemu-utils';
}

export function versionCheck(version: string | null): DoctorCheck {
  const base = { id: 'qemu-version', title: `QEMU ${MIN_QEMU_VERSION} or newer` };
  if (version === null) return { ...base, ok: false, detail: 'The QEMU version could not be read (is QEMU installed?).', fix: installFix('system') };
  if (compareVersions(version, MIN_QEMU_VERSION) < 0) {
    return { ...base, ok: false, detail: `QEMU ${version} is too old; Viridian needs ${MIN_QEMU_VERSION} or newer.`, fix: 'Upgrade QEMU from your distribution or from qemu.org.' };
  }
  return { ...base, ok: true, detail: `QEMU ${version}.` };
}

export function freeSpaceCheck(freeBytes: number, dir: string): DoctorCheck {
  const base = { id: 'free-space', title: 'Free space for virtual machines' };
  if (freeBytes < LOW_SPACE_BYTES) {
    return {
      ...base,
      ok: false,
      severity: 'warn',
      detail: `Only ${formatBytes(freeBytes)} is free in ${dir}; disks, saved states and snapshots need room to grow.`,
      fix: 'Free up space, or move the data folder to a larger drive by setting VIRIDIAN_DATA.',
    };
  }
  return { ...base, ok: true, detail: `${formatBytes(freeBytes)} free in ${dir}.` };
}

async function dataDirCheck(dataDir: string): Promise<DoctorCheck> {
  const base = { id: 'data-dir', title: 'Data folder is writable' };
  try {
    await mkdir(dataDir, { recursive: true });
    // Write the way the engine writes (temp file, fsync, rename), then clean up.
    const probe = join(dataDir, `.doctor-${process.pid}.tmp`);
    await writeFileAtomic(probe, 'ok\n');
    await rm(probe, { force: true });
    return { ...base, ok: true, detail: `${dataDir} exists and is writable.` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return {
      ...base,
      ok: false,
      detail: `Cannot write to ${dataDir} (${code}).`,
      fix: `Fix the folder's permissions, or set VIRIDIAN_DATA to a folder you can write to.`,
    };
  }
}

async function nearestStatfs(dir: string): Promise<{ free: number; at: string } | null> {
  let cur = resolve(dir);
  for (;;) {
    try {
      const st = await statfs(cur);
      return { free: st.bavail * st.bsize, at: cur };
    } catch {
      const up = dirname(cur);
      if (up === cur) return null;
      cur = up;
    }
  }
}

/** Checks that this machine can run VMs and says how to fix what is missing. */
export async function runDoctor(dataDir: string): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const [qemu, img] = await Promise.all([findQemuSystem(), findQemuImg()]);

  checks.push(
    qemu
      ? { id: 'qemu-system', title: 'QEMU (qemu-system-x86_64)', ok: true, detail: qemu }
      : { id: 'qemu-system', title: 'QEMU (qemu-system-x86_64)', ok: false, detail: 'qemu-system-x86_64 was not found on PATH (or at VIRIDIAN_QEMU); no VM can start.', fix: installFix('system') },
  );
  checks.push(
    img
      ? { id: 'qemu-img', title: 'qemu-img', ok: true, detail: img }
      : { id: 'qemu-img', title: 'qemu-img', ok: false, detail: 'qemu-img was not found on PATH (or at VIRIDIAN_QEMU_IMG); disks cannot be created or inspected.', fix: installFix('img') },
  );

  const version = qemu ? await qemuVersion(qemu).catch(() => null) : null;
  checks.push(versionCheck(version));

  const accelTitle = 'Hardware acceleration';
  if (qemu) {
    const a = await probeAccelerator(qemu);
    // TCG still runs VMs, only slower: the check passes but carries the notice and the fix.
    const check: DoctorCheck = { id: 'accelerator', title: accelTitle, ok: true, detail: `${a.kind.toUpperCase()}: ${a.reason}` };
    if (a.hint !== undefined) check.fix = a.hint;
    checks.push(check);
  } else {
    checks.push({ id: 'accelerator', title: accelTitle, ok: false, detail: 'Not checked: QEMU is missing.', fix: installFix('system') });
  }

  checks.push(await dataDirCheck(dataDir));

  const space = await nearestStatfs(dataDir);
  checks.push(space ? freeSpaceCheck(space.free, dataDir) : { id: 'free-space', title: 'Free space for virtual machines', ok: false, severity: 'warn', detail: `Could not measure free space for ${dataDir}.` });
  return checks;
}
