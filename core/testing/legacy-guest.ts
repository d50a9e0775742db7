// A second flavour of the test guest with Debian's generic kernel, which has
// the drivers of QEMU's emulated NICs (e1000, tulip) that the cloud kernel of
// the default guest lacks. Same build script, its own folder; the default
// guest (and its boot time) is untouched. Used by the legacy-adapter tests and
// the synthetic-vs-emulated bench. First build: ≈ 70 MB kernel download + 60 s.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { guestDir, guestScriptPath } from './guest';

export const LEGACY_KERNEL_META = 'linux-image-amd64';

export interface LegacyGuest {
  dir: string;
  kernel: string;
  initrd: string;
  kernelVersion: string;
  modules: string[];
}

let pending: Promise<LegacyGuest> | null = null;

export function legacyGuestDir(): string {
  return `${guestDir()}-generic`;
}

/** Builds (once, cached) and returns the generic-kernel guest. */
export function ensureLegacyGuest(): Promise<LegacyGuest> {
  pending ??= (async () => {
    const dir = legacyGuestDir();
    await new Promise<void>((resolve, reject) => {
      execFile(
        'bash',
        [guestScriptPath()],
        { env: { ...process.env, VIRIDIAN_GUEST_DIR: dir, VIRIDIAN_GUEST_KERNEL: LEGACY_KERNEL_META }, maxBuffer: 64 * 1024 * 1024, timeout: 900_000 },
        (err, _out, stderr) => (err ? reject(new Error(`building the generic-kernel guest failed: ${String(stderr).trim().split('\n').slice(-5).join(' | ')}`)) : resolve()),
      );
    });
    const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { kernelVersion: string; modules: string[]; files: { kernel: string; initrd: string } };
    return { dir, kernel: join(dir, m.files.kernel), initrd: join(dir, m.files.initrd), kernelVersion: m.kernelVersion, modules: m.modules };
  })();
  pending.catch(() => {
    pending = null;
  });
  return pending;
}
