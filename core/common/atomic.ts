import { randomBytes } from 'node:crypto';
import { open, rename, unlink, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ViridianError } from '../contract';

/**
 * Replaces `path` so that a crash at any moment leaves either the old or the
 * new content, never a torn file: write a temp file beside it, fsync it,
 * rename over the target (atomic within one file system), fsync the folder
 * so the rename itself survives a power cut.
 */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const dir = dirname(path);
  // Random suffix: concurrent writers each get their own temp file; the last rename wins whole.
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let renamed = false;
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    renamed = true;
    await syncDir(dir);
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
}

async function syncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals the rename anyway.
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    // Some file systems (e.g. certain network mounts) refuse fsync on a directory; the data is already safe.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
  } finally {
    await fh.close();
  }
}

/** Pretty JSON with a trailing newline, so the files diff and read well by hand. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) {
    throw new ViridianError('INTERNAL', `Cannot write ${path}: the value has no JSON form.`);
  }
  await writeFileAtomic(path, `${text}\n`);
}

/** Reads and parses a JSON file; bad JSON becomes CONFIG_CORRUPT naming the file. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ViridianError('NOT_FOUND', `The file ${path} does not exist.`);
    }
    throw err;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ViridianError(
      'CONFIG_CORRUPT',
      `The file ${path} is not valid JSON: ${(err as Error).message}.`,
      'Restore it from a backup, or fix or remove the file by hand.',
    );
  }
}
