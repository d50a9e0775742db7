// Snapshots (Hyper-V's checkpoints): external qcow2 overlays plus a memory
// state per snapshot, a tree in <vm>/snapshots/tree.json, "Now" under the
// snapshot the VM came from. Deleting merges disk data (live while the VM runs).
//
// Invariants: the VM's config always names the images it runs on (the active
// overlays), so Start needs nothing special; every image is owned by one
// snapshot record or by "Now"; a snapshot's image is never written again.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import { join, sep } from 'node:path';
import {
  ViridianError,
  isActionAllowed,
  migrateConfig,
  migrationBlocker,
  type DiskAttachment,
  type SnapshotInfo,
  type VmConfig,
  type VmState,
} from '../contract';
import { sleep } from '../qemu/qmp';
import { cliLine } from './cli-text';
import type { EngineContext, EngineFeature } from './context';
import type { JobContext } from './jobs';
import { SAVED_DIR, SAVED_STATE } from './runtime';
import { backingFormat, backingString, commitIntoBacking, createOverlay, overlayAttachment, readBackingFile, rebaseUnsafe } from './snapshots-disks';
import { liveCheckpoint, liveCommit, runningChains } from './snapshots-live';
import {
  SNAPSHOT_DIR,
  defaultSnapshotName,
  descendantsPostOrder,
  diskSlots,
  readTree,
  snapshotInfo,
  treeView,
  withDisk,
  writeTree,
  type SnapshotRecord,
  type TreeFile,
} from './snapshots-tree';
import { isCompleteStateFile, type VmInstance } from './vm-instance';

const SNAPSHOT_STATES: readonly VmState[] = ['Running', 'Paused', 'Off', 'Saved'];

export const snapshotsFeature: EngineFeature = (ctx, methods) => {
  /** VMs with a snapshot operation in flight: one at a time per VM. */
  const busy = new Set<string>();

  const claim = (vm: VmInstance, what: string): void => {
    if (busy.has(vm.id)) throw new ViridianError('BUSY', `"${vm.name}" is busy with another snapshot operation.`, `Wait for it to finish, then ${what} again.`);
  };

  const runJob = <T>(vm: VmInstance, opts: { kind: string; label: string; cli: string }, work: (j: JobContext) => Promise<T>) => {
    busy.add(vm.id);
    const { job } = ctx.jobs.start({ ...opts, vmId: vm.id, vmName: vm.name, cancellable: false }, async (j) => {
      try {
        return await work(j);
      } finally {
        busy.delete(vm.id);
        ctx.emit('snapshot.changed', { vmId: vm.id });
      }
    });
    return job;
  };

  // An engine that stopped between a live disk switch and the config write left QEMU on the new overlay.
  for (const vm of ctx.vms()) void reconcileRunning(ctx, vm);

  methods.handle('snapshot.list', async ({ vm: ref }) => {
    const vm = ctx.getVm(ref);
    return treeView(await readTree(vm.folder), vm.id, vm.name);
  });

  methods.handle('snapshot.create', async ({ vm: ref, name }) => {
    const vm = ctx.getVm(ref);
    requireSnapshotState(vm, 'snapshot');
    const blocker = migrationBlocker(vm.config);
    if (blocker) throw new ViridianError('DISK_BLOCKS_ACTION', blocker, 'Convert the disk to qcow2 or a fixed VHD (Edit Disk ▸ Convert); snapshots then become available.');
    claim(vm, 'take the snapshot');
    await readTree(vm.folder); // a corrupt tree is reported before anything changes
    const snapName = name ?? defaultSnapshotName(vm.name, new Date());
    return runJob(vm, { kind: 'snapshot.create', label: 'Take snapshot', cli: cliLine('snapshot', 'create', vm.name, '--name', snapName) }, (j) => takeSnapshot(ctx, vm, snapName, j));
  });

  methods.handle('snapshot.apply', async ({ vm: ref, snapshot }) => {
    const vm = ctx.getVm(ref);
    requireSnapshotState(vm, 'revert');
    claim(vm, 'apply the snapshot');
    const rec = findRecord(await readTree(vm.folder), snapshot, vm.name);
    return runJob(vm, { kind: 'snapshot.apply', label: `Apply snapshot "${rec.name}"`, cli: cliLine('snapshot', 'apply', vm.name, rec.id) }, (j) => applySnapshot(vm, rec.id, j));
  });

  methods.handle('snapshot.rename', async ({ vm: ref, snapshot, name }) => {
    const vm = ctx.getVm(ref);
    claim(vm, 'rename the snapshot');
    const tree = await readTree(vm.folder);
    const rec = findRecord(tree, snapshot, vm.name);
    rec.name = name;
    await writeTree(vm.folder, tree);
    ctx.emit('snapshot.changed', { vmId: vm.id });
    return snapshotInfo(tree, rec);
  });

  methods.handle('snapshot.delete', async ({ vm: ref, snapshot, subtree }) => {
    const vm = ctx.getVm(ref);
    if (!SNAPSHOT_STATES.includes(vm.state)) {
      throw new ViridianError('INVALID_STATE', `Snapshots of "${vm.name}" cannot be deleted while it is ${vm.state}.`, 'Wait for the current operation to finish.');
    }
    claim(vm, 'delete the snapshot');
    const rec = findRecord(await readTree(vm.folder), snapshot, vm.name);
    const args = ['snapshot', 'delete', vm.name, rec.id, ...(subtree ? ['--subtree'] : [])];
    return runJob(vm, { kind: 'snapshot.delete', label: subtree ? `Delete snapshot subtree "${rec.name}"` : `Delete snapshot "${rec.name}"`, cli: cliLine(...args) }, (j) =>
      deleteSnapshots(vm, rec.id, subtree, j),
    );
  });
};

/**
 * A running VM whose QEMU writes to an overlay of ours that its config does
 * not name yet (the engine stopped right after a live switch): the config
 * follows QEMU, so a later cold start does not go back to the older image.
 */
export async function reconcileRunning(ctx: EngineContext, vm: VmInstance): Promise<number> {
  const qmp = vm.processAlive ? vm.qmpClient() : null;
  if (!qmp || qmp.closed) return 0;
  let fixed = 0;
  try {
    const chains = await runningChains(qmp);
    for (const [slot, d] of diskSlots(vm.config)) {
      const chain = chains.find((c) => c.files[1] === d.path && c.files[0] !== undefined && insideSnapshots(vm.folder, c.files[0]));
      if (!chain?.files[0]) continue;
      await vm.saveConfig(withDisk(vm.config, slot, overlayAttachment(chain.files[0], d)));
      ctx.log(`${vm.name}: ${slot} runs on ${chain.files[0]}; the configuration now says so`);
      fixed++;
    }
  } catch (err) {
    ctx.log(`${vm.name}: could not compare its disks with QEMU: ${String(err)}`);
  }
  return fixed;
}

function requireSnapshotState(vm: VmInstance, action: 'snapshot' | 'revert'): void {
  if (!isActionAllowed(vm.state, action) || !SNAPSHOT_STATES.includes(vm.state)) {
    throw new ViridianError(
      'INVALID_STATE',
      `Cannot ${action === 'snapshot' ? 'take a snapshot of' : 'apply a snapshot to'} "${vm.name}" while it is ${vm.state}.`,
      vm.busy ? 'Wait for the current operation to finish.' : 'Snapshots work on running, paused, saved and turned-off VMs.',
    );
  }
}

/** By id, else by name (visible snapshots only; a name shared by several must be given as an id). */
export function findRecord(tree: TreeFile, ref: string, vmName: string): SnapshotRecord {
  const visible = tree.snapshots.filter((r) => !r.hidden);
  const byId = visible.find((r) => r.id === ref);
  if (byId) return byId;
  const lower = ref.toLowerCase();
  const named = visible.filter((r) => r.name.toLowerCase() === lower);
  if (named.length === 1 && named[0]) return named[0];
  if (named.length > 1) {
    throw new ViridianError('INVALID_INPUT', `"${vmName}" has ${named.length} snapshots named "${ref}".`, `Name it by id: ${named.map((r) => r.id).join(', ')}.`);
  }
  throw new ViridianError('NOT_FOUND', `"${vmName}" has no snapshot "${ref}".`, `Run \`viridian snapshot list ${vmName}\` to see its snapshots.`);
}

// ---------------------------------------------------------------- take

async function takeSnapshot(ctx: EngineContext, vm: VmInstance, name: string, j: JobContext): Promise<SnapshotInfo> {
  const folder = vm.folder;
  const before = vm.state as 'Running' | 'Paused' | 'Off' | 'Saved';
  const id = randomUUID();
  const tree = await readTree(folder);
  await mkdir(join(folder, SNAPSHOT_DIR), { recursive: true });
  const config = vm.config;
  const plan = [...diskSlots(config)].map(([slot, att]) => ({ slot, att, overlay: join(folder, SNAPSHOT_DIR, `${slot}-${id.slice(0, 8)}.qcow2`) }));
  vm.setState('Snapshotting', `Taking snapshot "${name}"`);
  let switched = false;
  try {
    j.step(plan.length ? `Creating ${plan.length} differencing disk${plan.length > 1 ? 's' : ''}` : 'The VM has no hard disks; saving its settings');
    for (const p of plan) await createOverlay(p.overlay, p.att, folder);

    let memory: string | null = null;
    let pausedAtSave = false;
    const stateRel = `${SNAPSHOT_DIR}/${id}.state`;
    if (before === 'Running' || before === 'Paused') {
      const qmp = vm.qmpClient();
      if (!qmp || qmp.closed) throw new ViridianError('QEMU_FAILED', `"${vm.name}" has no running QEMU process.`);
      j.step('Writing the memory state while the VM runs; switching disks at the pause');
      const r = await liveCheckpoint(qmp, {
        stateFile: `${stateRel}.tmp`,
        disks: plan.map((p) => ({ current: p.att.path, overlay: p.overlay })),
        wasRunning: before === 'Running',
        signal: j.signal,
        onProgress: (pct) => j.progress(pct, 'Writing the memory state'),
      });
      switched = true;
      if (r.memory && (await settleStateFile(join(folder, `${stateRel}.tmp`)))) {
        await rename(join(folder, `${stateRel}.tmp`), join(folder, stateRel));
        memory = stateRel;
        pausedAtSave = before === 'Paused';
        if (r.downtimeMs !== null) j.step(`The guest was paused for ${r.downtimeMs} ms`);
      } else {
        await rm(join(folder, `${stateRel}.tmp`), { force: true });
        j.step(r.warning ?? 'The memory state was incomplete; the snapshot holds the disks only.');
      }
    } else if (before === 'Saved') {
      // The saved state is this snapshot's memory state: share the file (Start only unlinks saved/).
      await link(join(folder, SAVED_STATE), join(folder, stateRel));
      memory = stateRel;
      pausedAtSave = vm.pausedAtSave;
      switched = true;
    } else {
      switched = true;
    }

    let next: VmConfig = config;
    for (const p of plan) next = withDisk(next, p.slot, overlayAttachment(p.overlay, p.att));
    // Config first: a crash now leaves the VM on its new overlay with the snapshot unrecorded (its image untouched).
    await vm.saveConfig(next);
    const rec: SnapshotRecord = {
      id,
      name,
      parentId: tree.nowParentId,
      createdAt: new Date().toISOString(),
      vmState: before,
      memory,
      pausedAtSave,
      hidden: false,
      config,
      images: Object.fromEntries(plan.map((p) => [p.slot, p.att])),
    };
    tree.snapshots.push(rec);
    tree.nowParentId = id;
    await writeTree(folder, tree);
    vm.setState(before, before === 'Off' ? 'Turned off' : before === 'Saved' ? 'Saved' : before);
    ctx.log(`${vm.name}: snapshot ${id} "${name}" taken (${before})`);
    return snapshotInfo(tree, rec);
  } catch (err) {
    if (!switched) for (const p of plan) await rm(p.overlay, { force: true });
    await rm(join(folder, `${SNAPSHOT_DIR}/${id}.state.tmp`), { force: true });
    if (vm.state === 'Snapshotting') vm.setState(vm.processAlive ? before : before === 'Saved' ? 'Saved' : 'Off', `Snapshot failed: ${(err as Error).message}`);
    throw err;
  }
}

/** exec:cat may still drain the pipe after QEMU reports completion. */
async function settleStateFile(path: string): Promise<boolean> {
  for (let i = 0; i < 250; i++) {
    if (await isCompleteStateFile(path)) {
      const fh = await open(path, 'r+');
      await fh.sync();
      await fh.close();
      return true;
    }
    await sleep(20);
  }
  return false;
}

// ---------------------------------------------------------------- apply

async function applySnapshot(vm: VmInstance, snapshotId: string, j: JobContext): Promise<SnapshotInfo> {
  const folder = vm.folder;
  const tree = await readTree(folder);
  const rec = tree.snapshots.find((r) => r.id === snapshotId);
  if (!rec) throw new ViridianError('NOT_FOUND', 'The snapshot was deleted meanwhile.');
  const before = vm.state;
  const wasRunning = before === 'Running' || before === 'Paused';
  vm.setState('Reverting', `Applying snapshot "${rec.name}"`);
  try {
    if (vm.processAlive) {
      j.step('Turning off the current state');
      await vm.endProcess(`Applying snapshot "${rec.name}"`);
    }
    await rm(join(folder, SAVED_DIR), { recursive: true, force: true });
    const oldActive = [...diskSlots(vm.config).values()].map((d) => d.path);

    j.step('Creating new differencing disks on the snapshot');
    const stamp = randomBytes(4).toString('hex');
    // The snapshot's settings come back (memory, devices must match its memory state); name and notes stay.
    let next: VmConfig = { ...rec.config, id: vm.id, name: vm.name, notes: vm.config.notes, createdAt: vm.config.createdAt };
    for (const [slot, img] of Object.entries(rec.images)) {
      const overlay = join(folder, SNAPSHOT_DIR, `${slot}-${stamp}.qcow2`);
      await createOverlay(overlay, img, folder);
      next = withDisk(next, slot, overlayAttachment(overlay, img));
    }
    await vm.saveConfig(migrateConfig(next));
    tree.nowParentId = rec.id;
    await writeTree(folder, tree);
    await removeUnused(folder, tree, vm.config, oldActive);

    const memory = rec.memory ? join(folder, rec.memory) : null;
    if (memory && (await isCompleteStateFile(memory))) {
      await mkdir(join(folder, SAVED_DIR), { recursive: true });
      await link(memory, join(folder, SAVED_STATE));
      await vm.markSaved(rec.pausedAtSave, `Applied snapshot "${rec.name}"`);
      if (wasRunning) {
        j.step('Restoring the snapshot’s memory state');
        await vm.start(j);
      }
    } else {
      if (memory) j.step('The snapshot’s memory state is missing or incomplete; the VM is off.');
      vm.setState('Off', `Applied snapshot "${rec.name}"`);
    }
    return snapshotInfo(tree, rec);
  } catch (err) {
    if (vm.state === 'Reverting') vm.setState('Off', `Applying the snapshot failed: ${(err as Error).message}`);
    throw err;
  }
}

// ---------------------------------------------------------------- delete

/** Which image each image is built on, for every image the VM knows (records, Now, and their chains). */
async function backingMap(tree: TreeFile, config: VmConfig): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  const todo = [...tree.snapshots.flatMap((r) => Object.values(r.images).map((d) => d.path)), ...[...diskSlots(config).values()].map((d) => d.path)];
  while (todo.length) {
    const p = todo.pop() as string;
    if (out.has(p)) continue;
    const b = existsSync(p) ? await readBackingFile(p) : null;
    out.set(p, b);
    if (b && !out.has(b)) todo.push(b);
  }
  return out;
}

function dependents(map: Map<string, string | null>, image: string): string[] {
  return [...map].filter(([, b]) => b === image).map(([p]) => p);
}

const insideSnapshots = (folder: string, p: string) => p.startsWith(join(folder, SNAPSHOT_DIR) + sep);

/** Deletes images of ours that nothing uses any more (after Apply discarded "Now"). */
async function removeUnused(folder: string, tree: TreeFile, config: VmConfig, candidates: string[]): Promise<void> {
  const map = await backingMap(tree, config);
  const used = new Set<string>([...tree.snapshots.flatMap((r) => Object.values(r.images).map((d) => d.path)), ...[...diskSlots(config).values()].map((d) => d.path)]);
  for (const c of candidates) {
    if (!insideSnapshots(folder, c) || used.has(c) || dependents(map, c).length > 0) continue;
    await unlink(c).catch(() => undefined);
  }
}

async function deleteSnapshots(vm: VmInstance, snapshotId: string, subtree: boolean, j: JobContext): Promise<{ deleted: string[] }> {
  const folder = vm.folder;
  const tree = await readTree(folder);
  const root = tree.snapshots.find((r) => r.id === snapshotId);
  if (!root) throw new ViridianError('NOT_FOUND', 'The snapshot was deleted meanwhile.');
  const targets = subtree ? [...descendantsPostOrder(tree, root.id), root] : [root];
  const offline = !vm.processAlive;
  const before = vm.state;
  // Merging files of a VM that is off: keep Start away until the chain is whole again.
  if (offline) vm.setState('Snapshotting', subtree ? 'Deleting a snapshot subtree' : 'Merging a snapshot');
  const deleted: string[] = [];
  try {
    for (const [i, rec] of targets.entries()) {
      const span = (pct: number) => j.progress(((i + pct / 100) / targets.length) * 100, `Merging "${rec.name}"`);
      const visible = !rec.hidden;
      if (visible) j.step(`Deleting snapshot "${rec.name}"`);
      await deleteRecord(vm, tree, rec, j, span);
      if (visible) deleted.push(rec.id);
    }
    await sweepHidden(vm, tree, j);
    return { deleted };
  } finally {
    if (offline && vm.state === 'Snapshotting') vm.setState(before === 'Saved' ? 'Saved' : 'Off', before === 'Saved' ? 'Saved' : 'Turned off');
  }
}

/**
 * Removes one record. Its disk data goes where it is still needed: with one
 * dependent image the dependent is merged down into it (commit), with none
 * the image is deleted, with two or more the record stays hidden until a
 * later delete leaves it one.
 */
async function deleteRecord(vm: VmInstance, tree: TreeFile, rec: SnapshotRecord, j: JobContext, progress: (pct: number) => void): Promise<void> {
  const folder = vm.folder;
  let map = await backingMap(tree, vm.config);
  const others = tree.snapshots.filter((r) => r.id !== rec.id);
  const sharedImage = (p: string) => others.some((r) => Object.values(r.images).some((d) => d.path === p));
  const images = Object.entries(rec.images).filter(([, d]) => !sharedImage(d.path));
  const memory = rec.memory;

  // Hidden first: from here on the record's image may change, and a crash must not show it as a snapshot.
  rec.hidden = true;
  rec.memory = null;
  await writeTree(folder, tree);
  if (memory) await rm(join(folder, memory), { force: true });

  if (images.some(([, d]) => dependents(map, d.path).length >= 2)) {
    j.step(`"${rec.name}" is still the base of several branches; its disk data is kept until they are gone`);
    return;
  }
  for (const [slot, img] of images) {
    const deps = dependents(map, img.path);
    const active = [...diskSlots(vm.config).values()].some((d) => d.path === img.path);
    if (deps.length === 0) {
      if (insideSnapshots(folder, img.path) && !active) await unlink(img.path).catch(() => undefined);
    } else if (deps.length === 1 && deps[0]) {
      await mergeDown(vm, tree, slot, deps[0], img, map, j, progress);
      map = await backingMap(tree, vm.config);
    }
  }
  tree.snapshots = tree.snapshots.filter((r) => r.id !== rec.id);
  for (const r of tree.snapshots) if (r.parentId === rec.id) r.parentId = rec.parentId;
  if (tree.nowParentId === rec.id) tree.nowParentId = rec.parentId;
  await writeTree(folder, tree);
}

/** Commits `child` into `base` (its backing file), then everything that named `child` names `base`. */
async function mergeDown(
  vm: VmInstance,
  tree: TreeFile,
  slot: string,
  child: string,
  base: DiskAttachment,
  map: Map<string, string | null>,
  j: JobContext,
  progress: (pct: number) => void,
): Promise<void> {
  const folder = vm.folder;
  const qmp = vm.processAlive ? vm.qmpClient() : null;
  let above: string | null = null;
  let live = false;
  if (qmp && !qmp.closed) {
    const chain = (await runningChains(qmp)).find((c) => c.files.includes(child));
    if (chain) {
      live = true;
      const idx = chain.files.indexOf(child);
      above = idx > 0 ? (chain.files[idx - 1] ?? null) : null;
    }
  }
  if (live && qmp) {
    await liveCommit(qmp, { top: child, base: base.path, backingString: above ? backingString(above, base.path, folder) : null, signal: j.signal, onProgress: progress });
  } else {
    await commitIntoBacking(child, { signal: j.signal, onProgress: progress });
  }
  // base now reads exactly like child did: repoint what was built on child.
  for (const dep of dependents(map, child)) {
    if (live && dep === above) continue; // QEMU rewrote that one itself
    await rebaseUnsafe(dep, base.path, backingFormat(base), folder);
  }
  for (const r of tree.snapshots) for (const [s, d] of Object.entries(r.images)) if (d.path === child) r.images[s] = { ...base };
  const current = diskSlots(vm.config).get(slot);
  if (current?.path === child) await vm.saveConfig(withDisk(vm.config, slot, { ...base, readOnly: current.readOnly }));
  else {
    // The slot may differ (a disk moved between controllers): find it by path.
    for (const [s, d] of diskSlots(vm.config)) if (d.path === child) await vm.saveConfig(withDisk(vm.config, s, { ...base, readOnly: d.readOnly }));
  }
  await writeTree(folder, tree);
  if (insideSnapshots(folder, child)) await unlink(child).catch(() => undefined);
}

/** Hidden records whose images have at most one dependent left can go now. */
async function sweepHidden(vm: VmInstance, tree: TreeFile, j: JobContext): Promise<void> {
  for (;;) {
    const map = await backingMap(tree, vm.config);
    const ready = tree.snapshots.find((r) => r.hidden && Object.values(r.images).every((d) => dependents(map, d.path).length <= 1));
    if (!ready) return;
    await deleteRecord(vm, tree, ready, j, () => undefined);
  }
}
