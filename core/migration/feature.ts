import { ViridianError, isActionAllowed, type Job } from '../contract';
import type { FitCheck, FitProblem } from '../contract/protocol-migration';
import { cliLine } from '../engine/cli-text';
import type { EngineContext, EngineFeature } from '../engine/context';
import { registryFor, type TargetSession } from '../remote/registry';
import { buildPlan, bytesToCopy, fitError, sourceProblems, targetProblems } from './fit-check';
import { incomingFor } from './incoming';
import { incomingLive, incomingStatus, finishLive, liveMigrate } from './live';
import { quickMigrate } from './quick';
import { OutgoingMove } from './source';

type StartParams = Parameters<typeof startMigration>[1];

async function check(ctx: EngineContext, p: { vm: string; to: string; token?: string | undefined; fingerprint?: string | undefined; mode: 'quick' | 'live'; storage: 'shared' | 'copy' }): Promise<FitCheck> {
  const vm = ctx.getVm(p.vm);
  const plan = await buildPlan(ctx, vm, p.mode, p.storage);
  const problems: FitProblem[] = sourceProblems(vm, p.mode, p.storage);
  let target: FitCheck['target'] = null;
  let session: TargetSession | null = null;
  try {
    session = await registryFor(ctx).target(p.to, p.token, p.fingerprint);
    const facts = await session.client.call('migration.incomingCheck', plan);
    problems.push(...facts.problems);
    target = { address: session.record.address, hostname: facts.hostname, freeMemoryMiB: facts.freeMemoryMiB, freeDiskBytes: facts.freeDiskBytes, accelerator: facts.accelerator, qemuVersion: facts.qemuVersion };
  } catch (err) {
    const e = err instanceof ViridianError ? err : new ViridianError('INTERNAL', String(err));
    problems.push({ severity: 'error', check: 'connection', message: `Cannot check ${p.to}: ${e.message}`, fix: e.hint ?? 'Check that the target host service runs and is remembered here (Connect to Server…).' });
  } finally {
    session?.close();
  }
  return {
    ok: !problems.some((x) => x.severity === 'error'),
    vmId: vm.id,
    vmName: vm.name,
    vmState: vm.state,
    liveAvailable: vm.state === 'Running' || vm.state === 'Paused',
    target,
    bytesToCopy: p.storage === 'copy' ? await bytesToCopy(plan) : 0,
    stateBytesMax: plan.stateBytesMax,
    problems,
  };
}

function startMigration(
  ctx: EngineContext,
  p: {
    vm: string;
    to: string;
    token?: string | undefined;
    fingerprint?: string | undefined;
    mode: 'quick' | 'live';
    storage: 'shared' | 'copy';
    downtimeLimitMs: number;
    bandwidthMiBps: number;
    convergeTimeoutSec: number;
    autoConverge: boolean;
  },
): Job {
  const vm = ctx.getVm(p.vm);
  if (!isActionAllowed(vm.state, 'migrate')) {
    throw new ViridianError('INVALID_STATE', `Cannot migrate "${vm.name}" while it is ${vm.state}.`, vm.busy ? 'Wait for the current operation to finish.' : 'Turn it off or save it first.');
  }
  if (vm.operation) throw new ViridianError('BUSY', `"${vm.name}" is busy: ${vm.operation.label}.`, 'Wait for it to finish.');
  const local = sourceProblems(vm, p.mode, p.storage);
  if (local.some((x) => x.severity === 'error')) throw fitError(vm.name, p.to, local);
  const args = ['vm', 'migrate', vm.name, '--to', p.to, p.mode === 'live' ? '--live' : '--quick'];
  if (p.storage === 'copy') args.push('--copy-storage');
  const { job } = ctx.jobs.start(
    {
      kind: 'migration',
      label: p.mode === 'live' ? 'Live migrate virtual machine' : 'Quick migrate virtual machine',
      vmId: vm.id,
      vmName: vm.name,
      cli: cliLine(...args),
      cancellable: true,
    },
    async (jc) => {
      jc.step(`Connecting to ${p.to}`);
      const session = await registryFor(ctx).target(p.to, p.token, p.fingerprint);
      try {
        const plan = await buildPlan(ctx, vm, p.mode, p.storage);
        const move = new OutgoingMove(ctx, jc, vm, session, plan, p.mode, p.storage);
        return p.mode === 'live' ? await liveMigrate(move, p) : await quickMigrate(move);
      } finally {
        session.close();
      }
    },
  );
  return job;
}

/** Quick and live migration: the source drives, the target answers the migration.incoming* calls. */
export const migrationFeature: EngineFeature = async (ctx, methods) => {
  const incoming = incomingFor(ctx);
  await incoming.sweep();
  ctx.onClose(() => incoming.closeAll());

  methods.handle('migration.check', (p) => check(ctx, p));
  methods.handle('migration.start', (p: StartParams) => startMigration(ctx, p));

  methods.handle('migration.incomingCheck', (p) => targetProblems(ctx, p));
  methods.handle('migration.incomingPrepare', (p) => incoming.prepare(p));
  methods.handle('migration.incomingFileDone', async (p) => {
    await incoming.fileDone(p.incomingId, p.fileId, p.bytes, p.sha256);
    return { ok: true as const };
  });
  methods.handle('migration.incomingLive', (p) => incomingLive(incoming, p.incomingId, p.listenHost));
  methods.handle('migration.incomingStatus', (p) => incomingStatus(incoming, p.incomingId));
  methods.handle('migration.incomingFinish', async (p) => {
    const inc = incoming.get(p.incomingId);
    incoming.touch(inc);
    const { vm, runningAt } = inc.plan.mode === 'live' ? await finishLive(incoming, inc, p.state) : await incoming.finishQuick(inc, p.state, p.pausedAtSave);
    return { state: vm.state, runningAt, vm: vm.summary() };
  });
  methods.handle('migration.incomingAbort', async (p) => ({ aborted: await incoming.abort(p.incomingId, 'the source cancelled it') }));
};
