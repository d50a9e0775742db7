import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AnyEvent, HostInfo, Job, Snapshot, VmSummary } from '../../../core/contract';
import { insertSorted, removeSorted, sortAllByName } from './sorted-ids';

/** Terminal jobs kept for the Status column and the job list; older ones drop off. */
const KEEP_FINISHED_JOBS = 200;
/** Above this many new VMs in one batch a full sort beats binary inserts. */
const RESORT_THRESHOLD = 64;

export interface ConsoleData {
  host: HostInfo | null;
  /**
   * Every VM by id. Mutated in place for speed (10,000 VMs, stats every
   * second); each changed VM is a new object, and `vmsVersion` bumps, so
   * select single VMs (`vms.get(id)`) or the version, never the Map itself.
   */
  vms: Map<string, VmSummary>;
  vmsVersion: number;
  /** Bumps when numbers changed (CPU, memory, uptime): sorts by those columns follow it. */
  statsVersion: number;
  /** Bumps when a VM came, went or changed other than its numbers (state counts, state sort). */
  statesVersion: number;
  /** Ids sorted by name, updated incrementally; a new array whenever it changes. */
  sortedIds: readonly string[];
  jobs: ReadonlyMap<string, Job>;
  /** Running job per VM id, for the Status column. */
  jobByVm: ReadonlyMap<string, Job>;
  /**
   * VM id → seq of the last event after which its snapshot tree may differ:
   * `snapshot.changed`, or one of its jobs ending. Views of the tree re-read
   * when their VM's entry changes; unlike `jobByVm` or the VM's state, it
   * changes even for a job that starts and ends within one batch. Empty after
   * a snapshot (`generation` bumps then: re-read everything).
   */
  snapshotChanges: ReadonlyMap<string, number>;
  /** seq of the last snapshot or event applied. */
  seq: number;
  /** True once a snapshot has arrived. */
  loaded: boolean;
  /** Counts snapshots: changes between two of the same generation came from events. */
  generation: number;
}

export type ConsoleStore = StoreApi<ConsoleData>;

export function emptyConsoleData(): ConsoleData {
  return {
    host: null,
    vms: new Map(),
    vmsVersion: 0,
    statsVersion: 0,
    statesVersion: 0,
    sortedIds: [],
    jobs: new Map(),
    jobByVm: new Map(),
    snapshotChanges: new Map(),
    seq: 0,
    loaded: false,
    generation: 0,
  };
}

export function createConsoleStore(): ConsoleStore {
  return createStore<ConsoleData>()(() => emptyConsoleData());
}

function indexJobs(jobs: ReadonlyMap<string, Job>): Map<string, Job> {
  const byVm = new Map<string, Job>();
  for (const job of jobs.values()) if (job.vmId !== null && job.state === 'running') byVm.set(job.vmId, job);
  return byVm;
}

function pruneJobs(jobs: Map<string, Job>): void {
  let finished = 0;
  for (const j of jobs.values()) if (j.state !== 'running') finished++;
  if (finished <= KEEP_FINISHED_JOBS) return;
  // Map iteration is insertion order: the oldest finished jobs go first.
  for (const [id, j] of jobs) {
    if (finished <= KEEP_FINISHED_JOBS) break;
    if (j.state !== 'running') {
      jobs.delete(id);
      finished--;
    }
  }
}

export function loadSnapshot(store: ConsoleStore, snap: Snapshot): void {
  const vms = new Map(snap.vms.map((v) => [v.id, v] as const));
  const jobs = new Map(snap.jobs.map((j) => [j.id, j] as const));
  const prev = store.getState();
  store.setState({
    host: snap.host,
    vms,
    vmsVersion: prev.vmsVersion + 1,
    statsVersion: prev.statsVersion + 1,
    statesVersion: prev.statesVersion + 1,
    sortedIds: sortAllByName(vms),
    jobs,
    jobByVm: indexJobs(jobs),
    snapshotChanges: new Map(),
    seq: snap.seq,
    loaded: true,
    generation: prev.generation + 1,
  });
}

/**
 * Applies a batch of ordered events in one store update. Exported so the
 * simulated-fleet bench (and tests) can feed the store directly.
 */
export function applyEvents(store: ConsoleStore, events: readonly AnyEvent[]): void {
  if (events.length === 0) return;
  const s = store.getState();
  const vms = s.vms;
  let ids: string[] | null = null; // copied on first change so React sees a new array
  const pendingIds = new Set<string>(); // new VMs, inserted into the id list once at the end
  let vmsChanged = false;
  let statsChanged = false;
  let jobs: Map<string, Job> | null = null;
  let snapshotChanges: Map<string, number> | null = null; // copied on first change
  let host = s.host;
  let seq = s.seq;

  const mutableIds = (): string[] => (ids ??= [...s.sortedIds]);
  const mutableSnapshotChanges = (): Map<string, number> => (snapshotChanges ??= new Map(s.snapshotChanges));

  for (const evt of events) {
    seq = Math.max(seq, evt.seq);
    switch (evt.e) {
      case 'vm.upsert': {
        const vm = evt.p.vm;
        const before = vms.get(vm.id);
        vms.set(vm.id, vm);
        vmsChanged = true;
        if (before === undefined) pendingIds.add(vm.id);
        else if (before.name !== vm.name && !pendingIds.has(vm.id)) {
          const list = mutableIds();
          removeSorted(list, vms, before);
          insertSorted(list, vms, vm);
        }
        break;
      }
      case 'vm.removed': {
        const before = vms.get(evt.p.id);
        if (before === undefined) break;
        // A VM added and removed within one batch is not in the id list yet.
        if (!pendingIds.delete(before.id)) removeSorted(mutableIds(), vms, before);
        vms.delete(before.id);
        vmsChanged = true;
        if ((snapshotChanges ?? s.snapshotChanges).has(before.id)) mutableSnapshotChanges().delete(before.id);
        break;
      }
      case 'vm.stats': {
        for (const item of evt.p.items) {
          const vm = vms.get(item.id);
          if (vm === undefined) continue;
          vms.set(item.id, { ...vm, stats: item.stats });
          statsChanged = true;
        }
        break;
      }
      case 'job.upsert': {
        jobs ??= new Map(s.jobs);
        jobs.delete(evt.p.job.id); // re-insert so the Map stays in update order for pruning
        jobs.set(evt.p.job.id, evt.p.job);
        // Any job may have touched the VM's snapshots (take, apply, delete…); its end is when they settled.
        if (evt.p.job.vmId !== null && evt.p.job.state !== 'running') mutableSnapshotChanges().set(evt.p.job.vmId, evt.seq);
        break;
      }
      case 'snapshot.changed':
        mutableSnapshotChanges().set(evt.p.vmId, evt.seq);
        break;
      case 'host.changed':
        host = evt.p.host;
        break;
    }
  }

  if (pendingIds.size > 0) {
    const fresh = [...pendingIds].map((id) => vms.get(id)).filter((v): v is VmSummary => v !== undefined);
    if (fresh.length > RESORT_THRESHOLD) ids = sortAllByName(vms);
    else {
      const list = mutableIds();
      for (const vm of fresh) insertSorted(list, vms, vm);
    }
  }

  const next: Partial<ConsoleData> = { seq, host };
  if (vmsChanged || statsChanged) next.vmsVersion = s.vmsVersion + 1;
  if (statsChanged) next.statsVersion = s.statsVersion + 1;
  if (vmsChanged) next.statesVersion = s.statesVersion + 1;
  if (ids !== null) next.sortedIds = ids;
  if (jobs !== null) {
    pruneJobs(jobs);
    next.jobs = jobs;
    next.jobByVm = indexJobs(jobs);
  }
  if (snapshotChanges !== null) next.snapshotChanges = snapshotChanges;
  store.setState(next);
}
