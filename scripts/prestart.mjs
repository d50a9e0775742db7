#!/usr/bin/env node
// Runs before `npm start`. Installs nothing: it checks what the console needs
// and says how to fix what is missing. Exits non-zero only for real blockers
// (no node_modules, no QEMU, no renderer sources); everything else is a note.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const problems = [];
const notes = [];
const found = [];

// --- node modules ----------------------------------------------------------
if (!existsSync(join(root, 'node_modules', 'vite')) || !existsSync(join(root, 'node_modules', 'tsx'))) {
  console.error('✗ node_modules is missing or incomplete.\n  Fix: Run `npm ci` first.');
  process.exit(1);
}

// --- QEMU --------------------------------------------------------------------
const installDirs =
  process.platform === 'win32'
    ? [process.env.ProgramFiles, process.env.ProgramW6432, 'C:\\Program Files'].filter(Boolean).map((d) => join(d, 'qemu'))
    : process.platform === 'darwin'
      ? ['/opt/homebrew/bin', '/usr/local/bin', '/opt/local/bin']
      : ['/usr/bin', '/usr/local/bin', '/usr/libexec'];

/** First line of `<program> --version`, trying the override, PATH, then the usual install folders. */
function versionOf(program, override) {
  const exe = process.platform === 'win32' ? `${program}.exe` : program;
  const candidates = override ? [override] : [program, ...installDirs.map((d) => join(d, exe))];
  for (const c of candidates) {
    const r = spawnSync(c, ['--version'], { encoding: 'utf8', timeout: 15_000, env: { ...process.env, LC_ALL: 'C' } });
    if (r.status === 0) return (r.stdout.split('\n')[0] ?? '').trim();
  }
  return null;
}

const installHint =
  process.platform === 'darwin'
    ? 'Install QEMU with `brew install qemu`'
    : process.platform === 'win32'
      ? 'Install QEMU for Windows (qemu.weilnetz.de) and add it to PATH'
      : 'Install it with `sudo apt-get install qemu-system-x86 qemu-utils` (Debian/Ubuntu) or `sudo dnf install qemu-system-x86 qemu-img` (Fedora)';

const qemu = versionOf('qemu-system-x86_64', process.env.VIRIDIAN_QEMU);
if (qemu) found.push(qemu.replace(/^QEMU emulator version /, 'QEMU ').replace(/\s*\(.*\)$/, ''));
else
  problems.push(
    process.env.VIRIDIAN_QEMU
      ? `VIRIDIAN_QEMU=${process.env.VIRIDIAN_QEMU} does not run (\`--version\` failed).\n  Fix: point it at qemu-system-x86_64, or unset it.`
      : `qemu-system-x86_64 was not found, so no VM can start.\n  Fix: ${installHint}, or set VIRIDIAN_QEMU to the program.`,
  );

const img = versionOf('qemu-img', process.env.VIRIDIAN_QEMU_IMG);
if (img) found.push('qemu-img');
else
  problems.push(
    process.env.VIRIDIAN_QEMU_IMG
      ? `VIRIDIAN_QEMU_IMG=${process.env.VIRIDIAN_QEMU_IMG} does not run (\`--version\` failed).\n  Fix: point it at qemu-img, or unset it.`
      : `qemu-img was not found, so disks cannot be created or inspected.\n  Fix: ${installHint}, or set VIRIDIAN_QEMU_IMG to the program.`,
  );

if (process.platform === 'linux' && qemu && !existsSync('/dev/kvm')) {
  notes.push('No /dev/kvm: VMs run in software emulation (TCG), 10–50× slower. Enable VT-x/AMD-V in firmware, or run where KVM is available.');
}

// --- renderer ----------------------------------------------------------------
if (existsSync(join(root, 'renderer', 'dist', 'index.html'))) found.push('web console built');
else if (existsSync(join(root, 'renderer', 'vite.config.ts'))) found.push('web console buildable');
else problems.push('renderer/vite.config.ts is missing, so the console cannot be built.\n  Fix: restore the renderer/ folder (`git checkout -- renderer`).');

// --- Electron ----------------------------------------------------------------
const { electronBinary, hasDisplay, ELECTRON_BINARY_HINT } = await import('../electron/launch-env.mjs');
if (electronBinary(root)) {
  found.push('Electron binary');
  if (!hasDisplay()) notes.push('No display (DISPLAY/WAYLAND_DISPLAY unset): `npm start` serves the console in your browser instead.');
} else {
  notes.push(`No Electron binary in node_modules/electron/dist: \`npm start\` will fall back to the web console in your browser.\n  To get the desktop app: ${ELECTRON_BINARY_HINT}`);
}

// --- report ------------------------------------------------------------------
for (const n of notes) console.log(`• ${n}`);
for (const p of problems) console.error(`✗ ${p}`);
if (problems.length === 0) console.log(`✓ ready: ${found.join(', ')}`);
process.exit(problems.length > 0 ? 1 : 0);
