import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { DISK_MIN_BYTES, MIN_MEMORY_MIB, MAX_CPUS, parseSize, toErrorInfo, type ErrorInfo } from '../contract';
import { registerDisk } from './disk';
import { registerDoctor } from './doctor';
import { registerHost } from './host';
import { registerNetwork } from './network';
import { registerSnapshot } from './snapshot';
import { registerTransfer } from './transfer';
import { Output, type CliIo } from './output';
import { registerVm } from './vm';

export type { CliIo } from './output';

/** Exit codes: 0 done, 1 the operation failed, 2 the command line was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CommonOptions {
  data?: string;
  json?: boolean;
}

/** What each command file gets to build and run its commands. */
export interface CliContext {
  readonly io: CliIo;
  /** Adds --data and --json (every command has them). */
  common(cmd: Command): Command;
  /** Runs an action: resolves the data dir, reports errors, records the exit code. */
  run(opts: CommonOptions, action: (out: Output, dataDir: string) => Promise<number>): Promise<void>;
  /** Makes a path given on the command line absolute (against the caller's cwd). */
  abs(path: string): string;
  /** A usage error from inside an action: one line, exit code 2. */
  usage(cmd: Command, message: string): never;
}

function defaultIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: process.stdin.isTTY === true,
    prompt: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    cwd: process.cwd(),
    env: process.env,
  };
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

// ---------------------------------------------------------------- argument parsers

export function parseMemoryArg(value: string): number {
  // Plain numbers are MiB (Hyper-V's unit); "2G" and "512M" are accepted too.
  let mib: number | null = null;
  if (/^\d+$/.test(value.trim())) mib = Number(value.trim());
  else if (/[kmgt]/i.test(value)) {
    const bytes = parseSize(value);
    if (bytes !== null && bytes % (1024 * 1024) === 0) mib = bytes / (1024 * 1024);
  }
  if (mib === null || !Number.isSafeInteger(mib)) throw new InvalidArgumentError(`Memory is a whole number of MiB, e.g. 512 (or 2G).`);
  if (mib < MIN_MEMORY_MIB) throw new InvalidArgumentError(`Memory must be at least ${MIN_MEMORY_MIB} MiB.`);
  return mib;
}

export function parseCpusArg(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_CPUS) throw new InvalidArgumentError(`The processor count is a whole number from 1 to ${MAX_CPUS}.`);
  return n;
}

export function parseSizeArg(value: string): number {
  const bytes = parseSize(value);
  if (bytes === null) throw new InvalidArgumentError('A size looks like 20G, 512M or 1.5T.');
  if (bytes < DISK_MIN_BYTES) throw new InvalidArgumentError(`A disk must be at least 1 MiB (a bare number is bytes; did you mean ${value}G?).`);
  return bytes;
}

// ---------------------------------------------------------------- program

function buildProgram(io: CliIo, state: { code: number }): Command {
  const program = new Command('viridian');
  program
    .description('Viridian: virtual machines on QEMU, from the command line.\nTalks to a running host (viridian host, or the desktop app) or opens the engine for one command.')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // Commander puts "(Did you mean …?)" on a second line; errors stay one line.
      outputError: (s, write) => write(`${s.replace(/\s*\n(?=\(Did you mean)/, ' ').trimEnd()}\n`),
    })
    .showSuggestionAfterError(true)
    .addHelpText('after', '\nExit codes: 0 done, 1 the operation failed, 2 the command line was wrong.\nEvery command takes --data DIR (or VIRIDIAN_DATA) and --json.');

  const ctx: CliContext = {
    io,
    common: (cmd) =>
      cmd
        .option('--data <DIR>', 'the data directory (default: $VIRIDIAN_DATA, else the per-user folder)')
        .option('--json', 'print exactly one JSON document to stdout'),
    abs: (p) => resolve(io.cwd, p),
    usage: (cmd, message) => cmd.error(`error: ${message}`, { exitCode: EXIT_USAGE, code: 'viridian.usage' }),
    async run(opts, action) {
      const out = new Output(io, opts.json === true);
      try {
        const dataDir = opts.data !== undefined ? resolve(io.cwd, opts.data) : await defaultData(io);
        state.code = await action(out, dataDir);
      } catch (err) {
        if (err instanceof CommanderError) throw err;
        out.error(toErrorInfo(err));
        state.code = EXIT_FAILED;
      }
    },
  };

  registerHost(program, ctx);
  registerDoctor(program, ctx);
  registerVm(program, ctx);
  registerDisk(program, ctx);
  registerNetwork(program, ctx);
  registerSnapshot(program, ctx);
  registerTransfer(program, ctx);
  return program;
}

async function defaultData(io: CliIo): Promise<string> {
  const { defaultDataDir } = await import('../common/paths');
  return resolve(io.cwd, defaultDataDir(io.env));
}

/**
 * Runs the CLI with user arguments (no node/script), returns the exit code.
 * `io` replaces stdout, stderr, the TTY and cwd (tests run it in-process).
 */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = { ...defaultIo(), ...io };
  const state = { code: EXIT_OK };
  const program = buildProgram(full, state);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return EXIT_OK;
      if (argv.includes('--json')) {
        const info: ErrorInfo = { code: 'INVALID_INPUT', message: err.message.replace(/^error:\s*/, '').replace(/\s*\n/g, ' '), hint: 'Run the command with --help for its usage.' };
        full.stdout(`${JSON.stringify({ error: info }, null, 2)}\n`);
      }
      return EXIT_USAGE;
    }
    // Only reached for faults outside an action (run() reports those inside).
    const info = toErrorInfo(err);
    full.stderr(`error: ${info.message}${info.hint ? ` ${info.hint}` : ''}\n`);
    return EXIT_FAILED;
  }
}
