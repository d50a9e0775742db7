import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadWindowState, saveWindowState, WINDOW_STATE_FILE } from './window-state-file';

describe('window state file', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'viridian-winstate-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is null before anything is saved', async () => {
    expect(await loadWindowState(dir)).toBeNull();
  });

  it('saves and loads, leaving no temp files behind', async () => {
    const state = { bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: false };
    await saveWindowState(dir, state);
    await saveWindowState(dir, { ...state, maximized: true });
    expect(await loadWindowState(dir)).toEqual({ ...state, maximized: true });
    expect(await readdir(dir)).toEqual([WINDOW_STATE_FILE]);
  });

  it('ignores a corrupt file', async () => {
    await writeFile(join(dir, WINDOW_STATE_FILE), '{"bounds":');
    expect(await loadWindowState(dir)).toBeNull();
  });
});
