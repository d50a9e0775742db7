import type { EventName, EventPayload, HostInfo, MethodName, MethodParsedParams, MethodResult } from '../contract';
import type { JobManager } from './jobs';
import type { VmHost, VmInstance } from './vm-instance';

/**
 * What a feature module (disks, networks, snapshots, consoles, transfer,
 * migration) may use of the engine. Features live in their own files and
 * register their methods; engine.ts stays the core lifecycle.
 */
export interface EngineContext {
  readonly dataDir: string;
  host(): HostInfo;
  vms(): IterableIterator<VmInstance>;
  /** By id, else by name (case-insensitive); NOT_FOUND / CONFIG_CORRUPT otherwise. */
  getVm(ref: string): VmInstance;
  /** Adds a VM created by a feature (import, incoming migration). */
  addVm(vm: VmInstance): void;
  /** Forgets a VM (its folder is the caller's business). */
  removeVm(id: string): void;
  nameTaken(name: string, exceptId?: string): boolean;
  readonly jobs: JobManager;
  readonly vmHost: VmHost;
  /** Confines a client-given path to the storage roots (PATH_OUTSIDE_ROOTS otherwise). */
  confine(path: string): Promise<string>;
  emit<E extends EventName>(e: E, p: EventPayload<E>): void;
  log(msg: string): void;
  /** Called when the engine closes (stop timers, servers). */
  onClose(cb: () => Promise<void> | void): void;
}

export type MethodHandler<M extends MethodName> = (params: MethodParsedParams<M>) => Promise<MethodResult<M>> | MethodResult<M>;

export interface MethodRegistrar {
  handle<M extends MethodName>(method: M, handler: MethodHandler<M>): void;
}

/** A feature: installs its handlers; may keep state in its closure. */
export type EngineFeature = (ctx: EngineContext, methods: MethodRegistrar) => void | Promise<void>;
