// File copying for import/export: sparse-aware, with progress by bytes and
// cancellation between files; folders are published by rename when complete.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { ViridianError } from '../contract';

const run = promisify(execFile);

export interface CopyPlanItem {
  from: string;
  to: string;
  size: number;
}

/** Files below `dir` (relative paths), skipping names for which `skip` says true. */
export async function listTree(dir: string, skip: (rel: string) => boolean = () => false): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (skip(rel)) continue;
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(rel);
    }
  };
  await walk(dir);
  return out.sort();
}

/** Copies one file keeping holes (disk images are sparse); falls back to a plain copy. */
export async function copyOne(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  if (process.platform === 'linux') {
    try {
      await run('cp', ['--sparse=always', '--reflink=auto', '--', from, to]);
      return;
    } catch {
      /* fall through to a plain copy */
    }
  }
  await copyFile(from, to);
}

/** Copies every item; progress is bytes done over bytes in total. */
export async function copyAll(items: CopyPlanItem[], signal: AbortSignal, onProgress: (pct: number, file: string) => void): Promise<number> {
  const total = items.reduce((a, i) => a + i.size, 0) || 1;
  let done = 0;
  for (const item of items) {
    if (signal.aborted) throw new ViridianError('CANCELLED', 'The copy was cancelled; nothing was kept.');
    onProgress((100 * done) / total, item.from);
    await copyOne(item.from, item.to);
    done += item.size;
  }
  onProgress(100, '');
  return done;
}

export async function sizeOf(path: string): Promise<number> {
  return (await stat(path)).size;
}
