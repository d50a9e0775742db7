import { Option, type Command } from 'commander';
import { formatBytes, type DiskInfo } from '../contract';
import type { CliContext, CommonOptions } from './main';
import { parseSizeArg } from './main';
import { keyValues } from './output';
import { openSession, waitForJob } from './session';

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

export function registerDisk(program: Command, ctx: CliContext): void {
  const disk = program.command('disk').description('create and inspect virtual hard disks');

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
}
