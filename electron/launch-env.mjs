// Where the Electron binary is and whether a window can be shown, for
// scripts/prestart.mjs and scripts/start.mjs. Deliberately does not
// require('electron'): since Electron 45 that starts a download when the
// binary is missing, which hangs on machines without internet.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function platformExecutable(platform) {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/** The Electron executable `npm start` would run, or null when it is not installed. */
export function electronBinary(root, env = process.env, platform = process.platform) {
  const pkgDir = join(root, 'node_modules', 'electron');
  let rel = platformExecutable(platform);
  try {
    rel = readFileSync(join(pkgDir, 'path.txt'), 'utf8').trim() || rel;
  } catch {
    // No path.txt: the install script never ran (or never finished).
  }
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  const file = override ? join(override, rel) : join(pkgDir, 'dist', rel);
  // Without path.txt, node_modules/electron/index.js tries to download even when dist/ is there.
  if (!override && !existsSync(join(pkgDir, 'path.txt'))) return null;
  return existsSync(file) ? file : null;
}

/** Linux needs an X11 or Wayland display; Windows and macOS always have one. */
export function hasDisplay(env = process.env, platform = process.platform) {
  if (platform === 'win32' || platform === 'darwin') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** What to tell someone whose node_modules/electron has no binary. */
export const ELECTRON_BINARY_HINT = [
  'Get the Electron binary with `npx install-electron` (set ELECTRON_MIRROR to a reachable mirror if github.com is not),',
  'or unzip an electron-v<version>-<platform>-<arch>.zip into node_modules/electron/dist and write the executable name',
  "to node_modules/electron/path.txt (`printf electron > node_modules/electron/path.txt` on Linux), or set",
  'ELECTRON_OVERRIDE_DIST_PATH to an unzipped Electron folder; `npx electron --version` then prints its version.',
].join(' ');
