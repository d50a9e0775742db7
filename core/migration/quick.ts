import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ViridianError } from '../contract';
import type { MigrationResult } from '../contract/protocol-migration';
import { readJsonFile } from '../common/atomic';
import { RUNTIME_FILE, SAVED_STATE } from '../engine/runtime';
import { fitError } from './fit-check';
import { migrationFailed, type OutgoingMove } from './source';
import { Uploader } from './upload-client';

/**
 * The connection went away after the hand-over request was sent (or the
 * target went silent): the target may or may not have taken the VM. A request
 * that could not be sent at all ("Not connected") is not ambiguous.
 */
export function isConnectionLoss(err: unknown): boolean {
  return err instanceof ViridianError && (err.code === 'TIMEOUT' || (err.code === 'PROTOCOL' && /connection to the engine closed/i.test(err.message)));
}

async function pausedAtSave(folder: string): Promise<boolean> {
  try {
    return (await readJsonFile(join(folder, RUNTIME_FILE)) as { pausedAtSave?: unknown }).pausedAtSave === true;
  } catch {
    return false;
  }
}

/** Share of the job's progress bar each phase takes. */
const SAVE_PCT = 25;
const TRANSFER_PCT = 65;

/**
 * Quick Migration (Hyper-V 2008): save → move the state (and the disks when
 * they are not shared) → restore on the target. The source's copy goes only
 * after the target reports the VM restored; any failure before that leaves it
 * here, running again (or saved, or off as it was), disks untouched.
 */
export async function quickMigrate(move: OutgoingMove): Promise<MigrationResult> {
  const { vm, jc, plan } = move;
  const before = vm.state;
  const running = before === 'Running' || before === 'Paused';
  let weSaved = false;
  let handingOver = false;
  try {
    const prep = await move.phase('checking', `Checking and preparing ${move.address}`, async () => {
      const facts = await move.call('migration.incomingCheck', plan, 60_000);
      if (facts.problems.some((p) => p.severity === 'error')) throw fitError(vm.name, move.address, facts.problems);
      for (const p of facts.problems) jc.step(`Warning: ${p.message}`);
      return move.call('migration.incomingPrepare', plan, 60_000);
    });
    move.incomingId = prep.incomingId;
    jc.progress(2, 'Prepared');

    if (running) {
      const off = move.watchStop();
      const savedAt = Date.now();
      try {
        await move.phase('saving', 'Saving the virtual machine', () => vm.save({ ...jc, progress: (pct) => jc.progress(pct === null ? null : 2 + (pct * (SAVE_PCT - 2)) / 100, 'Saving') }));
      } finally {
        off();
      }
      weSaved = true;
      // A paused guest was already stopped: there is no blackout to measure.
      if (move.stoppedAt === null && before === 'Running') move.stoppedAt = savedAt;
    }
    vm.setState('Migrating', `Moving to ${move.address}`);

    // What travels: disks (storage=copy) and the memory state.
    const items: { id: string; path: string; label: string }[] = [];
    for (const f of plan.files) if (f.copy) items.push({ id: f.id, path: f.sourcePath, label: f.sourcePath });
    const statePath = join(vm.folder, SAVED_STATE);
    if (existsSync(statePath) && (running || before === 'Saved')) items.push({ id: 'state', path: statePath, label: 'the saved memory state' });
    const sizes = await Promise.all(items.map((i) => stat(i.path).then((s) => s.size)));
    const total = sizes.reduce((a, b) => a + b, 0) || 1;
    await move.phase('transferring', `Transferring ${items.length} file${items.length === 1 ? '' : 's'} (${Math.ceil(total / 1024 ** 2)} MiB)`, async () => {
      const uploader = new Uploader({ record: move.target.record, incomingId: prep.incomingId });
      try {
        let doneBytes = 0;
        for (const item of items) {
          let wireBefore = 0;
          const r = await uploader.upload(item.id, item.path, item.label, jc.signal, (fileSent, wire) => {
            move.bytesMoved += wire - wireBefore;
            wireBefore = wire;
            jc.progress(SAVE_PCT + ((doneBytes + fileSent) * TRANSFER_PCT) / total, 'Transferring');
          });
          doneBytes += r.fileBytes;
          await move.call('migration.incomingFileDone', { incomingId: prep.incomingId, fileId: item.id, bytes: r.fileBytes, sha256: r.sha256 }, 180_000);
        }
      } finally {
        uploader.close();
      }
    });

    if (jc.signal.aborted) throw new ViridianError('CANCELLED', 'The migration was cancelled; the VM stays here.');
    const finishState = before === 'Running' || before === 'Paused' || before === 'Saved' || before === 'Off' ? before : 'Off';
    const paused = await pausedAtSave(vm.folder);
    handingOver = true;
    const fin = await move.phase('restoring', running ? 'Restoring the virtual machine on the target' : 'Registering the virtual machine on the target', () =>
      move.call('migration.incomingFinish', { incomingId: prep.incomingId, state: finishState, pausedAtSave: paused }, 300_000),
    );
    move.incomingId = null;
    await move.handOver();
    const downtime = before === 'Running' && move.stoppedAt !== null && fin.runningAt !== null ? fin.runningAt - move.stoppedAt : null;
    jc.progress(100, 'Completed');
    return move.result(fin.state, downtime, null);
  } catch (err) {
    if (handingOver && isConnectionLoss(err)) {
      // The target may have restored it: never run two copies. Keep ours saved (or off) and say so.
      if (vm.state === 'Migrating') vm.setState(weSaved || before === 'Saved' ? 'Saved' : 'Off', `The move to ${move.address} may not have completed`);
      throw new ViridianError(
        'PROTOCOL',
        `The connection to ${move.address} was lost while it took over "${vm.name}"; it may be running there. The copy here is kept ${weSaved || before === 'Saved' ? 'saved' : 'off'} and was not started.`,
        `Check ${move.address} (viridian host list / the console). If the VM is not there, start it here again.`,
      );
    }
    await move.abortTarget();
    await rollBack(move, before, weSaved);
    throw migrationFailed(vm.name, move.address, err, handingOver ? 'while the target restored it' : weSaved ? 'after it was saved' : 'before it was stopped');
  }
}

/** The VM as it was: restored from its own saved state when we saved it. */
async function rollBack(move: OutgoingMove, before: string, weSaved: boolean): Promise<void> {
  const { vm, jc } = move;
  if (vm.state === 'Migrating') vm.setState(weSaved || before === 'Saved' ? 'Saved' : 'Off', 'Migration did not complete');
  if (weSaved && vm.state === 'Saved') {
    jc.step('Resuming the virtual machine on this host');
    try {
      await vm.start({ ...jc, signal: new AbortController().signal });
    } catch (err) {
      move.ctx.log(`could not resume ${vm.name} after a failed migration: ${String(err)}`);
    }
  }
}
