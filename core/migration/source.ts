import { rm } from 'node:fs/promises';
import { ViridianError, type MethodName, type MethodParams, type MethodResult } from '../contract';
import type { MigrationPhase, MigrationResult, StorageHandling, MigrationMode } from '../contract/protocol-migration';
import type { EngineContext } from '../engine/context';
import type { JobContext } from '../engine/jobs';
import type { VmInstance } from '../engine/vm-instance';
import type { QmpEvent } from '../qemu/qmp';
import { withTimeout } from '../remote/connection';
import type { TargetSession } from '../remote/registry';
import type { MigrationPlan } from './fit-check';

/** Everything one outgoing move needs, and the measurements it collects. */
export class OutgoingMove {
  readonly phases: MigrationResult['phases'] = [];
  readonly t0 = Date.now();
  bytesMoved = 0;
  /** Wall-clock ms of the source guest's STOP (QMP event timestamp). */
  stoppedAt: number | null = null;
  incomingId: string | null = null;

  constructor(
    readonly ctx: EngineContext,
    readonly jc: JobContext,
    readonly vm: VmInstance,
    readonly target: TargetSession,
    readonly plan: MigrationPlan,
    readonly mode: MigrationMode,
    readonly storage: StorageHandling,
  ) {}

  get address(): string {
    return this.target.record.address;
  }

  /** Runs one phase, timing it; the job shows its name. */
  async phase<T>(name: MigrationPhase, label: string, fn: () => Promise<T>): Promise<T> {
    const start = Date.now();
    const before = this.bytesMoved;
    this.jc.step(label);
    try {
      return await fn();
    } finally {
      this.phases.push({ name, ms: Date.now() - start, bytes: this.bytesMoved - before });
    }
  }

  /** A call on the target with a deadline (a silent target must not hang the job). */
  call<M extends MethodName>(method: M, params: MethodParams<M>, timeoutMs: number): Promise<MethodResult<M>> {
    return withTimeout(this.target.client.call(method, params), timeoutMs, `The target ${this.address}`);
  }

  /** Throws once the target's connection is gone (a dead target must not be waited for). */
  checkTarget(): void {
    if (this.target.client.closed) {
      throw new ViridianError('PROTOCOL', `The target ${this.address} stopped answering.`, 'Check that the target host service runs; the VM stays on this host.');
    }
  }

  /** Records the guest's STOP from QMP's own timestamp (the start of the blackout). */
  watchStop(): () => void {
    const qmp = this.vm.qmpClient();
    if (!qmp) return () => undefined;
    return qmp.onEvent((e: QmpEvent) => {
      if (e.event === 'STOP' && this.stoppedAt === null) this.stoppedAt = e.timestamp.seconds * 1000 + e.timestamp.microseconds / 1000;
    });
  }

  /** Best effort: the target removes what it half created. */
  async abortTarget(): Promise<void> {
    if (!this.incomingId) return;
    const id = this.incomingId;
    this.incomingId = null;
    await this.call('migration.incomingAbort', { incomingId: id }, 30_000).catch((err: unknown) => this.ctx.log(`abort on ${this.address}: ${String(err)}`));
  }

  /** After the target took over: this host forgets the VM and removes its folder (disks outside it stay). */
  async handOver(): Promise<void> {
    const vm = this.vm;
    vm.release();
    this.ctx.removeVm(vm.id);
    await rm(vm.folder, { recursive: true, force: true });
  }

  result(finalState: MigrationResult['finalState'], downtimeMs: number | null, qemuDowntimeMs: number | null): MigrationResult {
    return {
      vmId: this.vm.id,
      vmName: this.vm.name,
      mode: this.mode,
      storage: this.storage,
      from: this.ctx.host().hostname,
      to: this.address,
      phases: this.phases,
      downtimeMs: downtimeMs === null ? null : Math.max(0, Math.round(downtimeMs * 10) / 10),
      qemuDowntimeMs,
      totalMs: Date.now() - this.t0,
      bytesMoved: this.bytesMoved,
      finalState,
    };
  }
}

export function migrationFailed(vmName: string, address: string, err: unknown, where: string): ViridianError {
  if (err instanceof ViridianError && (err.code === 'CANCELLED' || err.message.includes(vmName))) return err;
  const base = err instanceof ViridianError ? err : new ViridianError('INTERNAL', String(err));
  return new ViridianError(base.code, `Moving "${vmName}" to ${address} failed ${where}: ${base.message}`, base.hint);
}
