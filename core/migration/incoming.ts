import { createHash, randomUUID, type Hash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ViridianError, migrateConfig, type VmConfig, type VmState } from '../contract';
import type { IncomingFile } from '../contract/protocol-migration';
import { writeJsonAtomic } from '../common/atomic';
import type { EngineContext } from '../engine/context';
import { RUNTIME_FILE, SAVED_STATE, VM_FILE, type RuntimeFile } from '../engine/runtime';
import { VmInstance } from '../engine/vm-instance';
import { isOurQemu } from '../qemu/process';
import { fitError, targetProblems, type MigrationPlan } from './fit-check';
import type { PskCreds } from './tls-psk';

/** In an incoming VM's folder until the move is committed: a restart removes such folders. */
export const INCOMING_MARKER = 'incoming.json';
/** An incoming move nobody touched for this long is abandoned (the source died). */
const IDLE_ABORT_MS = 10 * 60_000;
/** The largest chunk one upload request may carry. */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

interface ReceivedFile {
  spec: IncomingFile;
  /** Where it ends up on this host. */
  path: string;
  received: number;
  /** Bytes accepted for writing (received plus the write in flight). */
  queued: number;
  hash: Hash;
  fh: FileHandle | null;
  done: boolean;
}

export interface Incoming {
  id: string;
  plan: MigrationPlan;
  folder: string;
  files: Map<string, ReceivedFile>;
  phase: 'receiving' | 'live' | 'finishing' | 'done' | 'aborted';
  /** Live: the VM whose QEMU waits for the stream. */
  vm: VmInstance | null;
  /** Live: the NBD exports to remove before the guest resumes. */
  exports: string[];
  nbdRunning: boolean;
  /** Live: the TLS-PSK credentials on the waiting QEMU, dropped once the guest is ours. */
  tls: PskCreds | null;
  lastActivity: number;
  timer: NodeJS.Timeout | null;
  /** Serializes chunk writes per incoming move. */
  chain: Promise<unknown>;
  /** The first failed write; later calls report it. */
  failure: unknown;
}

/** The target's side of a move: reservations, received files, commit and clean-up. */
export class IncomingManager {
  readonly moves = new Map<string, Incoming>();

  constructor(readonly ctx: EngineContext) {}

  get(id: string): Incoming {
    const inc = this.moves.get(id);
    if (!inc || inc.phase === 'aborted') {
      throw new ViridianError('NOT_FOUND', 'This host has no such incoming migration (it finished, was cancelled, or the host restarted).', 'Start the migration again.');
    }
    return inc;
  }

  touch(inc: Incoming): void {
    inc.lastActivity = Date.now();
  }

  async prepare(plan: MigrationPlan): Promise<{ incomingId: string; folder: string; paths: Record<string, string>; uploadPath: string }> {
    const facts = await targetProblems(this.ctx, plan);
    if (facts.problems.some((p) => p.severity === 'error')) throw fitError(plan.config.name, facts.hostname, facts.problems);
    const id = randomUUID();
    const folder = join(this.ctx.dataDir, 'vms', plan.config.id);
    await mkdir(join(this.ctx.dataDir, 'vms'), { recursive: true });
    try {
      await mkdir(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ViridianError('NAME_TAKEN', `A folder for this virtual machine already exists on ${facts.hostname}.`, 'Try again in a minute, or restart the target host service.');
      throw err;
    }
    await writeJsonAtomic(join(folder, INCOMING_MARKER), { incomingId: id, from: plan.source.hostname, createdAt: new Date().toISOString() });
    const files = new Map<string, ReceivedFile>();
    const taken = new Set<string>();
    const paths: Record<string, string> = {};
    for (const f of plan.files) {
      let path = f.sourcePath;
      if (f.copy) {
        let name = basename(f.sourcePath);
        for (let i = 1; taken.has(name) || name === VM_FILE || name === RUNTIME_FILE || name === INCOMING_MARKER; i++) name = `${i}-${basename(f.sourcePath)}`;
        taken.add(name);
        path = join(folder, name);
      }
      paths[f.id] = path;
      files.set(f.id, { spec: f, path, received: 0, queued: 0, hash: createHash('sha256'), fh: null, done: !f.copy });
    }
    if (plan.stateBytesMax > 0) {
      const spec: IncomingFile = { id: 'state', role: 'state', sourcePath: SAVED_STATE, bytes: plan.stateBytesMax, mtimeMs: null, copy: true, format: null, virtualSize: null };
      const path = join(folder, SAVED_STATE);
      paths['state'] = path;
      files.set('state', { spec, path, received: 0, queued: 0, hash: createHash('sha256'), fh: null, done: false });
    }
    const inc: Incoming = { id, plan, folder, files, phase: 'receiving', vm: null, exports: [], nbdRunning: false, tls: null, lastActivity: Date.now(), timer: null, chain: Promise.resolve(), failure: null };
    inc.timer = setInterval(() => {
      if (Date.now() - inc.lastActivity > IDLE_ABORT_MS) void this.abort(id, 'no word from the source for 10 minutes');
    }, 30_000);
    inc.timer.unref();
    this.moves.set(id, inc);
    this.ctx.log(`incoming migration ${id}: "${plan.config.name}" from ${plan.source.hostname} (${plan.mode}, ${plan.storage})`);
    return { incomingId: id, folder, paths, uploadPath: `/api/migration/${id}/` };
  }

  /**
   * One chunk of one file, in order. `data` null = a run of zeros of
   * `zeroLength` bytes (sparse: not sent, not written). The write goes on while
   * the next chunk travels: the answer comes once the previous write is done,
   * and a failed write (e.g. the disk is full) fails the next call and fileDone.
   */
  async chunk(id: string, fileId: string, offset: number, data: Buffer | null, zeroLength: number): Promise<number> {
    const inc = this.get(id);
    this.touch(inc);
    if (inc.failure) throw inc.failure;
    if (inc.phase !== 'receiving') throw new ViridianError('INVALID_STATE', 'This incoming migration no longer receives files.');
    const f = inc.files.get(fileId);
    if (!f || !f.spec.copy) throw new ViridianError('NOT_FOUND', `The incoming migration has no file ${fileId} to receive.`);
    if (f.done) throw new ViridianError('INVALID_STATE', `The file ${fileId} was already received.`);
    if (offset !== f.queued) throw new ViridianError('INVALID_INPUT', `Expected the chunk at offset ${f.queued}, got ${offset}.`, 'Send the file in order.');
    const len = data ? data.length : zeroLength;
    if (f.queued + len > f.spec.bytes) throw new ViridianError('INVALID_INPUT', `The file ${fileId} is larger than the ${f.spec.bytes} bytes announced.`);
    f.queued += len;
    const previous = inc.chain;
    const run = previous.then(async () => {
      if (inc.failure) return;
      if (!f.fh) {
        await mkdir(join(f.path, '..'), { recursive: true });
        f.fh = await open(`${f.path}.part`, 'w', 0o600);
      }
      if (data) {
        let written = 0;
        while (written < data.length) {
          const { bytesWritten } = await f.fh.write(data, written, data.length - written, offset + written);
          written += bytesWritten;
        }
        f.hash.update(data);
      } else {
        await f.fh.truncate(offset + len);
        hashZeros(f.hash, len);
      }
      f.received += len;
      this.touch(inc);
    });
    inc.chain = run.catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      const what = f.spec.role === 'state' ? 'the saved memory state' : f.spec.sourcePath;
      inc.failure ??=
        code === 'ENOSPC' || code === 'EDQUOT'
          ? new ViridianError('NO_SPACE', `${this.ctx.host().hostname} ran out of disk space in ${this.ctx.dataDir} (while receiving ${what}).`, 'Free space on the target, or use shared storage or live migration.')
          : err;
    });
    // At most one write outstanding: wait for the one before this chunk.
    await previous;
    if (inc.failure) throw inc.failure;
    return f.queued;
  }

  async fileDone(id: string, fileId: string, bytes: number, sha256: string): Promise<void> {
    const inc = this.get(id);
    this.touch(inc);
    await inc.chain;
    if (inc.failure) throw inc.failure;
    const f = inc.files.get(fileId);
    if (!f || !f.spec.copy) throw new ViridianError('NOT_FOUND', `The incoming migration has no file ${fileId}.`);
    if (f.received !== bytes) throw new ViridianError('PROTOCOL', `The file ${f.spec.sourcePath} arrived incomplete: ${f.received} of ${bytes} bytes.`, 'Start the migration again.');
    const got = f.hash.digest('hex');
    if (got !== sha256) throw new ViridianError('PROTOCOL', `The file ${f.spec.sourcePath} arrived damaged (checksum mismatch).`, 'Start the migration again; check the network between the hosts.');
    if (!f.fh) {
      // An empty file.
      f.fh = await open(`${f.path}.part`, 'w', 0o600);
    }
    await f.fh.truncate(bytes);
    await f.fh.sync();
    await f.fh.close();
    f.fh = null;
    await rename(`${f.path}.part`, f.path);
    f.done = true;
  }

  /** Commits a quick move: config and runtime in place, the VM registered, restored when it was running. */
  async finishQuick(inc: Incoming, state: 'Running' | 'Paused' | 'Saved' | 'Off', pausedAtSave: boolean): Promise<{ vm: VmInstance; runningAt: number | null }> {
    for (const f of inc.files.values()) {
      if (f.spec.copy && !f.done && (f.spec.role !== 'state' || state !== 'Off')) {
        throw new ViridianError('PROTOCOL', `The file ${f.spec.sourcePath} has not arrived.`, 'Start the migration again.');
      }
    }
    inc.phase = 'finishing';
    const config = this.rewriteConfig(inc);
    const hasState = state !== 'Off';
    const runtime: RuntimeFile = { ...VmInstance.runtimeOff(), state: hasState ? 'Saved' : 'Off', reason: hasState ? 'Saved' : 'Moved here', pausedAtSave };
    await writeJsonAtomic(join(inc.folder, RUNTIME_FILE), runtime);
    await writeJsonAtomic(join(inc.folder, VM_FILE), config);
    const vm = new VmInstance(inc.folder, config, runtime, this.ctx.vmHost);
    if (hasState) vm.status = { state: 'Saved', reason: `Moved here from ${inc.plan.source.hostname}`, since: new Date().toISOString() };
    else vm.status = { state: 'Off', reason: `Moved here from ${inc.plan.source.hostname}`, since: new Date().toISOString() };
    // The commit point: from here the VM belongs to this host.
    await rm(join(inc.folder, INCOMING_MARKER), { force: true });
    this.ctx.addVm(vm);
    this.release(inc, 'done');
    if (state !== 'Running' && state !== 'Paused') return { vm, runningAt: null };
    const { done } = this.ctx.jobs.start(
      { kind: 'migration.incoming', label: 'Restore a migrated virtual machine', vmId: vm.id, vmName: vm.name, cli: `viridian vm start ${vm.name}` },
      (jc) => vm.start(jc),
    );
    const job = await done;
    if (job.state !== 'completed') {
      // The source keeps its copy (saved): this one goes, leaving shared disks alone.
      await this.discardVm(vm);
      throw new ViridianError(job.error?.code ?? 'QEMU_FAILED', `Restoring "${vm.name}" on ${this.ctx.host().hostname} failed: ${job.error?.message ?? job.state}`, job.error?.hint ?? 'The VM stays on the source.');
    }
    const runningAt = Date.now();
    if (vm.state === 'Running' || vm.state === 'Paused') vm.setState(vm.state, `Migrated here from ${inc.plan.source.hostname}`);
    return { vm, runningAt };
  }

  /** The config as this host runs it: copied files at their new paths. */
  rewriteConfig(inc: Incoming): VmConfig {
    const moved = new Map<string, string>();
    for (const f of inc.files.values()) if (f.spec.copy && f.spec.role !== 'state') moved.set(f.spec.sourcePath, f.path);
    const c = structuredClone(inc.plan.config);
    const at = (p: string) => moved.get(p) ?? p;
    for (const ctrl of c.ide) for (const s of ctrl) if (s) s.path = s.path === null ? null : at(s.path);
    for (const d of c.scsi) d.path = at(d.path);
    if (c.kernel) c.kernel = { ...c.kernel, path: at(c.kernel.path), initrd: c.kernel.initrd ? at(c.kernel.initrd) : null };
    if (c.floppy) c.floppy = at(c.floppy);
    return migrateConfig(c);
  }

  /** Removes a VM that this host half took over. */
  async discardVm(vm: VmInstance): Promise<void> {
    await vm.endProcess('Migration did not complete').catch(() => undefined);
    vm.release();
    this.ctx.removeVm(vm.id);
    await rm(vm.folder, { recursive: true, force: true });
  }

  /** Cancels a move: ends a waiting QEMU, removes everything this host created for it. */
  async abort(id: string, why: string): Promise<boolean> {
    const inc = this.moves.get(id);
    if (!inc || inc.phase === 'aborted' || inc.phase === 'done') return false;
    inc.phase = 'aborted';
    this.ctx.log(`incoming migration ${id} aborted: ${why}`);
    await inc.chain.catch(() => undefined);
    for (const f of inc.files.values()) await f.fh?.close().catch(() => undefined);
    await inc.tls?.dispose();
    inc.tls = null;
    if (inc.vm) {
      await inc.vm.endProcess('Migration cancelled').catch(() => undefined);
      inc.vm.release();
      this.ctx.removeVm(inc.vm.id);
    }
    await rm(inc.folder, { recursive: true, force: true });
    this.release(inc, 'aborted');
    return true;
  }

  release(inc: Incoming, phase: 'done' | 'aborted'): void {
    inc.phase = phase;
    if (inc.timer) clearInterval(inc.timer);
    inc.timer = null;
    this.moves.delete(inc.id);
  }

  /**
   * After a restart: folders of moves that never committed go, with any QEMU
   * that waited for a stream. The source still has the VM.
   */
  async sweep(): Promise<void> {
    const vmsDir = join(this.ctx.dataDir, 'vms');
    const entries = await readdir(vmsDir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const folder = join(vmsDir, e.name);
      const marker = join(folder, INCOMING_MARKER);
      if (!existsSync(marker)) continue;
      const pidFile = Number((await readFile(join(folder, 'qemu.pid'), 'utf8').catch(() => '')).trim());
      for (const p of [pidFile]) {
        if (Number.isInteger(p) && p > 0 && (await isOurQemu(p, e.name))) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      }
      for (const vm of this.ctx.vms()) {
        if (vm.id === e.name) {
          vm.release();
          this.ctx.removeVm(vm.id);
          break;
        }
      }
      await rm(folder, { recursive: true, force: true });
      this.ctx.log(`removed an unfinished incoming migration in ${folder}`);
    }
  }

  async closeAll(): Promise<void> {
    for (const inc of [...this.moves.values()]) if (inc.phase !== 'done') await this.abort(inc.id, 'the host is shutting down');
  }
}

const ZEROS = Buffer.alloc(1024 * 1024);
function hashZeros(hash: Hash, len: number): void {
  for (let left = len; left > 0; left -= ZEROS.length) hash.update(left >= ZEROS.length ? ZEROS : ZEROS.subarray(0, left));
}

const managers = new WeakMap<EngineContext, IncomingManager>();
export function incomingFor(ctx: EngineContext): IncomingManager {
  let m = managers.get(ctx);
  if (!m) {
    m = new IncomingManager(ctx);
    managers.set(ctx, m);
  }
  return m;
}

export type FinishState = Extract<VmState, 'Running' | 'Paused' | 'Saved' | 'Off'>;
