import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatBytes, type EngineClient, type Job } from '../contract';
import type { FitCheck, MigrationResult } from '../contract/protocol-migration';
import type { CliContext, CommonOptions } from './main';
import type { Output } from './output';
import { openSession } from './session';

interface MigrateOptions extends CommonOptions {
  to: string;
  live?: boolean;
  quick?: boolean;
  copyStorage?: boolean;
  downtimeLimit?: number;
  bandwidth?: number;
  timeout?: number;
  check?: boolean;
}

function intArg(min: number, max: number, what: string) {
  return (value: string): number => {
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${what} is a whole number from ${min} to ${max}.`);
    return n;
  };
}

function fitLines(out: Output, fit: FitCheck): void {
  const t = fit.target;
  if (t) out.line(`Target ${t.address} (${t.hostname}): ${t.freeMemoryMiB} MiB memory available, ${formatBytes(t.freeDiskBytes)} disk free, ${t.accelerator.toUpperCase()}, QEMU ${t.qemuVersion ?? 'missing'}.`);
  if (fit.problems.length === 0) out.line('No problems found.');
  for (const p of fit.problems) out.line(`${p.severity === 'error' ? 'Problem' : 'Warning'} (${p.check}): ${p.message} Fix: ${p.fix}`);
}

function resultLines(out: Output, r: MigrationResult): void {
  out.line(`Moved "${r.vmName}" to ${r.to} (${r.mode} migration, ${r.storage === 'copy' ? 'storage copied' : 'shared storage'}); now ${r.finalState} there.`);
  for (const p of r.phases) out.line(`  ${p.name.padEnd(12)} ${String(Math.round(p.ms)).padStart(7)} ms${p.bytes ? `  ${formatBytes(p.bytes)}` : ''}`);
  const down = r.downtimeMs === null ? 'none (the VM was not running)' : `${Math.round(r.downtimeMs)} ms${r.qemuDowntimeMs !== null ? ` (QEMU reports ${r.qemuDowntimeMs} ms)` : ''}`;
  out.line(`Downtime: ${down}. Total: ${Math.round(r.totalMs)} ms. Moved: ${formatBytes(r.bytesMoved)}.`);
}

async function follow(client: EngineClient, job: Job, out: Output): Promise<Job> {
  let last = '';
  let current = job;
  // job.wait returns at its timeout too: poll briefly so the phases show as they happen.
  while (current.state === 'running') {
    const line = `${current.phase}${current.percent !== null ? ` (${Math.round(current.percent)}%)` : ''}`;
    if (line !== last && !out.json) out.note(line);
    last = line;
    current = await client.call('job.wait', { id: current.id, timeoutMs: 1000 });
  }
  return current;
}

/** `viridian vm migrate NAME --to ADDR:PORT [--live|--quick] [--copy-storage]` */
export function registerMigrate(vm: Command, ctx: CliContext): void {
  const cmd = ctx
    .common(vm.command('migrate').description('move a virtual machine to another host (Quick Migration: save, transfer, restore; or live migration)').argument('<NAME>', 'VM name or id'))
    .requiredOption('--to <ADDR:PORT>', 'the target host (remembered with `viridian host add`)')
    .addOption(new Option('--live', 'live migration: the guest keeps running while its memory is copied').conflicts('quick'))
    .addOption(new Option('--quick', 'Quick Migration: save, transfer, restore (the default)').conflicts('live'))
    .option('--copy-storage', 'copy the disks to the target (default: shared storage both hosts see)')
    .option('--check', 'only run the fit check and list problems with fixes')
    .option('--downtime-limit <MS>', 'live: the longest pause QEMU may plan for (default 300)', intArg(1, 60_000, 'The downtime limit'))
    .option('--bandwidth <MiB/s>', 'live: bandwidth cap for the link (default 4096)', intArg(1, 100_000, 'The bandwidth'))
    .option('--timeout <SEC>', 'live: give up after this long without converging (default 60)', intArg(5, 3600, 'The timeout'));
  cmd.action((name: string, opts: MigrateOptions) =>
    ctx.run(opts, async (out, dataDir) => {
      const session = await openSession(dataDir);
      try {
        const c = session.client;
        const mode = opts.live ? 'live' : 'quick';
        const storage = opts.copyStorage ? 'copy' : 'shared';
        if (opts.check) {
          const fit = await c.call('migration.check', { vm: name, to: opts.to, mode, storage });
          if (out.json) out.doc(fit);
          else fitLines(out, fit);
          return fit.ok ? 0 : 1;
        }
        const started = await c.call('migration.start', {
          vm: name,
          to: opts.to,
          mode,
          storage,
          ...(opts.downtimeLimit !== undefined ? { downtimeLimitMs: opts.downtimeLimit } : {}),
          ...(opts.bandwidth !== undefined ? { bandwidthMiBps: opts.bandwidth } : {}),
          ...(opts.timeout !== undefined ? { convergeTimeoutSec: opts.timeout } : {}),
        });
        const job = await follow(c, started, out);
        if (job.state !== 'completed') {
          out.error(job.error ?? { code: 'CANCELLED', message: `The migration of "${name}" was cancelled; it stays on this host.` }, { job });
          return 1;
        }
        const result = job.result as MigrationResult;
        if (out.json) out.doc(result);
        else resultLines(out, result);
        return 0;
      } finally {
        await session.close();
      }
    }),
  );
}
