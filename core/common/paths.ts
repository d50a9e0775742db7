import { constants } from 'node:fs';
import { access, lstat, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, posix, relative, resolve, sep, win32 } from 'node:path';
import { ViridianError } from '../contract';

/**
 * Where the engine keeps VMs, jobs and settings when nothing else is said:
 * VIRIDIAN_DATA, else the platform's per-user data folder.
 * The parameters exist so tests can ask about other platforms.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = env['VIRIDIAN_DATA'];
  if (override) return override;
  if (platform === 'win32') {
    const appData = env['APPDATA'] || win32.join(home, 'AppData', 'Roaming');
    return win32.join(appData, 'Viridian');
  }
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', 'Viridian');
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env['XDG_DATA_HOME'];
  if (xdg && posix.isAbsolute(xdg)) return posix.join(xdg, 'viridian');
  return posix.join(home, '.local', 'share', 'viridian');
}

/**
 * The real absolute form of `p`, even when its tail does not exist yet:
 * realpath of the deepest existing ancestor plus the remaining names. Symlinks
 * are resolved, so a link inside a root that points outside is seen as outside.
 */
export async function realPathLoose(p: string): Promise<string> {
  const abs = resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      const real = await realpath(cur);
      return rest.length === 0 ? real : join(real, ...rest.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      // A dangling symlink would make a later create follow it wherever it points.
      const isLink = await lstat(cur).then(
        (st) => st.isSymbolicLink(),
        () => false,
      );
      if (isLink) {
        throw new ViridianError('INVALID_INPUT', `The path ${p} goes through a broken symbolic link (${cur}).`, 'Remove the link or choose another location.');
      }
      const parent = dirname(cur);
      if (parent === cur) return abs;
      rest.push(basename(cur));
      cur = parent;
    }
  }
}

function isInside(child: string, root: string): boolean {
  const caseless = process.platform === 'win32' || process.platform === 'darwin';
  const rel = caseless ? relative(root.toLowerCase(), child.toLowerCase()) : relative(root, child);
  if (rel === '') return true;
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Confines a client-supplied path to the allowed storage roots and returns
 * its real absolute form; callers must use the returned path, not the input.
 */
export async function confinePath(p: string, roots: readonly string[]): Promise<string> {
  if (typeof p !== 'string' || p.length === 0) {
    throw new ViridianError('INVALID_INPUT', 'A path is required.');
  }
  if (p.includes('\0')) {
    throw new ViridianError('INVALID_INPUT', 'The path contains a NUL character.');
  }
  // Relative paths would depend on the engine's working folder, which a client cannot know.
  if (!isAbsolute(p)) {
    throw new ViridianError('INVALID_INPUT', `The path ${p} is not absolute.`, 'Give the full path, starting at the root of a drive or file system.');
  }
  const real = await realPathLoose(p);
  const realRoots: string[] = [];
  for (const root of roots) {
    if (!root || root.includes('\0') || !isAbsolute(root)) continue;
    realRoots.push(await realPathLoose(root));
  }
  if (realRoots.some((root) => isInside(real, root))) return real;
  const where = realRoots.length === 0 ? 'no storage roots are configured' : `the storage roots are ${realRoots.join(', ')}`;
  const via = real === resolve(p) ? '' : ` (it resolves to ${real})`;
  throw new ViridianError(
    'PATH_OUTSIDE_ROOTS',
    `The path ${p}${via} is outside the allowed storage locations; ${where}.`,
    'Choose a location inside a storage root, or add the folder as a storage root in the host settings.',
  );
}

/** True when `p` is a regular file this process may execute. */
export async function isExecutable(p: string): Promise<boolean> {
  try {
    const st = await stat(p);
    if (!st.isFile()) return false;
    // Windows has no execute bit; existence is the test there.
    if (process.platform !== 'win32') await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Looks a program up the way a shell would (PATH, plus PATHEXT on Windows),
 * then in `extraDirs` (install folders that are often not on PATH). Relative
 * PATH entries are skipped: they would depend on the working folder.
 */
export async function findExecutable(name: string, extraDirs: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const dirs = [...(env['PATH'] ?? env['Path'] ?? '').split(delimiter).filter((d) => isAbsolute(d)), ...extraDirs];
  const exts = process.platform === 'win32' ? ['', ...(env['PATHEXT'] ?? '.EXE;.CMD;.BAT;.COM').split(';').filter((e) => e.length > 0)] : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      if (await isExecutable(candidate)) return candidate;
    }
  }
  return null;
}
