import { Option, type Command } from 'commander';
import { ACTION_LABELS, ViridianError, type CreateVmParams, type SimpleVmAction } from '../contract';
import type { CliContext, CommonOptions } from './main';
import { parseCpusArg, parseMemoryArg, parseSizeArg } from './main';
import { flattenVm, flattenVmDetail, vmDetailLines, vmTable, type Output } from './output';
import { waitForJob, withClient } from './session';
import { registerMigrate } from './vm-migrate';

/** CLI verb → contract action. `stop` is Hyper-V's Turn Off; `shutdown` the ACPI Shut Down. */
const ACTION_VERBS: readonly { verb: string; action: SimpleVmAction; help: string; done: string }[] = [
  { verb: 'start', action: 'start', help: 'start the VM (or restore its saved state)', done: 'started' },
  { verb: 'shutdown', action: 'shutDown', help: 'ask the guest OS to shut down (ACPI power button)', done: 'shut down' },
  { verb: 'stop', action: 'turnOff', help: 'turn the VM off at once (like pulling the plug)', done: 'turned off' },
  { verb: 'pause', action: 'pause', help: 'pause the VM', done: 'paused' },
  { verb: 'resume', action: 'resume', help: 'resume a paused VM', done: 'resumed' },
  { verb: 'save', action: 'save', help: 'save the VM state to disk and stop it', done: 'saved' },
  { verb: 'reset', action: 'reset', help: 'reset the VM (hardware reset)', done: 'reset' },
];

interface CreateOptions extends CommonOptions {
  memory?: number;
  cpus?: number;
  newDisk?: number;
  diskFormat?: 'qcow2' | 'vhd' | 'vhdx';
  diskType?: 'dynamic' | 'fixed';
  disk?: string;
  iso?: string;
  kernel?: string;
  initrd?: string;
  append?: string;
}

export function registerVm(program: Command, ctx: CliContext): void {
  const vm = program.command('vm').description('list, create, run and delete virtual machines');

  ctx
    .common(vm.command('list').description('list the virtual machines'))
    .action((opts: CommonOptions) =>
      ctx.run(opts, async (out, dataDir) => {
        const vms = await withClient(dataDir, (c) => c.call('vm.list', {}));
        if (out.json) out.doc(vms.map(flattenVm));
        else if (vms.length === 0) out.line('No virtual machines. Create one with: viridian vm create NAME');
        else out.line(vmTable(vms));
        return 0;
      }),
    );

  ctx
    .common(vm.command('show').description('show one virtual machine').argument('<NAME>', 'VM name or id'))
    .action((name: string, opts: CommonOptions) =>
      ctx.run(opts, async (out, dataDir) => {
        const detail = await withClient(dataDir, (c) => c.call('vm.get', { vm: name }));
        if (out.json) out.doc(flattenVmDetail(detail));
        else out.line(vmDetailLines(detail));
        return 0;
      }),
    );

  const create = ctx
    .common(vm.command('create').description('create a virtual machine').argument('<NAME>', 'name of the new VM'))
    .option('--memory <MiB>', 'startup memory in MiB (default 512)', parseMemoryArg)
    .option('--cpus <N>', 'virtual processors (default 1)', parseCpusArg)
    .addOption(new Option('--new-disk <SIZE>', 'create a new disk of this size, e.g. 20G').argParser(parseSizeArg).conflicts('disk'))
    .addOption(new Option('--disk-format <FORMAT>', 'format of the new disk (default qcow2)').choices(['qcow2', 'vhd', 'vhdx']))
    .addOption(new Option('--disk-type <TYPE>', 'dynamically expanding or fixed size (default dynamic)').choices(['dynamic', 'fixed']))
    .option('--disk <PATH>', 'attach an existing disk')
    .option('--iso <PATH>', 'insert an ISO image in the DVD drive')
    .option('--kernel <PATH>', 'boot this Linux kernel directly')
    .option('--initrd <PATH>', 'initial ramdisk for --kernel')
    .option('--append <STR>', 'kernel command line for --kernel');
  create.action((name: string, opts: CreateOptions) =>
    ctx.run(opts, async (out, dataDir) => {
      if ((opts.diskFormat || opts.diskType) && opts.newDisk === undefined) ctx.usage(create, '--disk-format and --disk-type describe a new disk; add --new-disk SIZE.');
      if ((opts.initrd !== undefined || opts.append !== undefined) && opts.kernel === undefined) ctx.usage(create, '--initrd and --append go with --kernel PATH.');
      const params: CreateVmParams = {
        name,
        ...(opts.memory !== undefined ? { memoryMiB: opts.memory } : {}),
        ...(opts.cpus !== undefined ? { cpus: opts.cpus } : {}),
        disk:
          opts.newDisk !== undefined
            ? { kind: 'new', sizeBytes: opts.newDisk, format: opts.diskFormat ?? 'qcow2', type: opts.diskType ?? 'dynamic' }
            : opts.disk !== undefined
              ? { kind: 'existing', path: ctx.abs(opts.disk) }
              : { kind: 'none' },
        iso: opts.iso !== undefined ? ctx.abs(opts.iso) : null,
        kernel: opts.kernel !== undefined ? { path: ctx.abs(opts.kernel), initrd: opts.initrd !== undefined ? ctx.abs(opts.initrd) : null, append: opts.append ?? '' } : null,
      };
      const detail = await withClient(dataDir, (c) => c.call('vm.create', params));
      if (out.json) out.doc(flattenVmDetail(detail));
      else out.line(`Created VM "${detail.name}" (${detail.id}) in ${detail.folder}.`);
      return 0;
    }),
  );

  for (const { verb, action, help, done } of ACTION_VERBS) {
    ctx
      .common(vm.command(verb).description(help).argument('<NAME>', 'VM name or id'))
      .action((name: string, opts: CommonOptions) => ctx.run(opts, (out, dataDir) => runAction(out, dataDir, name, action, done)));
  }

  registerMigrate(vm, ctx);

  ctx
    .common(vm.command('delete').description('delete a virtual machine (its folder; disks elsewhere are kept)').argument('<NAME>', 'VM name or id'))
    .option('--yes', 'do not ask for confirmation')
    .action((name: string, opts: CommonOptions & { yes?: boolean }) =>
      ctx.run(opts, (out, dataDir) =>
        withClient(dataDir, async (c) => {
          if (opts.yes) {
            const r = await c.call('vm.delete', { vm: name, confirm: true });
            if (out.json) out.doc(r);
            else out.line(`Deleted VM "${name}"${r.kept.length ? `; kept ${r.kept.join(', ')}` : ''}.`);
            return 0;
          }
          const plan = await c.call('vm.delete', { vm: name, confirm: false });
          if (!out.json || ctx.io.isTTY) {
            const say = out.json ? (t: string) => out.note(t) : (t: string) => out.line(t);
            say(`Deleting VM "${name}" removes:`);
            for (const f of plan.files) say(`  ${f}`);
            if (plan.kept.length) {
              say('and keeps:');
              for (const f of plan.kept) say(`  ${f}`);
            }
          }
          if (!ctx.io.isTTY) {
            out.error(
              { code: 'INVALID_INPUT', message: `Not deleting "${name}": deleting needs a confirmation and there is no terminal to ask on.`, hint: 'Run again with --yes to delete without asking.' },
              { wouldDelete: plan },
            );
            return 1;
          }
          const answer = (await ctx.io.prompt(`Delete VM "${name}"? [y/N] `)).trim().toLowerCase();
          if (answer !== 'y' && answer !== 'yes') {
            if (out.json) out.doc({ deleted: false, files: [], kept: plan.kept });
            else out.line('Not deleted.');
            return 1;
          }
          const r = await c.call('vm.delete', { vm: name, confirm: true });
          if (out.json) out.doc(r);
          else out.line(`Deleted VM "${name}".`);
          return 0;
        }),
      ),
    );
}

async function runAction(out: Output, dataDir: string, name: string, action: SimpleVmAction, done: string): Promise<number> {
  return withClient(dataDir, async (c) => {
    const job = await waitForJob(c, await c.call('vm.action', { vm: name, action }));
    if (job.state !== 'completed') {
      const info = job.error ?? { code: 'CANCELLED' as const, message: `${ACTION_LABELS[action].replace(/…$/, '')} of "${name}" was cancelled.` };
      out.error(info, { job });
      return 1;
    }
    const after = await c.call('vm.get', { vm: job.vmId ?? name }).catch((err: unknown) => {
      if (err instanceof ViridianError && err.code === 'NOT_FOUND') return null;
      throw err;
    });
    if (out.json) out.doc({ job, vm: after ? flattenVm(after) : null });
    else out.line(`VM "${after?.name ?? name}" ${done}${after ? `; now ${after.status.state}` : ''}.`);
    return 0;
  });
}
