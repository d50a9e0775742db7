import type { Command } from 'commander';
import type { ExportResult, ImportResult, TransferNote } from '../contract';
import type { CliContext, CommonOptions } from './main';
import { flattenVm } from './output';
import { openSession, waitForJob } from './session';

function noteLine(n: TransferNote): string {
  return `  ${n.level === 'info' ? '-' : n.level === 'warning' ? '!' : '✗'} ${n.text}`;
}

/** `vm export NAME DIR` and `vm import PATH [--copy]` (added to the `vm` group). */
export function registerTransfer(program: Command, ctx: CliContext): void {
  const vm = program.commands.find((c) => c.name() === 'vm');
  if (!vm) throw new Error('the vm command group must be registered first');

  ctx
    .common(
      vm
        .command('export')
        .description('export an Off or Saved VM (settings, disks, snapshots, saved state) to DIR/NAME')
        .argument('<NAME>', 'VM name or id')
        .argument('<DIR>', 'folder to export into'),
    )
    .action((name: string, dir: string, opts: CommonOptions) =>
      ctx.run(opts, async (out, dataDir) => {
        const session = await openSession(dataDir);
        try {
          const c = session.client;
          const job = await waitForJob(c, await c.call('transfer.export', { vm: name, path: ctx.abs(dir) }));
          if (job.state !== 'completed') {
            out.error(job.error ?? { code: 'CANCELLED', message: `Exporting "${name}" was cancelled.` }, { job });
            return 1;
          }
          const r = job.result as ExportResult;
          if (out.json) out.doc({ job, export: r });
          else {
            out.line(`Exported "${job.vmName ?? name}" to ${r.folder} (${r.files} files).`);
            for (const n of r.notes) out.line(noteLine(n));
          }
          return 0;
        } finally {
          await session.close();
        }
      }),
    );

  ctx
    .common(
      vm
        .command('import')
        .description('import a VM from an export folder or a Virtual PC / Virtual Server .vmc file')
        .argument('<PATH>', 'export folder or .vmc file'),
    )
    .option('--copy', 'import a copy with new ids and MAC addresses (the source stays importable)')
    .action((path: string, opts: CommonOptions & { copy?: boolean }) =>
      ctx.run(opts, async (out, dataDir) => {
        const session = await openSession(dataDir);
        try {
          const c = session.client;
          const job = await waitForJob(c, await c.call('transfer.import', { path: ctx.abs(path), copy: opts.copy === true }));
          if (job.state !== 'completed') {
            out.error(job.error ?? { code: 'CANCELLED', message: `Importing ${path} was cancelled.` }, { job });
            return 1;
          }
          const r = job.result as ImportResult;
          if (out.json) out.doc({ job, vm: flattenVm(r.vm), source: r.source, notes: r.notes });
          else {
            out.line(`Imported "${r.vm.name}" (${r.vm.id}); it is ${r.vm.status.state}.`);
            for (const n of r.notes) out.line(noteLine(n));
          }
          return 0;
        } finally {
          await session.close();
        }
      }),
    );
}
