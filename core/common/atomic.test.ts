import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from './atomic';
import { ViridianError } from '../contract';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'viridian-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

describe('writeFileAtomic', () => {
  it('never exposes torn content to readers while many writers race', async () => {
    const file = join(dir, 'vm.json');
    await writeFile(file, 'x'.repeat(256 * 1024));
    const contents = Array.from({ length: 16 }, (_, i) => String.fromCharCode(97 + i).repeat(256 * 1024 + i));
    const allowed = new Set(['x'.repeat(256 * 1024), ...contents]);
    let reading = true;
    const reads: Promise<void>[] = [];
    const reader = async (): Promise<void> => {
      while (reading) {
        const text = await readFile(file, 'utf8');
        expect(allowed.has(text)).toBe(true);
      }
    };
    for (let i = 0; i < 2; i++) reads.push(reader());
    await Promise.all(contents.map((c) => writeFileAtomic(file, c)));
    reading = false;
    await Promise.all(reads);
    const final = await readFile(file, 'utf8');
    expect(contents).toContain(final);
    // No temp files are left behind.
    expect(await readdir(dir)).toEqual(['vm.json']);
  });

  it('leaves the old file whole when the writer is killed mid-write', async () => {
    const file = join(dir, 'vm.json');
    const old = JSON.stringify({ version: 'old' });
    await writeFile(file, old);
    const script = join(dir, 'writer.mts');
    const atomicPath = fileURLToPath(new URL('./atomic.ts', import.meta.url));
    // Writes 64 MiB chunks in a loop until killed: the kill lands mid-write.
    await writeFile(
      script,
      `import { writeFileAtomic } from ${JSON.stringify(atomicPath)};\n` +
        `const big = Buffer.alloc(64 * 1024 * 1024, 110);\n` +
        `process.stdout.write('ready\\n');\n` +
        `for (;;) await writeFileAtomic(${JSON.stringify(file)}, big);\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res, rej) => {
      child.stdout.on('data', () => res());
      child.on('error', rej);
      child.on('exit', (code) => rej(new Error(`writer exited early (${code})`)));
    });
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const text = await readFile(file);
    // Either the old content or one complete new write, nothing in between.
    const isOld = text.toString() === old;
    const isNew = text.length === 64 * 1024 * 1024 && text.every((b) => b === 110);
    expect(isOld || isNew).toBe(true);
  }, 30_000);

  it('removes its temp file and keeps the old target when the rename fails', async () => {
    // A non-empty directory cannot be replaced by a file: the rename fails after the temp was written.
    const target = join(dir, 'target');
    await mkdir(target);
    await writeFile(join(target, 'keep'), 'old');
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['target']);
    expect(await readFile(join(target, 'keep'), 'utf8')).toBe('old');
  });

  it('fails cleanly when the folder does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'x.json'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('writeJsonAtomic / readJsonFile', () => {
  it('round-trips pretty JSON with a trailing newline', async () => {
    const file = join(dir, 'a.json');
    await writeJsonAtomic(file, { a: 1, b: [true, null] });
    const text = await readFile(file, 'utf8');
    expect(text).toBe('{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}\n');
    expect(await readJsonFile(file)).toEqual({ a: 1, b: [true, null] });
  });

  it('reports bad JSON as CONFIG_CORRUPT with the path and the parser error', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, '{"a": 1,');
    const err = await readJsonFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ViridianError);
    expect((err as ViridianError).code).toBe('CONFIG_CORRUPT');
    expect((err as ViridianError).message).toContain(file);
    expect((err as ViridianError).message).toMatch(/JSON/);
  });

  it('reports a missing file as NOT_FOUND', async () => {
    await expect(readJsonFile(join(dir, 'nope.json'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
