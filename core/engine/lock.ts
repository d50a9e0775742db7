import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ViridianError } from '../contract';
import { isPidAlive } from '../qemu/process';

export const LOCK_FILE = 'engine.lock';

/** One engine per data dir: a pid file taken with O_EXCL; a dead owner's lock is stale. */
export async function acquireDataDirLock(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      await fh.close();
      return async () => {
        const owner = await readOwner(path);
        if (owner === process.pid) await unlink(path).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = await readOwner(path);
      if (owner !== null && owner !== process.pid && isPidAlive(owner)) {
        throw new ViridianError(
          'DATA_DIR_LOCKED',
          `Another Viridian engine (pid ${owner}) is using the data folder ${dataDir}.`,
          'Use that engine (the CLI and console talk to it), stop it, or choose another data folder with --data or VIRIDIAN_DATA.',
        );
      }
      if (owner === process.pid) {
        throw new ViridianError('DATA_DIR_LOCKED', `This process already has an engine open on ${dataDir}.`, 'Close it before opening another.');
      }
      // Stale: its owner is gone.
      await unlink(path).catch(() => undefined);
    }
  }
  throw new ViridianError('DATA_DIR_LOCKED', `Could not take the lock on ${dataDir}.`, 'Another engine may be starting at the same moment; try again.');
}

async function readOwner(path: string): Promise<number | null> {
  try {
    const raw = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown };
    return typeof raw.pid === 'number' ? raw.pid : null;
  } catch {
    return null;
  }
}
