import type { Command } from 'commander';
import type { Job, SnapshotTree } from '../contract';
import type { CliContext, CommonOptions } from './main';
import { flattenVm, type Output } from './output';
import { waitForJob, withClient } from './session';

/** The tree as Hyper-V Manager draws it, "Now" under the snapshot the VM came from. */
export function snapshotTreeLines(tree: SnapshotTree): string {
  if (tree.snapshots.length === 0) return `"${tree.vmName}" has no snapshots.`;
  const children = new Map<string | null, SnapshotTree['snapshots']>();
  for (const s of tree.snapshots) children.set(s.parentId, [...(children.get(s.parentId) ?? []), s]);
  const lines: string[] = [];
  const walk = (parent: string | null, prefix: string) => {
    const kids: { label: string; id: string | null }[] = (children.get(parent) ?? []).map((s) => ({
      label: `${s.name}  [${s.vmState}${s.hasMemoryState ? ', memory' : ''}]  ${s.id}`,
      id: s.id,
    }));
    if (tree.nowParentId === parent) kids.push({ label: '▶ Now', id: null });
    kids.forEach((k, i) => {
      const last = i === kids.length - 1;
      lines.push(`${prefix}${parent === null && prefix === '' ? '' : last ? '└─ ' : '├─ '}${k.label}`);
      if (k.id !== null) walk(k.id, parent === null && prefix === '' ? ' ' : `${prefix}${last ? '   ' : '│  '}`);
    });
  };
  walk(null, '');
  return lines.join('\n');
}

function failed(out: Output, job: Job, what: string): number {
  out.error(job.error ?? { code: 'CANCELLED', message: `${what} was cancelled.` }, { job });
  return 1;
}

export function registerSnapshot(program: Command, ctx: CliContext): void {
  const snap = program.command('snapshot').description('take, apply and delete snapshots of a virtual machine');

  ctx
    .common(snap.command('list').description('show the snapshot tree of a VM ("Now" marks where it runs from)').argument('<VM>', 'VM name or id'))
    .action((vm: string, opts: CommonOptions) =>
      ctx.run(opts, (out, dataDir) =>
        withClient(dataDir, async (c) => {
          const tree = await c.call('snapshot.list', { vm });
          if (out.json) out.doc(tree);
          else out.line(snapshotTreeLines(tree));
          return 0;
        }),
      ),
    );

  ctx
    .common(snap.command('create').description('take a snapshot (of a running, paused, saved or turned-off VM)').argument('<VM>', 'VM name or id'))
    .option('--name <NAME>', 'snapshot name (default: "VM - (date time)")')
    .action((vm: string, opts: CommonOptions & { name?: string }) =>
      ctx.run(opts, (out, dataDir) =>
        withClient(dataDir, async (c) => {
          const job = await waitForJob(c, await c.call('snapshot.create', opts.name !== undefined ? { vm, name: opts.name } : { vm }));
          if (job.state !== 'completed') return failed(out, job, 'Taking the snapshot');
          const snapshot = job.result as { id: string; name: string; vmState: string };
          if (out.json) out.doc({ job, snapshot });
          else out.line(`Took snapshot "${snapshot.name}" (${snapshot.id}) of "${job.vmName ?? vm}" (${snapshot.vmState}).`);
          return 0;
        }),
      ),
    );

  ctx
    .common(
      snap
        .command('apply')
        .description('return the VM to a snapshot; its current state (and unsnapshotted disk changes) are lost')
        .argument('<VM>', 'VM name or id')
        .argument('<SNAPSHOT>', 'snapshot name or id'),
    )
    .action((vm: string, snapshot: string, opts: CommonOptions) =>
      ctx.run(opts, (out, dataDir) =>
        withClient(dataDir, async (c) => {
          const job = await waitForJob(c, await c.call('snapshot.apply', { vm, snapshot }));
          if (job.state !== 'completed') return failed(out, job, 'Applying the snapshot');
          const after = await c.call('vm.get', { vm: job.vmId ?? vm });
          if (out.json) out.doc({ job, snapshot: job.result, vm: flattenVm(after) });
          else out.line(`Applied snapshot "${(job.result as { name: string }).name}" to "${after.name}"; now ${after.status.state}.`);
          return 0;
        }),
      ),
    );

  ctx
    .common(
      snap
        .command('delete')
        .description('delete a snapshot, merging its disk data (live while the VM runs)')
        .argument('<VM>', 'VM name or id')
        .argument('<SNAPSHOT>', 'snapshot name or id'),
    )
    .option('--subtree', 'also delete every snapshot below it')
    .action((vm: string, snapshot: string, opts: CommonOptions & { subtree?: boolean }) =>
      ctx.run(opts, (out, dataDir) =>
        withClient(dataDir, async (c) => {
          const job = await waitForJob(c, await c.call('snapshot.delete', { vm, snapshot, subtree: opts.subtree === true }));
          if (job.state !== 'completed') return failed(out, job, 'Deleting the snapshot');
          const deleted = (job.result as { deleted: string[] } | undefined)?.deleted ?? [];
          if (out.json) out.doc({ job, deleted });
          else out.line(`Deleted ${deleted.length === 1 ? 'snapshot' : `${deleted.length} snapshots`} of "${job.vmName ?? vm}"; its disk data was merged.`);
          return 0;
        }),
      ),
    );
}
