import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseWindowState, serializeWindowState, type WindowState } from './window-state';

export const WINDOW_STATE_FILE = 'window-state.json';

export async function loadWindowState(dir: string): Promise<WindowState | null> {
  try {
    return parseWindowState(await readFile(join(dir, WINDOW_STATE_FILE), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Temp file, fsync, rename: a crash mid-write leaves the old file or the new
 * one, never a torn one. (core/common/atomic does the same for the engine;
 * electron/ may not import it.)
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `.${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function saveWindowState(dir: string, state: WindowState): Promise<void> {
  await writeFileAtomic(join(dir, WINDOW_STATE_FILE), serializeWindowState(state));
}
