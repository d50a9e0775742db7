// Runs the viridian CLI in-process for tests: captures its exit code and output,
// optionally bound to a fresh temp data dir that lives as long as the test file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { runCli } from '../cli/main';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export interface CliRunOptions {
  /** Whether stdout is a terminal (default false). */
  isTTY?: boolean;
  /** What the user types at a prompt (default ''). */
  answer?: string;
  /** The caller's cwd (default the system temp dir). */
  cwd?: string;
  /** The environment the CLI sees (default empty). */
  env?: NodeJS.ProcessEnv;
}

/** Runs the CLI with `args` and returns its exit code and what it printed on stdout and stderr. */
export async function captureCli(args: string[], opts: CliRunOptions = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    isTTY: opts.isTTY ?? false,
    prompt: () => Promise.resolve(opts.answer ?? ''),
    cwd: opts.cwd ?? tmpdir(),
    env: opts.env ?? {},
  });
  return { code, out, err };
}

/** How a refused command fails: one line on stderr, starting with `error: `. */
export function expectOneLineError(r: CliRun): void {
  expect(r.err.endsWith('\n')).toBe(true);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(/^error: /);
}

export interface CliOnDataDir {
  /** The data dir (absolute); valid once the file's beforeAll has run. */
  readonly data: string;
  /** Runs the CLI with `--data <data>` added and the data dir as its cwd. */
  cli(...args: string[]): Promise<CliRun>;
  /** Runs the CLI with `--json` added; throws unless it exits 0, else returns the parsed output. */
  json<T = Record<string, unknown>>(...args: string[]): Promise<T>;
}

/**
 * A fresh data dir under the system temp dir (named `prefix` + random),
 * made before the test file's tests and removed after them. Call it at the top
 * level of the file.
 */
export function useCliDataDir(prefix: string): CliOnDataDir {
  let data: string | undefined;
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (data) await rm(data, { recursive: true, force: true });
  });
  const dir = (): string => {
    if (!data) throw new Error('the CLI data dir is not made yet (useCliDataDir makes it in beforeAll)');
    return data;
  };
  const cli = (...args: string[]) => captureCli([...args, '--data', dir()], { cwd: dir() });
  return {
    get data() {
      return dir();
    },
    cli,
    async json<T>(...args: string[]) {
      const r = await cli(...args, '--json');
      if (r.code !== 0) throw new Error(`${args.join(' ')} → ${r.code}: ${r.err}`);
      return JSON.parse(r.out) as T;
    },
  };
}
