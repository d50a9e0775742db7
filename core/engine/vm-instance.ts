import { existsSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  PROCESS_STATES,
  TRANSIENT_STATES,
  ViridianError,
  isTransitionAllowed,
  migrationBlocker,
  type Accelerator,
  type VmConfig,
  type VmDetail,
  type VmState,
  type VmStats,
  type VmStatus,
  type VmSummary,
} from '../contract';
import { writeJsonAtomic } from '../common/atomic';
import { buildQemuArgs, type NetBackend, type RuntimePaths } from '../qemu/cmdline';
import { adoptProcess, describeExit, isOurQemu, isPidAlive, launchQemu, waitForExit, type QemuProcess } from '../qemu/process';
import { QmpClient, sleep, type QmpEvent } from '../qemu/qmp';
import type { JobContext } from './jobs';
import { QEMU_LOG, RUNTIME_FILE, SAVED_DIR, SAVED_DISCARD_PREFIX, SAVED_STATE, SAVED_STATE_TMP, VM_FILE, runtimePaths, type RuntimeFile } from './runtime';

export interface VmHost {
  qemuBinary(): string;
  /** Adapter id → network backend for this config (virtual networks); absent = user-mode NAT. */
  networks?(config: VmConfig): Promise<Readonly<Record<string, NetBackend>>>;
  accelerator(): Accelerator;
  sandbox: boolean;
  changed(vm: VmInstance): void;
  log(msg: string): void;
}

// No cap for local save files: QEMU's default 128 MiB/s would make saves slow (QEMU.md).
const UNCAPPED_BANDWIDTH = 64 * 1024 ** 3;
const QMP_CONNECT_MS = 20_000;
const QUIT_WAIT_MS = 5_000;
/** The Save job's step while the state file is fsync'd (the lifecycle bench reads it). */
export const FLUSH_STEP = 'Flushing the saved state to disk';

/** One VM: its config, its state with reason, and its QEMU process when it has one. */
export class VmInstance {
  status: VmStatus;
  stats: VmStats | null = null;
  operation: { jobId: string; label: string; percent: number | null } | null = null;
  private proc: QemuProcess | null = null;
  private qmp: QmpClient | null = null;
  private runtime: RuntimeFile;
  /** Set while the engine itself ends the process (quit, save, turn off). */
  private expectingExit = false;
  private guestShutdown = false;

  constructor(
    readonly folder: string,
    public config: VmConfig,
    runtime: RuntimeFile,
    private readonly host: VmHost,
  ) {
    this.runtime = runtime;
    this.status = { state: runtime.state === 'Starting' || runtime.state === 'Saving' ? 'Off' : runtime.state, reason: runtime.reason, since: runtime.since };
  }

  get id(): string {
    return this.config.id;
  }
  get name(): string {
    return this.config.name;
  }
  get state(): VmState {
    return this.status.state;
  }
  get pid(): number | null {
    return this.proc?.isAlive() ? this.proc.pid : null;
  }
  get startedAt(): string | null {
    return this.runtime.startedAt;
  }
  get paths(): RuntimePaths | null {
    return this.runtime.paths;
  }
  get hasSavedState(): boolean {
    return existsSync(join(this.folder, SAVED_STATE));
  }

  summary(): VmSummary {
    return {
      id: this.id,
      name: this.name,
      status: { ...this.status },
      memoryMiB: this.config.memoryMiB,
      cpus: this.config.processor.count,
      stats: this.stats,
      operation: this.operation,
      migrationBlocker: migrationBlocker(this.config),
      hasSavedState: this.status.state === 'Saved',
      notes: this.config.notes,
    };
  }

  async detail(): Promise<VmDetail> {
    const logTail = this.status.state === 'Critical' ? await this.logTail(10) : [];
    return { ...this.summary(), config: this.config, folder: this.folder, logTail };
  }

  setState(state: VmState, reason: string): void {
    const from = this.status.state;
    if (from !== state && !isTransitionAllowed(from, state)) {
      this.host.log(`refused transition ${from} → ${state} for ${this.name}`);
      throw new ViridianError('INTERNAL', `Internal error: "${this.name}" cannot go from ${from} to ${state}.`);
    }
    this.status = { state, reason, since: from === state ? this.status.since : new Date().toISOString() };
    if (!PROCESS_STATES.includes(state)) this.stats = null;
    this.host.changed(this);
  }

  async saveConfig(config: VmConfig): Promise<void> {
    await writeJsonAtomic(join(this.folder, VM_FILE), config);
    this.config = config;
    this.host.changed(this);
  }

  private async writeRuntime(patch: Partial<RuntimeFile>): Promise<void> {
    this.runtime = { ...this.runtime, ...patch, since: new Date().toISOString() };
    await writeJsonAtomic(join(this.folder, RUNTIME_FILE), this.runtime);
  }

  // ------------------------------------------------------------ adoption

  /** Reads back the true state of a VM after an engine (re)start. */
  async adopt(): Promise<void> {
    await this.sweepDiscardedState();
    const pid = this.runtime.pid ?? (await this.pidFromFile());
    const wasActive = this.runtime.state === 'Running' || this.runtime.state === 'Starting' || this.runtime.state === 'Saving';
    if (pid !== null && (await isOurQemu(pid, this.id))) {
      // Paths are a function of the folder, so a VM launched just before a crash is found too.
      const paths = this.runtime.paths ?? runtimePaths(this.folder);
      try {
        await this.attach(adoptProcess(pid), paths, 2000);
        if (!this.runtime.paths || this.runtime.pid !== pid) await this.writeRuntime({ state: 'Running', pid, paths });
        const { status } = await this.qmpOrThrow().execute<{ status: string }>('query-status');
        await this.applyAdoptedStatus(status);
        return;
      } catch (err) {
        this.host.log(`could not re-adopt ${this.name} (pid ${pid}): ${(err as Error).message}`);
      }
    }
    if (this.hasSavedState && (await this.savedStateValid())) {
      if (this.runtime.state !== 'Saved') await this.writeRuntime({ state: 'Saved', reason: 'Saved', pid: null });
      this.status = { state: 'Saved', reason: 'Saved', since: this.runtime.since };
      return;
    }
    if (wasActive) {
      const tail = await this.logTail(5);
      const reason = `The QEMU process ended while no engine was watching.${tail.length ? ` Last log lines: ${tail.join(' | ')}` : ''}`;
      await this.writeRuntime({ state: 'Critical', reason, pid: null });
      this.status = { state: 'Critical', reason, since: this.runtime.since };
      return;
    }
    if (this.runtime.state === 'Saved') {
      const reason = 'The saved state file is missing or incomplete; the VM starts fresh.';
      await this.writeRuntime({ state: 'Off', reason, pid: null });
      this.status = { state: 'Off', reason, since: this.runtime.since };
    }
  }

  private async applyAdoptedStatus(status: string): Promise<void> {
    switch (status) {
      case 'running':
        this.status = { state: 'Running', reason: 'Running', since: new Date().toISOString() };
        return;
      case 'paused':
      case 'suspended':
      case 'io-error':
      case 'internal-error':
        this.status = { state: 'Paused', reason: status === 'paused' ? 'Paused' : `Paused by QEMU (${status})`, since: new Date().toISOString() };
        return;
      case 'finish-migrate':
      case 'postmigrate':
        // The engine died in the middle of a Save: finish it.
        this.status = { state: 'Saving', reason: 'Finishing an interrupted save', since: new Date().toISOString() };
        await this.finishSave(this.runtime.pausedAtSave);
        this.status = { state: 'Saved', reason: 'Saved', since: new Date().toISOString() };
        return;
      case 'shutdown':
        await this.stopProcess();
        await this.markOff('The guest shut down while the engine was not running.');
        this.status = { state: 'Off', reason: 'The guest shut down while the engine was not running.', since: new Date().toISOString() };
        return;
      default:
        this.status = { state: 'Running', reason: `Re-adopted (QEMU status ${status})`, since: new Date().toISOString() };
    }
  }

  private async pidFromFile(): Promise<number | null> {
    try {
      const n = Number((await readFile(join(this.folder, 'qemu.pid'), 'utf8')).trim());
      return Number.isInteger(n) && n > 0 ? n : null;
    } catch {
      return null;
    }
  }

  // ------------------------------------------------------------ process plumbing

  private async attach(proc: QemuProcess, paths: RuntimePaths, retryForMs: number, signal?: AbortSignal): Promise<void> {
    this.proc = proc;
    this.expectingExit = false;
    this.guestShutdown = false;
    const qmp = await QmpClient.connect(paths.qmp, { retryForMs, isAlive: () => proc.isAlive(), ...(signal ? { signal } : {}) });
    this.qmp = qmp;
    qmp.onEvent((e) => this.onQmpEvent(e));
    qmp.onClose(() => void this.onProcessGone(proc));
    void proc.exited.then(() => this.onProcessGone(proc));
    await qmp.execute('migrate-set-capabilities', { capabilities: [{ capability: 'events', state: true }] });
  }

  private qmpOrThrow(): QmpClient {
    if (!this.qmp || this.qmp.closed) throw new ViridianError('QEMU_FAILED', `"${this.name}" has no running QEMU process.`);
    return this.qmp;
  }

  private onQmpEvent(e: QmpEvent): void {
    if (e.event === 'SHUTDOWN' && e.data.guest === true) {
      // -no-shutdown keeps QEMU up after a guest power-off: end it and call it Off.
      this.guestShutdown = true;
      void this.finishGuestShutdown();
    } else if (e.event === 'STOP' && this.state === 'Running' && !this.operation) {
      this.setState('Paused', 'Paused by QEMU');
    } else if (e.event === 'RESUME' && this.state === 'Paused' && !this.operation) {
      this.setState('Running', 'Running');
    } else if (e.event === 'BLOCK_IO_ERROR' && e.data.nospace === true) {
      if (this.state === 'Running') this.setState('Paused', `Paused: the disk ${String(e.data.device ?? '')} ran out of space. Free space on the host, then Resume.`);
    }
  }

  private async finishGuestShutdown(): Promise<void> {
    if (this.expectingExit) return;
    this.expectingExit = true;
    const wasStopping = this.state === 'Stopping';
    await this.stopProcess();
    const reason = wasStopping ? 'Shut down' : 'The guest operating system shut down';
    await this.markOff(reason);
    if (this.state !== 'Off') this.setState('Off', reason);
  }

  private gone = new WeakSet<QemuProcess>();
  private async onProcessGone(proc: QemuProcess): Promise<void> {
    if (this.gone.has(proc) || this.proc !== proc) return;
    // The QMP socket closes a moment before the pid is reaped: give it a beat.
    if (proc.isAlive()) await waitForExit(proc, 2000);
    if (proc.isAlive() || this.gone.has(proc) || this.proc !== proc) return;
    this.gone.add(proc);
    this.qmp?.close();
    this.qmp = null;
    if (this.expectingExit || this.guestShutdown) return;
    const exit = await Promise.race([proc.exited, sleep(50).then(() => null)]);
    const tail = await this.logTail(5);
    const reason = `${describeExit(exit)}${tail.length ? ` Last log lines: ${tail.join(' | ')}` : ''}`;
    this.host.log(`${this.name}: ${reason}`);
    this.proc = null;
    await this.writeRuntime({ state: 'Critical', reason, pid: null });
    if (this.state !== 'Critical') this.setState('Critical', reason);
  }

  async logTail(lines: number): Promise<string[]> {
    try {
      const text = await readFile(join(this.folder, QEMU_LOG), 'utf8');
      return text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(-lines);
    } catch {
      return [];
    }
  }

  /** Ends the QEMU process: QMP quit, then SIGKILL if it lingers. */
  private async stopProcess(): Promise<void> {
    const proc = this.proc;
    this.expectingExit = true;
    if (!proc) return;
    if (this.qmp && !this.qmp.closed) {
      await this.qmp.execute('quit', undefined, 3000).catch(() => undefined);
    }
    if (!(await waitForExit(proc, QUIT_WAIT_MS))) {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await waitForExit(proc, QUIT_WAIT_MS);
    }
    this.qmp?.close();
    this.qmp = null;
    this.proc = null;
  }

  private async markOff(reason: string): Promise<void> {
    await this.writeRuntime({ state: 'Off', reason, pid: null, startedAt: null });
    await rm(join(this.folder, 'qemu.pid'), { force: true });
  }

  private checkStorage(): void {
    const missing: string[] = [];
    for (const ctrl of this.config.ide) for (const s of ctrl) if (s && s.path && !existsSync(s.path)) missing.push(s.path);
    for (const d of this.config.scsi) if (!existsSync(d.path)) missing.push(d.path);
    if (this.config.kernel) {
      if (!existsSync(this.config.kernel.path)) missing.push(this.config.kernel.path);
      if (this.config.kernel.initrd && !existsSync(this.config.kernel.initrd)) missing.push(this.config.kernel.initrd);
    }
    if (this.config.floppy && !existsSync(this.config.floppy)) missing.push(this.config.floppy);
    if (missing.length) {
      throw new ViridianError(
        'NOT_FOUND',
        `"${this.name}" cannot start: ${missing.length === 1 ? 'a file it uses is' : 'files it uses are'} missing: ${missing.join(', ')}.`,
        'Restore the file or change the VM’s settings to point at another one.',
      );
    }
  }

  private async launch(incoming: boolean, signal: AbortSignal, extraArgs: readonly string[] = []): Promise<void> {
    const paths = runtimePaths(this.folder);
    for (const s of [paths.qmp, paths.serial, paths.vnc]) await rm(s, { force: true });
    const networks = this.host.networks ? await this.host.networks(this.config) : undefined;
    const args = buildQemuArgs(this.config, paths, { accel: this.host.accelerator(), incoming, sandbox: this.host.sandbox, ...(networks ? { networks } : {}) });
    const logFile = join(this.folder, QEMU_LOG);
    const startedAt = new Date().toISOString();
    // No runtime write before launch: a crash right after it is recovered from qemu.pid and the fixed paths.
    const proc = launchQemu(this.host.qemuBinary(), [...args, ...extraArgs], { cwd: this.folder, logFile });
    try {
      await this.attach(proc, paths, QMP_CONNECT_MS, signal);
    } catch (err) {
      this.expectingExit = true;
      if (proc.isAlive()) {
        try {
          process.kill(proc.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      await waitForExit(proc, 2000);
      this.proc = null;
      this.qmp?.close();
      this.qmp = null;
      if (err instanceof ViridianError && err.code === 'CANCELLED') throw err;
      const tail = await this.logTail(3);
      throw new ViridianError(
        'QEMU_FAILED',
        `QEMU could not start "${this.name}"${tail.length ? `: ${tail[tail.length - 1]}` : '.'}`,
        `See ${logFile} for details.`,
      );
    }
    await this.writeRuntime({ state: 'Running', reason: 'Running', pid: proc.pid, startedAt, paths });
  }

  /**
   * Live migration target: the same command line plus `-incoming defer` and
   * `-S`, so the guest resumes only when the engine says (after the storage
   * hand-over). The VM is Migrating until then.
   */
  async launchIncoming(signal: AbortSignal, reason: string): Promise<QmpClient> {
    this.setState('Migrating', reason);
    try {
      this.checkStorage();
      await this.launch(true, signal, ['-S']);
      return this.qmpOrThrow();
    } catch (err) {
      await this.stopProcess().catch(() => undefined);
      this.setState('Off', `Incoming migration failed: ${(err as Error).message}`);
      throw err;
    }
  }

  // ------------------------------------------------------------ actions

  async start(ctx: JobContext): Promise<void> {
    const fromSaved = this.state === 'Saved';
    this.setState('Starting', fromSaved ? 'Restoring the saved state' : 'Starting');
    try {
      this.checkStorage();
      if (fromSaved) {
        ctx.step('Restoring the saved memory state');
        await this.launch(true, ctx.signal);
        const qmp = this.qmpOrThrow();
        await qmp.execute('migrate-incoming', { uri: `exec:cat ${SAVED_STATE}` });
        await this.waitForStatus((s) => s !== 'inmigrate' && s !== 'restore-vm', 120_000);
        const { status } = await qmp.execute<{ status: string }>('query-status');
        if (status === 'running') {
          /* the stream said running */
        } else if (!this.runtime.pausedAtSave) {
          await qmp.execute('cont');
        }
        await this.discardSavedState();
        // Read before the runtime write below clears it: a state saved while paused restores paused.
        const paused = this.runtime.pausedAtSave && status !== 'running';
        await this.writeRuntime({ pausedAtSave: false });
        this.setState(paused ? 'Paused' : 'Running', 'Restored from saved state');
      } else {
        ctx.step('Starting QEMU');
        await this.launch(false, ctx.signal);
        this.setState('Running', 'Running');
      }
    } catch (err) {
      if (this.state === 'Starting') {
        await this.stopProcess().catch(() => undefined);
        const back = fromSaved && this.hasSavedState ? 'Saved' : 'Off';
        await this.writeRuntime({ state: back, reason: back, pid: null });
        this.setState(back, `Start failed: ${(err as Error).message}`);
      }
      throw err;
    }
  }

  private async waitForStatus(done: (s: string) => boolean, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status } = await this.qmpOrThrow().execute<{ status: string }>('query-status');
      if (done(status)) return status;
      if (Date.now() > deadline) throw new ViridianError('TIMEOUT', `QEMU stayed in status "${status}" too long.`);
      await sleep(20);
    }
  }

  async turnOff(): Promise<void> {
    const wasCritical = this.state === 'Critical';
    if (!wasCritical) this.setState('Stopping', 'Turning off');
    await this.stopProcess();
    await this.markOff('Turned off');
    this.setState('Off', wasCritical ? 'Turned off after a failure' : 'Turned off');
  }

  async shutDown(ctx: JobContext, timeoutSec: number): Promise<void> {
    const before = this.state;
    this.setState('Stopping', 'Shutting down the guest operating system');
    const proc = this.proc;
    try {
      ctx.step('Pressing the ACPI power button');
      await this.qmpOrThrow().execute('system_powerdown');
      ctx.step(`Waiting up to ${timeoutSec} s for the guest to shut down`);
      const deadline = Date.now() + timeoutSec * 1000;
      while (this.state === 'Stopping' && Date.now() < deadline) {
        if (ctx.signal.aborted) throw new ViridianError('CANCELLED', 'Shut Down was cancelled.');
        await sleep(50);
      }
      if (this.state === 'Off') return;
      if (proc && !proc.isAlive()) return;
    } catch (err) {
      if (this.state === 'Stopping') this.setState(before, before);
      throw err;
    }
    if (this.state === 'Stopping') this.setState(before, 'The guest did not shut down');
    throw new ViridianError(
      'TIMEOUT',
      `The guest in "${this.name}" did not shut down within ${timeoutSec} s.`,
      'The guest may not react to the ACPI power button. Turn Off the VM (unsaved data in the guest is lost), or wait and try Shut Down again.',
    );
  }

  async pause(): Promise<void> {
    this.setState('Pausing', 'Pausing');
    try {
      await this.qmpOrThrow().execute('stop');
      this.setState('Paused', 'Paused');
    } catch (err) {
      if (this.state === 'Pausing') this.setState('Running', 'Pause failed');
      throw err;
    }
  }

  async resume(): Promise<void> {
    this.setState('Resuming', 'Resuming');
    try {
      await this.qmpOrThrow().execute('cont');
      this.setState('Running', 'Running');
    } catch (err) {
      if (this.state === 'Resuming') this.setState('Paused', 'Resume failed');
      throw err;
    }
  }

  async reset(): Promise<void> {
    await this.qmpOrThrow().execute('system_reset');
    this.setState(this.state, 'Reset');
  }

  async save(ctx: JobContext): Promise<void> {
    const blocker = migrationBlocker(this.config);
    if (blocker) throw new ViridianError('DISK_BLOCKS_ACTION', blocker, 'Convert the disk to qcow2 or a fixed VHD (Edit Disk ▸ Convert), then Save.');
    const wasPaused = this.state === 'Paused';
    this.setState('Saving', 'Saving the memory state');
    const qmp = this.qmpOrThrow();
    let migrating = false;
    try {
      await mkdir(join(this.folder, SAVED_DIR), { recursive: true });
      await rm(join(this.folder, SAVED_STATE_TMP), { force: true });
      if (!wasPaused) await qmp.execute('stop');
      await qmp.execute('migrate-set-parameters', { 'max-bandwidth': UNCAPPED_BANDWIDTH });
      ctx.step('Writing the memory state');
      await qmp.execute('migrate', { uri: `exec:cat > ${SAVED_STATE_TMP}` });
      migrating = true;
      const flusher = earlyFlush(join(this.folder, SAVED_STATE_TMP));
      try {
        for (;;) {
          const info = await qmp.execute<{ status: string; ram?: { total: number; remaining: number }; 'error-desc'?: string }>('query-migrate');
          if (info.status === 'completed') break;
          if (info.status === 'failed' || info.status === 'cancelled') {
            throw new ViridianError('QEMU_FAILED', `Saving "${this.name}" failed: ${info['error-desc'] ?? info.status}.`);
          }
          if (ctx.signal.aborted) {
            await qmp.execute('migrate_cancel').catch(() => undefined);
            throw new ViridianError('CANCELLED', 'Save was cancelled; the VM keeps running.');
          }
          if (info.ram && info.ram.total > 0) ctx.progress((100 * (info.ram.total - info.ram.remaining)) / info.ram.total, 'Writing the memory state');
          await sleep(25);
        }
      } finally {
        await flusher.stop();
      }
      migrating = false;
      ctx.step('Closing the VM process');
      await this.finishSave(wasPaused, ctx);
      this.setState('Saved', 'Saved');
    } catch (err) {
      if (this.state === 'Saving' && this.qmp && !this.qmp.closed) {
        if (migrating) await qmp.execute('migrate_cancel').catch(() => undefined);
        await rm(join(this.folder, SAVED_DIR), { recursive: true, force: true });
        if (!wasPaused) await qmp.execute('cont').catch(() => undefined);
        await this.writeRuntime({ state: 'Running', pausedAtSave: false });
        this.setState(wasPaused ? 'Paused' : 'Running', 'Save did not complete');
      } else if (this.state === 'Saving') {
        // QEMU already ended but the state file is unusable: the VM is off, its disks as QEMU left them.
        await rm(join(this.folder, SAVED_DIR), { recursive: true, force: true });
        await this.markOff('Save failed; the VM was turned off');
        this.setState('Off', `Save failed: ${(err as Error).message}`);
      }
      throw err;
    }
  }

  /** After the stream completed: end QEMU, make the file durable, then rename it into place. */
  private async finishSave(pausedAtSave: boolean, ctx?: JobContext): Promise<void> {
    await this.stopProcess();
    const tmp = join(this.folder, SAVED_STATE_TMP);
    if (!(await isCompleteStateFile(tmp))) await waitForStableSize(tmp);
    if (!(await isCompleteStateFile(tmp))) {
      throw new ViridianError('QEMU_FAILED', `The saved state of "${this.name}" was written incompletely.`, 'Start the VM again; it boots fresh.');
    }
    // Bare QEMU does not sync: the state survives a power cut, not only a crash (earlyFlush did most of it).
    ctx?.step(FLUSH_STEP);
    const fh = await open(tmp, 'r+');
    await fh.sync();
    await fh.close();
    await rename(tmp, join(this.folder, SAVED_STATE));
    await this.writeRuntime({ state: 'Saved', reason: 'Saved', pid: null, pausedAtSave });
    await rm(join(this.folder, 'qemu.pid'), { force: true });
  }

  /**
   * Moves the saved state out of the way at once and unlinks it in the
   * background: unlinking a state file of a few hundred MiB takes 50–150 ms,
   * which a restore need not wait for. Leftovers are swept on the next adopt.
   */
  private async discardSavedState(): Promise<void> {
    const trash = join(this.folder, `${SAVED_DISCARD_PREFIX}${Date.now().toString(36)}`);
    try {
      await rename(join(this.folder, SAVED_DIR), trash);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    void rm(trash, { recursive: true, force: true }).catch((e: unknown) => this.host.log(`${this.name}: could not remove ${trash}: ${(e as Error).message}`));
  }

  private async sweepDiscardedState(): Promise<void> {
    const names = await readdir(this.folder).catch(() => [] as string[]);
    for (const n of names) if (n.startsWith(SAVED_DISCARD_PREFIX)) await rm(join(this.folder, n), { recursive: true, force: true });
  }

  private async savedStateValid(): Promise<boolean> {
    return isCompleteStateFile(join(this.folder, SAVED_STATE));
  }

  async deleteSavedState(): Promise<void> {
    await this.discardSavedState();
    await this.markOff('Saved state deleted');
    this.setState('Off', 'Saved state deleted');
  }

  // ------------------------------------------------------------ for features (snapshots, import)

  /** Whether the saved state restores paused (it was saved from a paused VM). */
  get pausedAtSave(): boolean {
    return this.runtime.pausedAtSave;
  }

  /** Ends the QEMU process inside a feature's own operation (e.g. Reverting): no state change, runtime Off. */
  async endProcess(reason: string): Promise<void> {
    await this.stopProcess();
    await this.markOff(reason);
  }

  /** A complete memory state is now at SAVED_STATE (put there by a feature): the VM becomes Saved. */
  async markSaved(pausedAtSave: boolean, reason: string): Promise<void> {
    await this.writeRuntime({ state: 'Saved', reason, pid: null, startedAt: null, pausedAtSave });
    this.setState('Saved', reason);
  }

  /** Engine shutdown: let go of QEMU without stopping it (VMs are detached). */
  release(): void {
    this.expectingExit = true;
    if (this.proc) this.gone.add(this.proc);
    this.qmp?.close();
    this.qmp = null;
  }

  get busy(): boolean {
    return TRANSIENT_STATES.includes(this.state);
  }

  get processAlive(): boolean {
    return this.proc?.isAlive() ?? false;
  }

  /** For tests and bench: the QMP client of the running VM. */
  qmpClient(): QmpClient | null {
    return this.qmp;
  }

  static runtimeOff(): RuntimeFile {
    return { state: 'Off', reason: 'Created', since: new Date().toISOString(), pid: null, startedAt: null, pausedAtSave: false, paths: null };
  }

  static isAlivePid(pid: number): boolean {
    return isPidAlive(pid);
  }
}

/**
 * Writes the state file back to disk while QEMU still streams it, so the
 * final fsync (durability) has little left to do.
 */
export function earlyFlush(path: string): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    let fh: Awaited<ReturnType<typeof open>> | null = null;
    try {
      while (!stopped) {
        if (!fh) fh = await open(path, 'r').catch(() => null);
        if (fh) await fh.datasync().catch(() => undefined);
        await sleep(20);
      }
    } finally {
      await fh?.close().catch(() => undefined);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** The exec'd `cat` may still drain the pipe for a moment after QEMU exits. */
async function waitForStableSize(path: string): Promise<void> {
  let last = -1;
  for (let i = 0; i < 100; i++) {
    const size = await stat(path).then((s) => s.size, () => -1);
    if (size === last && size > 0) return;
    last = size;
    await sleep(20);
  }
}

/**
 * A QEMU migration stream starts with "QEVM" and ends with QEMU_VM_EOF (0x10)
 * or with the VM description section (0x06, be32 length, JSON) that 7.2 appends.
 */
export async function isCompleteStateFile(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      if (size < 8) return false;
      const head = Buffer.alloc(4);
      await fh.read(head, 0, 4, 0);
      if (head.toString('latin1') !== 'QEVM') return false;
      const tailLen = Math.min(size, 1024 * 1024);
      const tail = Buffer.alloc(tailLen);
      await fh.read(tail, 0, tailLen, size - tailLen);
      if (tail[tailLen - 1] === 0x10) return true;
      // The description is JSON ("{...}") whose length field matches the rest of the file exactly.
      if (tail[tailLen - 1] !== 0x7d) return false;
      for (let i = tailLen - 6; i >= 0; i--) {
        if (tail[i] === 0x06 && tail[i + 5] === 0x7b && tail.readUInt32BE(i + 1) === tailLen - (i + 5)) return true;
      }
      return false;
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}
