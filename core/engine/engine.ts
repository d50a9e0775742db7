import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, realpath, rm } from 'node:fs/promises';
import { homedir, totalmem, cpus as hostCpus } from 'node:os';
import { delimiter, join, resolve, sep } from 'node:path';
import {
  ACTION_LABELS,
  CONFIG_SCHEMA_VERSION,
  ViridianError,
  isActionAllowed,
  migrateConfig,
  migrationBlocker,
  vmDisks,
  type DiskAttachment,
  type EventName,
  type EventPayload,
  type HostInfo,
  type Job,
  METHODS,
  issuesSentence,
  type MethodName,
  type MethodParams,
  type MethodParsedParams,
  type MethodResult,
  type NetworkAdapter,
  type SimpleVmAction,
  type VmConfig,
  type VmSummary,
} from '../contract';
import { readJsonFile, writeJsonAtomic } from '../common/atomic';
import { confinePath } from '../common/paths';
import { findQemuSystem, hostInfo } from '../qemu/probe';
import { cpuTicks } from '../qemu/process';
import { createDisk, inspectDisk } from '../storage/qemu-img';
import { cliLine } from './cli-text';
import type { EngineContext, MethodHandler } from './context';
import { FEATURES } from './features';
import { applyScsiLive } from './disks';
import { JobManager } from './jobs';
import { networksFor } from './networks-store';
import { acquireDataDirLock } from './lock';
import { RUNTIME_FILE, RuntimeFileSchema, VM_FILE } from './runtime';
import type { EngineEvent, EngineService } from './service';
import { VmInstance, type VmHost } from './vm-instance';

export interface EngineOptions {
  dataDir: string;
  /** Folders clients may point at (disks, ISOs). Default: the data dir and the user's home. */
  storageRoots?: string[];
  statsIntervalMs?: number;
  log?: (msg: string) => void;
}

/** A VM folder whose vm.json could not be read: shown, never touched. */
interface BrokenVm {
  id: string;
  folder: string;
  reason: string;
}

const DEFAULT_SHUTDOWN_TIMEOUT_SEC = 60;
/** Settings that need the VM off: they shape the QEMU command line (or the saved state's devices). */
const OFF_ONLY_KEYS = ['firmware', 'arch', 'memoryMiB', 'bios', 'ide', 'scsi', 'floppy', 'network', 'com', 'kernel', 'guestOs'] as const;

export async function openEngine(opts: EngineOptions): Promise<Engine> {
  const dataDir = resolve(opts.dataDir);
  await mkdir(join(dataDir, 'vms'), { recursive: true });
  const release = await acquireDataDirLock(dataDir);
  try {
    const roots = await Promise.all(
      [dataDir, ...(opts.storageRoots ?? defaultStorageRoots())].map((r) => realpath(r).catch(() => resolve(r))),
    );
    const info = await hostInfo(dataDir, [...new Set(roots)]);
    const engine = new Engine(dataDir, info, release, opts);
    await engine.load();
    for (const feature of FEATURES) await feature(engine.context, engine);
    return engine;
  } catch (err) {
    await release();
    throw err;
  }
}

function defaultStorageRoots(): string[] {
  const extra = process.env['VIRIDIAN_STORAGE_ROOTS'];
  return [homedir(), ...(extra ? extra.split(delimiter).filter(Boolean) : [])];
}

export class Engine implements EngineService {
  private readonly vms = new Map<string, VmInstance>();
  private readonly broken = new Map<string, BrokenVm>();
  private readonly listeners = new Set<(evt: EngineEvent) => void>();
  private readonly jobs: JobManager;
  private seq = 0;
  private statsTimer: NodeJS.Timeout | null = null;
  private readonly cpuSamples = new Map<string, { ticks: number; at: number }>();
  private closed = false;
  private readonly log: (msg: string) => void;
  private readonly vmHost: VmHost;
  private readonly handlers = new Map<MethodName, MethodHandler<never>>();
  private readonly closeHooks: (() => Promise<void> | void)[] = [];
  /** What feature modules see of the engine. */
  readonly context: EngineContext;

  constructor(
    readonly dataDir: string,
    private host: HostInfo,
    private readonly releaseLock: () => Promise<void>,
    private readonly opts: EngineOptions,
  ) {
    this.log = opts.log ?? (() => undefined);
    this.jobs = new JobManager((job) => this.onJob(job));
    const binary = host.qemu.binary;
    this.vmHost = {
      qemuBinary: () => {
        if (!binary) throw new ViridianError('QEMU_MISSING', 'QEMU (qemu-system-x86_64) is not installed.', 'Install it: sudo apt-get install qemu-system-x86 qemu-utils (Debian/Ubuntu). Then run viridian doctor.');
        return binary;
      },
      accelerator: () => this.host.accelerator.kind,
      sandbox: process.platform === 'linux',
      changed: (vm) => this.emit('vm.upsert', { vm: vm.summary() }),
      log: this.log,
      networks: (config) => networksFor(this.context).backends(config),
    };
    this.context = {
      dataDir,
      host: () => this.host,
      vms: () => this.vms.values(),
      getVm: (ref) => this.getVm(ref),
      addVm: (vm) => {
        this.vms.set(vm.id, vm);
        this.emit('vm.upsert', { vm: vm.summary() });
      },
      removeVm: (id) => {
        if (this.vms.delete(id)) this.emit('vm.removed', { id });
      },
      nameTaken: (name, exceptId) => this.nameTaken(name, exceptId),
      jobs: this.jobs,
      vmHost: this.vmHost,
      confine: (path) => this.confine(path),
      emit: (e, p) => this.emit(e, p),
      log: this.log,
      onClose: (cb) => this.closeHooks.push(cb),
    };
  }

  /** Registers a feature's method (see features.ts). */
  handle<M extends MethodName>(method: M, handler: MethodHandler<M>): void {
    if (this.handlers.has(method)) throw new Error(`method ${method} registered twice`);
    this.handlers.set(method, handler as MethodHandler<never>);
  }

  get hostInfo(): HostInfo {
    return this.host;
  }

  // ------------------------------------------------------------ loading

  async load(): Promise<void> {
    const vmsDir = join(this.dataDir, 'vms');
    const entries = await readdir(vmsDir, { withFileTypes: true });
    await Promise.all(
      entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map(async (e) => {
          const folder = join(vmsDir, e.name);
          if (!existsSync(join(folder, VM_FILE))) return;
          let config: VmConfig;
          try {
            config = migrateConfig(await readJsonFile(join(folder, VM_FILE)));
          } catch (err) {
            const why = err instanceof ViridianError ? err.message : summarizeZod(err);
            this.broken.set(e.name, {
              id: e.name,
              folder,
              reason: `The configuration file ${join(folder, VM_FILE)} could not be read: ${why} The file was kept as it is; fix or restore it, then restart the engine.`,
            });
            return;
          }
          let runtime = VmInstance.runtimeOff();
          try {
            runtime = RuntimeFileSchema.parse(await readJsonFile(join(folder, RUNTIME_FILE)));
          } catch {
            /* no or unreadable runtime file: the VM is Off unless a saved state says otherwise */
          }
          const vm = new VmInstance(folder, config, runtime, this.vmHost);
          this.vms.set(config.id, vm);
          await vm.adopt().catch((err: unknown) => this.log(`adopt ${config.name}: ${String(err)}`));
        }),
    );
    // One sample now, so uptime and memory are there for the first answer (a one-shot CLI engine).
    this.sampleStats();
    this.statsTimer = setInterval(() => this.sampleStats(), this.opts.statsIntervalMs ?? 1000);
    this.statsTimer.unref();
  }

  // ------------------------------------------------------------ events

  onEvent(cb: (evt: EngineEvent) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private emit<E extends EventName>(e: E, p: EventPayload<E>): void {
    if (this.closed) return;
    const evt: EngineEvent = { e, p, seq: ++this.seq };
    for (const l of this.listeners) l(evt);
  }

  private onJob(job: Job): void {
    const vm = job.vmId ? this.vms.get(job.vmId) : undefined;
    if (vm) {
      const running = job.state === 'running';
      const op = running ? { jobId: job.id, label: job.label, percent: job.percent } : null;
      const same = vm.operation?.jobId === op?.jobId && vm.operation?.percent === op?.percent;
      if (!same && (running || vm.operation?.jobId === job.id)) {
        vm.operation = op;
        this.emit('vm.upsert', { vm: vm.summary() });
      }
    }
    this.emit('job.upsert', { job: structuredClone(job) });
  }

  private sampleStats(): void {
    const items: { id: string; stats: NonNullable<VmSummary['stats']> }[] = [];
    const now = Date.now();
    const ticksPerSec = 100; // USER_HZ on Linux
    const ncpu = Math.max(1, hostCpus().length);
    for (const vm of this.vms.values()) {
      const pid = vm.pid;
      if (pid === null) {
        this.cpuSamples.delete(vm.id);
        continue;
      }
      const ticks = cpuTicks(pid);
      const prev = this.cpuSamples.get(vm.id);
      let cpuPercent = 0;
      if (ticks !== null && prev) {
        const dt = (now - prev.at) / 1000;
        if (dt > 0) cpuPercent = Math.min(100, Math.max(0, ((ticks - prev.ticks) / ticksPerSec / dt / ncpu) * 100));
      }
      if (ticks !== null) this.cpuSamples.set(vm.id, { ticks, at: now });
      const started = vm.startedAt ? Date.parse(vm.startedAt) : now;
      vm.stats = { cpuPercent: Math.round(cpuPercent * 10) / 10, memoryMiB: vm.config.memoryMiB, uptimeSec: Math.max(0, Math.round((now - started) / 1000)) };
      items.push({ id: vm.id, stats: vm.stats });
    }
    if (items.length) this.emit('vm.stats', { items });
  }

  // ------------------------------------------------------------ service

  async invoke<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
    if (this.closed) throw new ViridianError('INTERNAL', 'The engine is shutting down.');
    const parsed = METHODS[method].params.safeParse(params ?? {});
    if (!parsed.success) {
      throw new ViridianError('INVALID_INPUT', `Invalid ${method} request: ${issuesSentence(parsed.error.issues).replace(/\.$/, '')}.`, 'Correct the value and try again.');
    }
    return (await this.route(method, parsed.data as never)) as MethodResult<M>;
  }

  private async route(method: MethodName, p: never): Promise<unknown> {
    const handler = this.handlers.get(method);
    if (handler) return handler(p);
    switch (method) {
      case 'host.info':
        return this.host;
      case 'session.subscribe':
        return { seq: this.seq, host: this.host, vms: this.listSummaries(), jobs: this.jobs.list() };
      case 'vm.list':
        return this.listSummaries();
      case 'vm.get':
        return this.getVm((p as MethodParsedParams<'vm.get'>).vm).detail();
      case 'vm.create':
        return this.createVm(p as MethodParsedParams<'vm.create'>);
      case 'vm.update':
        return this.updateVm(p as MethodParsedParams<'vm.update'>);
      case 'vm.action':
        return this.action(p as MethodParsedParams<'vm.action'>);
      case 'vm.rename':
        return this.rename(p as MethodParsedParams<'vm.rename'>);
      case 'vm.delete':
        return this.deleteVm(p as MethodParsedParams<'vm.delete'>);
      case 'disk.create':
        return this.createDiskJob(p as MethodParsedParams<'disk.create'>);
      case 'disk.inspect':
        return inspectDisk(await this.confine((p as MethodParsedParams<'disk.inspect'>).path));
      case 'job.list':
        return this.jobs.list();
      case 'job.get':
        return this.jobs.get((p as MethodParsedParams<'job.get'>).id);
      case 'job.wait': {
        const { id, timeoutMs } = p as MethodParsedParams<'job.wait'>;
        return this.jobs.wait(id, timeoutMs);
      }
      case 'job.cancel':
        return this.jobs.cancel((p as MethodParsedParams<'job.cancel'>).id);
      default:
        throw new ViridianError('UNSUPPORTED', `This engine does not offer ${method} yet.`, 'Update the host to the console’s version.');
    }
  }

  listSummaries(): VmSummary[] {
    const out = [...this.vms.values()].map((v) => v.summary());
    for (const b of this.broken.values()) out.push(brokenSummary(b));
    return out;
  }

  /** By id, else by name (case-insensitive). */
  getVm(ref: string): VmInstance {
    const byId = this.vms.get(ref);
    if (byId) return byId;
    const lower = ref.toLowerCase();
    for (const vm of this.vms.values()) if (vm.name.toLowerCase() === lower) return vm;
    const broken = this.broken.get(ref);
    if (broken) throw new ViridianError('CONFIG_CORRUPT', broken.reason);
    throw new ViridianError('NOT_FOUND', `There is no virtual machine named "${ref}".`, 'Run `viridian vm list` to see the names.');
  }

  nameTaken(name: string, exceptId?: string): boolean {
    const lower = name.toLowerCase();
    for (const vm of this.vms.values()) if (vm.id !== exceptId && vm.name.toLowerCase() === lower) return true;
    return false;
  }

  private checkMemory(memoryMiB: number): void {
    if (memoryMiB > this.host.maxVmMemoryMiB) {
      throw new ViridianError(
        'INSUFFICIENT_MEMORY',
        `${memoryMiB} MiB is more memory than this host can give a VM (at most ${this.host.maxVmMemoryMiB} MiB of ${Math.round(totalmem() / 1024 ** 2)} MiB).`,
        `Choose ${this.host.maxVmMemoryMiB} MiB or less.`,
      );
    }
  }

  async confine(path: string): Promise<string> {
    return confinePath(path, this.host.storageRoots);
  }

  /** Refuses a disk another VM already uses (its config names the same real file). */
  private async checkDiskFree(path: string, exceptId?: string): Promise<void> {
    const real = await realpath(path).catch(() => path);
    for (const vm of this.vms.values()) {
      if (vm.id === exceptId) continue;
      for (const d of vmDisks(vm.config)) {
        const other = await realpath(d.path).catch(() => d.path);
        if (other === real) {
          throw new ViridianError('DISK_IN_USE', `The disk ${path} is already attached to "${vm.name}".`, 'Detach it there first, or create a differencing disk on top of it.');
        }
      }
    }
  }

  private async attachment(path: string, exceptId?: string): Promise<DiskAttachment> {
    const confined = await this.confine(path);
    const info = await inspectDisk(confined);
    if (info.format === 'raw' && /\.iso$/i.test(confined)) {
      throw new ViridianError('INVALID_INPUT', `${confined} is a CD/DVD image, not a hard disk.`, 'Attach it as a DVD drive instead (--iso).');
    }
    if (!info.intact) {
      const missing = info.chain.find((l) => !l.exists)?.path ?? 'a parent disk';
      throw new ViridianError('NOT_FOUND', `The disk ${confined} depends on ${missing}, which is missing.`, 'Reconnect the parent (Edit Disk ▸ Reconnect) or restore the file.');
    }
    await this.checkDiskFree(confined, exceptId);
    return { kind: 'disk', path: confined, format: info.format, type: info.type, virtualSize: info.virtualSize, readOnly: false };
  }

  // ------------------------------------------------------------ create / update

  private async createVm(p: MethodParsedParams<'vm.create'>) {
    if (this.nameTaken(p.name)) {
      throw new ViridianError('NAME_TAKEN', `A virtual machine named "${p.name}" already exists.`, 'Choose another name.');
    }
    this.checkMemory(p.memoryMiB);
    const id = randomUUID();
    const folder = join(this.dataDir, 'vms', id);
    // Check every path before anything is created.
    const iso = p.iso ? await this.confine(p.iso) : null;
    const floppy = p.floppy ? await this.confine(p.floppy) : null;
    const kernel = p.kernel
      ? { path: await this.confine(p.kernel.path), initrd: p.kernel.initrd ? await this.confine(p.kernel.initrd) : null, append: p.kernel.append }
      : null;
    for (const f of [iso, floppy, kernel?.path, kernel?.initrd]) {
      if (f && !existsSync(f)) throw new ViridianError('NOT_FOUND', `The file ${f} does not exist.`, 'Check the path.');
    }
    let existing: DiskAttachment | null = null;
    if (p.disk.kind === 'existing') existing = await this.attachment(p.disk.path);
    let newDiskPath: string | null = null;
    if (p.disk.kind === 'new') {
      const ext = p.disk.format === 'qcow2' ? 'qcow2' : p.disk.format;
      newDiskPath = p.disk.path ? await this.confine(p.disk.path) : join(folder, `${p.name}.${ext}`);
      if (existsSync(newDiskPath)) throw new ViridianError('INVALID_INPUT', `${newDiskPath} already exists.`, 'Choose another file name, or use the existing disk.');
    }

    // Network names become ids; MACs come from the host's pool (networks-store.ts).
    const network: NetworkAdapter[] = await networksFor(this.context).normalizeAdapters(
      id,
      [],
      p.network.map((n, i) => ({ id: `nic${i}`, kind: n.kind, network: n.network, macMode: 'dynamic', mac: '00:00:00:00:00:00', vlanId: null })),
    );

    await mkdir(folder, { recursive: true });
    try {
      let disk: DiskAttachment | null = existing;
      if (p.disk.kind === 'new' && newDiskPath) {
        const info = await createDisk({ path: newDiskPath, format: p.disk.format, type: p.disk.type, sizeBytes: p.disk.sizeBytes });
        disk = { kind: 'disk', path: info.path, format: info.format, type: info.type, virtualSize: info.virtualSize, readOnly: false };
      }
      const onScsi = p.disk.kind !== 'none' && p.disk.bus === 'scsi';
      const bootOrder = ((): VmConfig['bios']['bootOrder'] => {
        const first = { disk: 'ide', cd: 'cd', net: 'net', floppy: 'floppy' } as const;
        const rest = (['cd', 'ide', 'net', 'floppy'] as const).filter((d) => d !== first[p.bootFrom]);
        return [first[p.bootFrom], ...rest];
      })();
      const config: VmConfig = migrateConfig({
        schemaVersion: CONFIG_SCHEMA_VERSION,
        id,
        name: p.name,
        arch: p.arch,
        memoryMiB: p.memoryMiB,
        processor: { count: p.cpus },
        bios: { bootOrder },
        ide: [
          [disk && !onScsi ? disk : null, null],
          [{ kind: 'dvd', path: iso }, null],
        ],
        scsi: disk && onScsi ? [{ ...disk, lun: 0 }] : [],
        floppy,
        network,
        notes: p.notes,
        integration: {},
        automaticStart: {},
        automaticStop: {},
        kernel,
        guestOs: p.guestOs,
        createdAt: new Date().toISOString(),
      });
      await writeJsonAtomic(join(folder, RUNTIME_FILE), VmInstance.runtimeOff());
      await writeJsonAtomic(join(folder, VM_FILE), config);
      const vm = new VmInstance(folder, config, VmInstance.runtimeOff(), this.vmHost);
      this.vms.set(id, vm);
      this.emit('vm.upsert', { vm: vm.summary() });
      if (p.start) this.action({ vm: id, action: 'start' });
      return vm.detail();
    } catch (err) {
      await rm(folder, { recursive: true, force: true });
      throw err;
    }
  }

  private async updateVm(p: MethodParsedParams<'vm.update'>) {
    const vm = this.getVm(p.vm);
    const changes = p.changes;
    const keys = Object.keys(changes) as (keyof typeof changes)[];
    const changedOffOnly = keys.filter((k) => (OFF_ONLY_KEYS as readonly string[]).includes(k) && JSON.stringify(changes[k]) !== JSON.stringify(vm.config[k as keyof VmConfig]));
    // SCSI disks of a running VM change by hot-plug (disks.ts); everything else off-only waits for Off.
    const liveScsi = (vm.state === 'Running' || vm.state === 'Paused') && changedOffOnly.includes('scsi');
    const offOnly = liveScsi ? changedOffOnly.filter((k) => k !== 'scsi') : changedOffOnly;
    if (offOnly.length && vm.state !== 'Off' && vm.state !== 'Critical') {
      throw new ViridianError(
        'INVALID_STATE',
        `These settings can be changed only when "${vm.name}" is turned off: ${offOnly.join(', ')}.`,
        vm.state === 'Saved' ? 'Start and shut down the VM, or delete its saved state, then change them.' : 'Shut down the VM, then change them.',
      );
    }
    if (vm.busy) throw new ViridianError('BUSY', `"${vm.name}" is ${vm.state.toLowerCase()}; try again when it finishes.`);
    if (changes.name !== undefined && this.nameTaken(changes.name, vm.id)) {
      throw new ViridianError('NAME_TAKEN', `A virtual machine named "${changes.name}" already exists.`, 'Choose another name.');
    }
    if (changes.memoryMiB !== undefined) this.checkMemory(changes.memoryMiB);
    if (liveScsi && changes.scsi) {
      await applyScsiLive(this.context, vm, changes.scsi);
      delete changes.scsi;
    }
    const next = { ...vm.config, ...changes } as VmConfig;
    // Disks named anew are confined and inspected; the client cannot know their format.
    const known = new Map(vmDisks(vm.config).map((d) => [d.path, d]));
    const normalize = async (d: DiskAttachment): Promise<DiskAttachment> => known.get(d.path) ?? { ...(await this.attachment(d.path, vm.id)), readOnly: d.readOnly };
    if (changes.ide) {
      next.ide = (await Promise.all(
        next.ide.map(async (ctrl) =>
          Promise.all(
            ctrl.map(async (slot) => {
              if (!slot) return null;
              if (slot.kind === 'disk') return normalize(slot);
              return { kind: 'dvd' as const, path: slot.path ? await this.confine(slot.path) : null };
            }),
          ),
        ),
      )) as VmConfig['ide'];
    }
    if (changes.scsi) next.scsi = await Promise.all(next.scsi.map(async (d) => ({ ...(await normalize(d)), lun: d.lun })));
    if (changes.floppy) next.floppy = await this.confine(changes.floppy);
    if (changes.kernel) {
      next.kernel = { ...changes.kernel, path: await this.confine(changes.kernel.path), initrd: changes.kernel.initrd ? await this.confine(changes.kernel.initrd) : null };
    }
    // Networks resolved to ids; MACs unique on the host, dynamic ones from the pool (networks-store.ts).
    if (changes.network) next.network = await networksFor(this.context).normalizeAdapters(vm.id, vm.config.network, next.network);
    const parsed = migrateConfig(next);
    await vm.saveConfig(parsed);
    return vm.detail();
  }

  private async rename(p: MethodParsedParams<'vm.rename'>) {
    const vm = this.getVm(p.vm);
    this.requireAllowed(vm, 'rename');
    if (this.nameTaken(p.name, vm.id)) throw new ViridianError('NAME_TAKEN', `A virtual machine named "${p.name}" already exists.`, 'Choose another name.');
    await vm.saveConfig({ ...vm.config, name: p.name });
    return vm.summary();
  }

  private async deleteVm(p: MethodParsedParams<'vm.delete'>) {
    const broken = this.broken.get(p.vm);
    if (broken) {
      const files = await listFiles(broken.folder);
      if (p.confirm) {
        await rm(broken.folder, { recursive: true, force: true });
        this.broken.delete(broken.id);
        this.emit('vm.removed', { id: broken.id });
      }
      return { deleted: p.confirm, files, kept: [] };
    }
    const vm = this.getVm(p.vm);
    this.requireAllowed(vm, 'delete');
    const files = await listFiles(vm.folder);
    const inside = vm.folder + sep;
    const kept = vmDisks(vm.config)
      .map((d) => d.path)
      .filter((d) => !d.startsWith(inside));
    if (!p.confirm) return { deleted: false, files, kept };
    if (vm.processAlive) throw new ViridianError('INVALID_STATE', `"${vm.name}" still has a running process.`, 'Turn it off first.');
    vm.release();
    await rm(vm.folder, { recursive: true, force: true });
    this.vms.delete(vm.id);
    this.emit('vm.removed', { id: vm.id });
    return { deleted: true, files, kept };
  }

  // ------------------------------------------------------------ actions

  private requireAllowed(vm: VmInstance, action: Parameters<typeof isActionAllowed>[1]): void {
    if (!isActionAllowed(vm.state, action)) {
      const label = ACTION_LABELS[action].replace('…', '');
      throw new ViridianError(
        'INVALID_STATE',
        `Cannot ${label.toLowerCase()} "${vm.name}" while it is ${vm.state}.`,
        vm.busy ? 'Wait for the current operation to finish.' : `Actions available now: ${actionsText(vm)}.`,
      );
    }
  }

  private action(p: MethodParsedParams<'vm.action'>): Job {
    const vm = this.getVm(p.vm);
    this.requireAllowed(vm, p.action);
    if ((p.action === 'save') && migrationBlocker(vm.config)) {
      throw new ViridianError('DISK_BLOCKS_ACTION', migrationBlocker(vm.config) ?? '', 'Convert the disk to qcow2 or to a fixed VHD (Edit Disk ▸ Convert); Save then becomes available.');
    }
    if (p.action === 'start') this.checkMemory(vm.config.memoryMiB);
    // Turn Off wins over whatever is in flight (a stuck Start or Shut Down).
    if (p.action === 'turnOff' && vm.operation) this.jobs.abort(vm.operation.jobId);
    const timeoutSec = p.timeoutSec ?? DEFAULT_SHUTDOWN_TIMEOUT_SEC;
    const work: Record<SimpleVmAction, (ctx: Parameters<VmInstance['start']>[0]) => Promise<void>> = {
      start: (ctx) => vm.start(ctx),
      turnOff: () => vm.turnOff(),
      shutDown: (ctx) => vm.shutDown(ctx, timeoutSec),
      save: (ctx) => vm.save(ctx),
      pause: () => vm.pause(),
      resume: () => vm.resume(),
      reset: () => vm.reset(),
      deleteSavedState: () => vm.deleteSavedState(),
    };
    const cliVerb: Record<SimpleVmAction, string> = {
      start: 'start',
      turnOff: 'stop',
      shutDown: 'shutdown',
      save: 'save',
      pause: 'pause',
      resume: 'resume',
      reset: 'reset',
      deleteSavedState: 'delete-saved-state',
    };
    const labels: Record<SimpleVmAction, string> = {
      start: vm.state === 'Saved' ? 'Restore virtual machine' : 'Start virtual machine',
      turnOff: 'Turn off virtual machine',
      shutDown: 'Shut down virtual machine',
      save: 'Save virtual machine',
      pause: 'Pause virtual machine',
      resume: 'Resume virtual machine',
      reset: 'Reset virtual machine',
      deleteSavedState: 'Delete saved state',
    };
    const { job } = this.jobs.start(
      {
        kind: `vm.${p.action}`,
        label: labels[p.action],
        vmId: vm.id,
        vmName: vm.name,
        cli: cliLine('vm', cliVerb[p.action], vm.name),
        cancellable: p.action === 'save' || p.action === 'shutDown' || p.action === 'start',
      },
      (ctx) => work[p.action](ctx),
    );
    return job;
  }

  private createDiskJob(p: MethodParsedParams<'disk.create'>): Job {
    // A differencing disk has its own command (disk create has no --parent).
    const args = p.type === 'differencing' && p.parent ? ['disk', 'differencing', p.path, '--parent', p.parent] : ['disk', 'create', p.path];
    if (p.type !== 'differencing') {
      if (p.sizeBytes !== undefined) args.push('--size', String(p.sizeBytes));
      args.push('--format', p.format, '--type', p.type);
    }
    const { job } = this.jobs.start(
      { kind: 'disk.create', label: `Create ${p.type} ${p.format.toUpperCase()} disk`, cli: cliLine(...args), cancellable: true },
      async (ctx) => {
        const path = await this.confine(p.path);
        const parent = p.parent ? await this.confine(p.parent) : undefined;
        return createDisk(
          { path, format: p.format, type: p.type, sizeBytes: p.sizeBytes, parent },
          { signal: ctx.signal, onProgress: (pct) => ctx.progress(pct, 'Writing') },
        );
      },
    );
    return job;
  }

  /** Waits for a job to end (tests, CLI in-process). */
  waitJob(id: string, timeoutMs = 600_000): Promise<Job> {
    return this.jobs.wait(id, timeoutMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.statsTimer) clearInterval(this.statsTimer);
    for (const hook of this.closeHooks) await Promise.resolve(hook()).catch((err: unknown) => this.log(`close hook: ${String(err)}`));
    for (const vm of this.vms.values()) vm.release();
    this.listeners.clear();
    await this.releaseLock();
  }

  /** QEMU binary this engine uses (bench compares against it by hand). */
  static async qemuBinary(): Promise<string | null> {
    return findQemuSystem();
  }
}

function actionsText(vm: VmInstance): string {
  return (['start', 'turnOff', 'shutDown', 'save', 'pause', 'resume', 'reset'] as const)
    .filter((a) => isActionAllowed(vm.state, a))
    .map((a) => ACTION_LABELS[a].replace('…', ''))
    .join(', ') || 'none';
}

function brokenSummary(b: BrokenVm): VmSummary {
  return {
    id: b.id,
    name: `(unreadable) ${b.id}`,
    status: { state: 'Critical', reason: b.reason, since: new Date(0).toISOString() },
    memoryMiB: 0,
    cpus: 0,
    stats: null,
    operation: null,
    migrationBlocker: null,
    hasSavedState: false,
    notes: '',
  };
}

function summarizeZod(err: unknown): string {
  const issues = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
  if (!issues) return String(err);
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ') + '.';
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(p);
    }
  };
  await walk(dir);
  return out.sort();
}

