import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatBytes, type DiskInfo, type Job, type MethodName, type MethodParams, type VmDetail } from '../contract';
import type { CliContext, CommonOptions } from './main';
import { parseSizeArg } from './main';
import { keyValues, table, type Output } from './output';
import { openSession, waitForJob, withClient } from './session';

/** QEMU calls VHD "vpc"; people do not. */
function formatName(format: DiskInfo['format']): string {
  return format === 'vpc' ? 'vhd' : format;
}

function diskLines(d: DiskInfo): string {
  const pairs: [string, string][] = [
    ['Path', d.path],
    ['Format', formatName(d.format)],
    ['Type', d.type],
    ['Size', `${formatBytes(d.virtualSize)} (${d.virtualSize} bytes)`],
    ['File size', formatBytes(d.actualSize)],
    ['Parent', d.parent ?? '(none)'],
  ];
  if (d.chain.length > 1) pairs.push(['Chain', d.chain.map((l) => `${l.path}${l.exists ? '' : ' (missing)'}`).join(' <- ')]);
  pairs.push(['Intact', d.intact ? 'yes' : 'no: a parent in the chain is missing']);
  return keyValues(pairs);
}

type JobMethod = Extract<MethodName, 'disk.convert' | 'disk.compact' | 'disk.expand' | 'disk.merge' | 'disk.reconnect' | 'disk.create' | 'vm.disk.convertLive'>;

/** Starts a disk job, follows it to its end and reports it (one line, or the job and result as JSON). */
async function runDiskJob<M extends JobMethod>(out: Output, dataDir: string, method: M, params: MethodParams<M>, say: (job: Job) => string): Promise<number> {
  const session = await openSession(dataDir);
  try {
    const c = session.client;
    const started = (await c.call(method, params)) as Job;
    if (!out.json) out.note(`${started.label}… (job ${started.id})`);
    const job = await waitForJob(c, started);
    if (job.state !== 'completed') {
      out.error(job.error ?? { code: 'CANCELLED', message: `${job.label} was cancelled; nothing was changed.` }, { job });
      return 1;
    }
    if (out.json) out.doc({ job, result: job.result ?? null });
    else out.line(say(job));
    return 0;
  } finally {
    await session.close();
  }
}

/** --format from the file name when not given: .vhd, .vhdx, else qcow2. */
function formatFromName(path: string): 'qcow2' | 'vhd' | 'vhdx' {
  const lower = path.toLowerCase();
  return lower.endsWith('.vhdx') ? 'vhdx' : lower.endsWith('.vhd') ? 'vhd' : 'qcow2';
}

const formatOption = () => new Option('--format <FORMAT>', 'disk format (default: from the file name, else qcow2)').choices(['qcow2', 'vhd', 'vhdx']);
const typeOption = () => new Option('--type <TYPE>', 'dynamically expanding or fixed size (default dynamic)').choices(['dynamic', 'fixed']);

function diskResult(job: Job): DiskInfo | null {
  const r = job.result as Partial<DiskInfo> | undefined;
  return r && typeof r.path === 'string' && typeof r.virtualSize === 'number' ? (r as DiskInfo) : null;
}

function shortDisk(d: DiskInfo | null): string {
  return d ? `${d.path}: ${formatName(d.format)}, ${d.type}, ${formatBytes(d.virtualSize)} (${formatBytes(d.actualSize)} on disk)` : '';
}

export function registerDisk(program: Command, ctx: CliContext): void {
  const disk = program.command('disk').description('create, inspect and edit virtual hard disks');

  const create = ctx
    .common(disk.command('create').description('create a virtual hard disk').argument('<PATH>', 'where to create it'))
    .requiredOption('--size <SIZE>', 'virtual size, e.g. 20G or 512M', parseSizeArg)
    .addOption(new Option('--format <FORMAT>', 'disk format (default qcow2)').choices(['qcow2', 'vhd', 'vhdx']))
    .addOption(new Option('--type <TYPE>', 'dynamically expanding or fixed size (default dynamic)').choices(['dynamic', 'fixed']));
  create.action((path: string, opts: CommonOptions & { size: number; format?: 'qcow2' | 'vhd' | 'vhdx'; type?: 'dynamic' | 'fixed' }) =>
    ctx.run(opts, async (out, dataDir) => {
      const session = await openSession(dataDir);
      try {
        const c = session.client;
        const target = ctx.abs(path);
        const job = await waitForJob(c, await c.call('disk.create', { path: target, sizeBytes: opts.size, format: opts.format ?? 'qcow2', type: opts.type ?? 'dynamic' }));
        if (job.state !== 'completed') {
          out.error(job.error ?? { code: 'CANCELLED', message: `Creating ${target} was cancelled.` }, { job });
          return 1;
        }
        const info = await c.call('disk.inspect', { path: target }).catch(() => null);
        if (out.json) out.doc({ job, disk: info });
        else out.line(info ? `Created ${info.path}: ${formatName(info.format)}, ${info.type}, ${formatBytes(info.virtualSize)}.` : `Created ${target}.`);
        return 0;
      } finally {
        await session.close();
      }
    }),
  );

  ctx
    .common(disk.command('inspect').description('show a disk\'s format, sizes and parent chain').argument('<PATH>', 'the disk file'))
    .action((path: string, opts: CommonOptions) =>
      ctx.run(opts, async (out, dataDir) => {
        const session = await openSession(dataDir);
        try {
          const info = await session.client.call('disk.inspect', { path: ctx.abs(path) });
          if (out.json) out.doc(info);
          else out.line(diskLines(info));
          return 0;
        } finally {
          await session.close();
        }
      }),
    );
  ctx
    .common(disk.command('differencing').description('create a differencing (child) disk on top of a parent').argument('<PATH>', 'the new qcow2 child disk'))
    .requiredOption('--parent <PARENT>', 'the parent disk (qcow2, VHD or VHDX; it is never written to)')
    .action((path: string, opts: CommonOptions & { parent: string }) =>
      ctx.run(opts, (out, dataDir) =>
        runDiskJob(out, dataDir, 'disk.create', { path: ctx.abs(path), format: 'qcow2', type: 'differencing', parent: ctx.abs(opts.parent) }, (j) => `Created ${shortDisk(diskResult(j))}, parent ${ctx.abs(opts.parent)}.`),
      ),
    );

  ctx
    .common(disk.command('convert').description('copy a disk or image into a new disk of another format or type (the source is not changed)').argument('<SOURCE>', 'disk or image to copy').argument('<DEST>', 'the new disk'))
    .addOption(formatOption())
    .addOption(typeOption())
    .action((src: string, dst: string, opts: CommonOptions & { format?: 'qcow2' | 'vhd' | 'vhdx'; type?: 'dynamic' | 'fixed' }) =>
      ctx.run(opts, (out, dataDir) =>
        runDiskJob(out, dataDir, 'disk.convert', { path: ctx.abs(src), destination: ctx.abs(dst), format: opts.format ?? formatFromName(dst), type: opts.type ?? 'dynamic' }, (j) => `Converted into ${shortDisk(diskResult(j))}.`),
      ),
    );

  ctx
    .common(disk.command('compact').description('shrink a dynamic or differencing disk file (unused and zero blocks go)').argument('<PATH>', 'the disk'))
    .action((path: string, opts: CommonOptions) =>
      ctx.run(opts, (out, dataDir) =>
        runDiskJob(out, dataDir, 'disk.compact', { path: ctx.abs(path) }, (j) => {
          const r = j.result as { before: number; after: number };
          return `Compacted ${ctx.abs(path)}: ${formatBytes(r.before)} → ${formatBytes(r.after)} on disk.`;
        }),
      ),
    );

  ctx
    .common(disk.command('expand').description('make a disk larger (VHD/VHDX go through qcow2; the original is replaced only when done)').argument('<PATH>', 'the disk'))
    .requiredOption('--size <SIZE>', 'the new virtual size, e.g. 40G', parseSizeArg)
    .action((path: string, opts: CommonOptions & { size: number }) =>
      ctx.run(opts, (out, dataDir) => runDiskJob(out, dataDir, 'disk.expand', { path: ctx.abs(path), sizeBytes: opts.size }, (j) => `Expanded ${shortDisk(diskResult(j))}.`)),
    );

  const merge = ctx
    .common(disk.command('merge').description('merge a differencing disk into its parent (the child is deleted), or into a new disk with --into-new').argument('<PATH>', 'the differencing disk'))
    .option('--into-new <DEST>', 'write parent + changes into this new disk; both originals stay')
    .addOption(formatOption())
    .addOption(typeOption());
  merge.action((path: string, opts: CommonOptions & { intoNew?: string; format?: 'qcow2' | 'vhd' | 'vhdx'; type?: 'dynamic' | 'fixed' }) =>
      ctx.run(opts, (out, dataDir) => {
        if (opts.intoNew === undefined && (opts.format || opts.type)) ctx.usage(merge, '--format and --type describe the new disk; add --into-new DEST.');
        const params: MethodParams<'disk.merge'> =
          opts.intoNew !== undefined
            ? { path: ctx.abs(path), into: 'new', destination: ctx.abs(opts.intoNew), format: opts.format ?? formatFromName(opts.intoNew), ...(opts.type ? { type: opts.type } : {}) }
            : { path: ctx.abs(path), into: 'parent' };
        return runDiskJob(out, dataDir, 'disk.merge', params, (j) => (opts.intoNew !== undefined ? `Merged into the new disk ${shortDisk(diskResult(j))}.` : `Merged into ${shortDisk(diskResult(j))}; ${ctx.abs(path)} was removed.`));
      }),
    );

  ctx
    .common(disk.command('reconnect').description('point a differencing disk at its parent again (after the parent moved)').argument('<PATH>', 'the differencing disk'))
    .requiredOption('--parent <PARENT>', 'where the parent is now')
    .action((path: string, opts: CommonOptions & { parent: string }) =>
      ctx.run(opts, (out, dataDir) => runDiskJob(out, dataDir, 'disk.reconnect', { path: ctx.abs(path), parent: ctx.abs(opts.parent) }, (j) => `Reconnected: ${shortDisk(diskResult(j))} → ${ctx.abs(opts.parent)}.`)),
    );

  ctx
    .common(disk.command('uses').description('which VMs use a disk (directly or as a parent)').argument('<PATH>', 'the disk'))
    .action((path: string, opts: CommonOptions) =>
      ctx.run(opts, async (out, dataDir) => {
        const uses = await withClient(dataDir, (c) => c.call('disk.uses', { path: ctx.abs(path) }));
        if (out.json) out.doc(uses);
        else if (uses.length === 0) out.line(`No virtual machine uses ${ctx.abs(path)}.`);
        else out.line(table(['VM', 'State', 'Where'], uses.map((u) => [u.vmName, u.state, u.where])));
        return 0;
      }),
    );

  registerVmDisk(program, ctx);
}

function vmDiskLines(vm: VmDetail): string {
  const rows: string[][] = [];
  vm.config.ide.forEach((ctrl, c) =>
    ctrl.forEach((s, u) => {
      if (s?.kind === 'disk') rows.push([`ide:${c}:${u}`, s.path, formatName(s.format), s.type, formatBytes(s.virtualSize)]);
    }),
  );
  for (const d of vm.config.scsi) rows.push([`scsi:${d.lun}`, d.path, formatName(d.format), d.type, formatBytes(d.virtualSize)]);
  return rows.length ? table(['Slot', 'Path', 'Format', 'Type', 'Size'], rows) : `"${vm.name}" has no hard disks.`;
}

/** viridian vm disk list|attach|detach|convert-live and vm devices (under the existing vm command). */
function registerVmDisk(program: Command, ctx: CliContext): void {
  const vm = program.commands.find((c) => c.name() === 'vm') ?? program.command('vm');
  const vd = vm.command('disk').description('hard disks of a VM: list, attach, detach (SCSI works while it runs), convert live');

  ctx
    .common(vd.command('list').description('the VM\'s hard disks').argument('<NAME>', 'VM name or id'))
    .action((name: string, opts: CommonOptions) =>
      ctx.run(opts, async (out, dataDir) => {
        const d = await withClient(dataDir, (c) => c.call('vm.get', { vm: name }));
        if (out.json) out.doc({ ide: d.config.ide, scsi: d.config.scsi });
        else out.line(vmDiskLines(d));
        return 0;
      }),
    );

  const attach = ctx
    .common(vd.command('attach').description('attach a disk: to SCSI (default; also while running) or IDE (only while off)').argument('<NAME>', 'VM name or id').argument('<PATH>', 'the disk'))
    .option('--scsi', 'on the synthetic SCSI controller (default)')
    .option('--ide', 'on an emulated IDE controller (VM must be off)')
    .option('--lun <N>', 'SCSI LUN 0–63 (default: the first free one)', (v: string) => {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n > 63) throw new InvalidArgumentError('A LUN is a whole number from 0 to 63.');
      return n;
    })
    .option('--read-only', 'attach read-only');
  attach.action((name: string, path: string, opts: CommonOptions & { scsi?: boolean; ide?: boolean; lun?: number; readOnly?: boolean }) =>
      ctx.run(opts, async (out, dataDir) => {
        if (opts.scsi && opts.ide) ctx.usage(attach, 'Choose --scsi or --ide, not both.');
        const d = await withClient(dataDir, (c) =>
          c.call('vm.disk.attach', { vm: name, path: ctx.abs(path), bus: opts.ide ? 'ide' : 'scsi', ...(opts.lun !== undefined ? { lun: opts.lun } : {}), readOnly: opts.readOnly === true }),
        );
        if (out.json) out.doc({ ide: d.config.ide, scsi: d.config.scsi });
        else out.line(`Attached ${ctx.abs(path)} to "${d.name}" (${d.status.state}).\n${vmDiskLines(d)}`);
        return 0;
      }),
    );

  ctx
    .common(vd.command('detach').description('detach a disk (by path, scsi:LUN or ide:C:S); the file is kept').argument('<NAME>', 'VM name or id').argument('<DISK>', 'path, scsi:LUN or ide:C:S'))
    .action((name: string, diskRef: string, opts: CommonOptions) =>
      ctx.run(opts, async (out, dataDir) => {
        const ref = /^(scsi|ide):/i.test(diskRef) ? diskRef : ctx.abs(diskRef);
        const d = await withClient(dataDir, (c) => c.call('vm.disk.detach', { vm: name, disk: ref }));
        if (out.json) out.doc({ ide: d.config.ide, scsi: d.config.scsi });
        else out.line(`Detached ${diskRef} from "${d.name}"; the file was kept.\n${vmDiskLines(d)}`);
        return 0;
      }),
    );

  ctx
    .common(vd.command('convert-live').description('convert a running VM\'s dynamic VHD/VHDX to qcow2 without stopping it').argument('<NAME>', 'VM name or id').argument('[DISK]', 'which disk (default: the first dynamic VHD/VHDX)'))
    .action((name: string, diskPath: string | undefined, opts: CommonOptions) =>
      ctx.run(opts, (out, dataDir) =>
        runDiskJob(out, dataDir, 'vm.disk.convertLive', { vm: name, ...(diskPath ? { disk: ctx.abs(diskPath) } : {}) }, (j) => {
          const r = j.result as { source: string; target: string };
          return `"${name}" now runs on ${r.target} (qcow2); Save, snapshots and migration are available. ${r.source} was kept.`;
        }),
      ),
    );

  ctx
    .common(vm.command('devices').description('which devices are synthetic (virtio, enlightened) and which are emulated').argument('<NAME>', 'VM name or id'))
    .action((name: string, opts: CommonOptions) =>
      ctx.run(opts, async (out, dataDir) => {
        const d = await withClient(dataDir, (c) => c.call('vm.devices', { vm: name }));
        if (out.json) out.doc(d);
        else {
          out.line(table(['Device', 'Model', 'Kind', 'Detail'], d.devices.map((x) => [x.device, x.model, x.kind, x.detail])));
          out.line(`\nAccelerator: ${d.accelerator}. Hyper-V enlightenments: ${d.enlightenments.enabled ? d.enlightenments.flags.join(' ') : 'off'} (${d.enlightenments.reason})`);
        }
        return 0;
      }),
    );
}

