// Snapshot work on a running QEMU over QMP: a live checkpoint (memory state +
// disk overlays switched at the same instant) and live merges (block-commit).
import { randomBytes } from 'node:crypto';
import { ViridianError } from '../contract';
import { sleep, type QmpClient, type QmpEvent } from '../qemu/qmp';
import { earlyFlush } from './vm-instance';

// No cap for local state files (QEMU's default 128 MiB/s makes them slow, QEMU.md).
const UNCAPPED_BANDWIDTH = 64 * 1024 ** 3;
const MIGRATE_TIMEOUT_MS = 300_000;

interface ImageInfo {
  filename: string;
  'backing-image'?: ImageInfo;
}
interface BlockInfo {
  qdev?: string;
  inserted?: { 'node-name'?: string; image: ImageInfo };
}
interface NamedNode {
  'node-name': string;
  drv: string;
  file: string;
}

/** "json:{…file:{filename:X}}" (a raw node with a size limit) → X; plain names stay. */
export function plainFilename(name: string): string {
  if (!name.startsWith('json:')) return name;
  try {
    const o = JSON.parse(name.slice(5)) as { filename?: unknown; file?: { filename?: unknown } | string };
    if (typeof o.filename === 'string') return o.filename;
    if (typeof o.file === 'string') return o.file;
    if (o.file && typeof o.file.filename === 'string') return o.file.filename;
  } catch {
    /* fall through */
  }
  return name;
}

export interface RunningChain {
  /** Root (device) node name. */
  root: string;
  /** Files from the active image down to the base. */
  files: string[];
}

/** Each disk device's chain as QEMU has it open (CD-ROMs without media are skipped). */
export async function runningChains(qmp: QmpClient): Promise<RunningChain[]> {
  const blocks = await qmp.execute<BlockInfo[]>('query-block');
  const out: RunningChain[] = [];
  for (const b of blocks) {
    const root = b.inserted?.['node-name'];
    if (!b.inserted || !root) continue;
    const files: string[] = [];
    for (let img: ImageInfo | undefined = b.inserted.image; img; img = img['backing-image']) files.push(plainFilename(img.filename));
    out.push({ root, files });
  }
  return out;
}

/** Format-level node name of each open image file. */
export async function nodesByFile(qmp: QmpClient): Promise<Map<string, string>> {
  const nodes = await qmp.execute<NamedNode[]>('query-named-block-nodes', { flat: true });
  const out = new Map<string, string>();
  for (const n of nodes) {
    if (n.drv === 'file' || n.drv === 'host_device') continue;
    out.set(plainFilename(n.file), n['node-name']);
  }
  return out;
}

export interface LiveCheckpointOptions {
  /** Relative to the VM folder (QEMU's cwd); a fixed name we chose, never client input. */
  stateFile: string;
  /** For each disk: the file of the image it runs on now, and the new (already created) overlay. */
  disks: { current: string; overlay: string }[];
  wasRunning: boolean;
  signal: AbortSignal;
  onProgress: (pct: number) => void;
}

export interface LiveCheckpointResult {
  /** Whether the memory state file is complete (the disks switched in any case once this returns). */
  memory: boolean;
  /** How long the guest was stopped (running VMs), from QEMU's STOP/RESUME events. */
  downtimeMs: number | null;
  warning: string | null;
}

interface MigrateInfo {
  status: string;
  downtime?: number;
  ram?: { total: number; remaining: number };
  'error-desc'?: string;
}

/**
 * Takes a checkpoint of a running (or paused) VM with a short pause: RAM is
 * copied while the guest runs; QEMU stops it just before the switch-over
 * (pause-before-switchover), the disks move onto their new overlays in one
 * transaction at that instant, and the last RAM and device state are written.
 * Memory state and disk state therefore describe the same moment.
 */
export async function liveCheckpoint(qmp: QmpClient, opts: LiveCheckpointOptions): Promise<LiveCheckpointResult> {
  const chains = await runningChains(qmp);
  const tag = randomBytes(4).toString('hex');
  const plan = opts.disks.map((d, i) => {
    const chain = chains.find((c) => c.files[0] === d.current);
    if (!chain) throw new ViridianError('QEMU_FAILED', `The running VM does not have ${d.current} open as a disk; the snapshot was not taken.`, 'Turn the VM off and on again, then retry.');
    return { ...d, root: chain.root, node: `snap-${tag}-${i}` };
  });

  const added: string[] = [];
  let switched = false;
  let migrating = false;
  // The guest-visible pause, from QEMU's own event timestamps.
  let stoppedAt: number | null = null;
  let pausedMs: number | null = null;
  const at = (e: QmpEvent) => e.timestamp.seconds * 1000 + e.timestamp.microseconds / 1000;
  // Writes the state back while it streams, so the snapshot's final fsync is short.
  let flusher: { stop(): Promise<void> } | null = null;
  const offEvents = qmp.onEvent((e) => {
    if (e.event === 'STOP' && stoppedAt === null) stoppedAt = at(e);
    else if (e.event === 'RESUME' && stoppedAt !== null && pausedMs === null) pausedMs = at(e) - stoppedAt;
  });
  try {
    for (const p of plan) {
      await qmp.execute('blockdev-add', { driver: 'qcow2', 'node-name': p.node, file: { driver: 'file', filename: p.overlay }, backing: null });
      added.push(p.node);
    }
    await qmp.execute('migrate-set-capabilities', { capabilities: [{ capability: 'pause-before-switchover', state: true }] });
    await qmp.execute('migrate-set-parameters', { 'max-bandwidth': UNCAPPED_BANDWIDTH });
    await qmp.execute('migrate', { uri: `exec:cat > ${opts.stateFile}` });
    migrating = true;
    flusher = earlyFlush(opts.stateFile);
    const deadline = Date.now() + MIGRATE_TIMEOUT_MS;
    for (;;) {
      const info = await qmp.execute<MigrateInfo>('query-migrate');
      if (info.status === 'pre-switchover') break;
      if (info.status === 'failed' || info.status === 'cancelled') {
        migrating = false;
        throw new ViridianError('QEMU_FAILED', `Writing the memory state failed: ${info['error-desc'] ?? info.status}.`);
      }
      if (opts.signal.aborted) throw new ViridianError('CANCELLED', 'The snapshot was cancelled; the VM keeps running unchanged.');
      if (Date.now() > deadline) throw new ViridianError('TIMEOUT', 'Writing the memory state did not converge in time; the snapshot was not taken.');
      if (info.ram && info.ram.total > 0) opts.onProgress((90 * (info.ram.total - info.ram.remaining)) / info.ram.total);
      await sleep(10);
    }
    // The guest is stopped here: switch every disk at once.
    await qmp.execute('transaction', { actions: plan.map((p) => ({ type: 'blockdev-snapshot', data: { node: p.root, overlay: p.node } })) });
    switched = true;
    await qmp.execute('migrate-continue', { state: 'pre-switchover' });
    let result: MigrateInfo;
    for (;;) {
      result = await qmp.execute<MigrateInfo>('query-migrate');
      if (result.status === 'completed' || result.status === 'failed' || result.status === 'cancelled') break;
      await sleep(5);
    }
    migrating = false;
    await flusher?.stop();
    // A completed migration leaves the images inactive: cont takes them back (and stop keeps a paused VM paused).
    // QEMU reports "completed" a moment before its migration cleanup ends; cont is refused until then.
    for (let attempt = 0; ; attempt++) {
      try {
        await qmp.execute('cont');
        break;
      } catch (err) {
        if (attempt >= 100 || !/not finalized/i.test((err as Error).message)) throw err;
        await sleep(10);
      }
    }
    if (!opts.wasRunning) await qmp.execute('stop');
    opts.onProgress(100);
    if (result.status !== 'completed') {
      return { memory: false, downtimeMs: null, warning: `The memory state could not be written (${result['error-desc'] ?? result.status}); the snapshot holds the disks only.` };
    }
    return { memory: true, downtimeMs: opts.wasRunning ? (pausedMs === null ? null : Math.round(pausedMs)) : null, warning: null };
  } catch (err) {
    if (migrating) await qmp.execute('migrate_cancel').catch(() => undefined);
    if (!switched) {
      // Wait until the cancelled migration let go, then drop the unused overlays.
      for (let i = 0; i < 200; i++) {
        const info = await qmp.execute<MigrateInfo>('query-migrate').catch(() => ({ status: 'none' }));
        if (!['active', 'setup', 'pre-switchover', 'device', 'cancelling'].includes(info.status)) break;
        await sleep(10);
      }
      const { status } = await qmp.execute<{ status: string }>('query-status').catch(() => ({ status: '' }));
      if (opts.wasRunning && status !== 'running') await qmp.execute('cont').catch(() => undefined);
      for (const n of added) await qmp.execute('blockdev-del', { 'node-name': n }).catch(() => undefined);
    }
    throw err;
  } finally {
    offEvents();
    await flusher?.stop();
    await qmp.execute('migrate-set-capabilities', { capabilities: [{ capability: 'pause-before-switchover', state: false }] }).catch(() => undefined);
  }
}

export interface LiveCommitOptions {
  /** The image whose data goes down. */
  top: string;
  /** Its backing file, which receives the data. */
  base: string;
  /** What the image above `top` should name as its backing file (relative where possible). */
  backingString: string | null;
  signal: AbortSignal;
  onProgress: (pct: number) => void;
}

/**
 * Merges `top` into `base` while the VM runs (block-commit). For the active
 * image the device then runs on `base`; an interrupted commit leaves the data
 * correct (the top still holds everything it held).
 */
export async function liveCommit(qmp: QmpClient, opts: LiveCommitOptions): Promise<void> {
  const chains = await runningChains(qmp);
  const chain = chains.find((c) => c.files.includes(opts.top));
  if (!chain) throw new ViridianError('INTERNAL', `Internal error: ${opts.top} is not open in the running VM.`);
  const active = chain.files[0] === opts.top;
  const nodes = await nodesByFile(qmp);
  const topNode = nodes.get(opts.top);
  const baseNode = nodes.get(opts.base);
  if (!topNode || !baseNode) throw new ViridianError('INTERNAL', `Internal error: QEMU has no node for ${!topNode ? opts.top : opts.base}.`);
  const jobId = `merge-${randomBytes(4).toString('hex')}`;
  const events: QmpEvent[] = [];
  const off = qmp.onEvent((e) => {
    if ((e.event === 'BLOCK_JOB_READY' || e.event === 'BLOCK_JOB_COMPLETED' || e.event === 'BLOCK_JOB_CANCELLED') && e.data.device === jobId) events.push(e);
  });
  try {
    await qmp.execute('block-commit', {
      'job-id': jobId,
      device: chain.root,
      'base-node': baseNode,
      ...(active ? {} : { 'top-node': topNode }),
      ...(!active && opts.backingString ? { 'backing-file': opts.backingString } : {}),
    });
    let completing = false;
    for (;;) {
      const e = events.shift();
      if (e?.event === 'BLOCK_JOB_READY' && !completing) {
        completing = true;
        await qmp.execute('block-job-complete', { device: jobId });
        continue;
      }
      if (e?.event === 'BLOCK_JOB_COMPLETED') {
        if (typeof e.data.error === 'string') throw new ViridianError('QEMU_FAILED', `Merging ${opts.top} failed: ${e.data.error}.`);
        break;
      }
      if (e?.event === 'BLOCK_JOB_CANCELLED') throw new ViridianError('CANCELLED', 'The merge was cancelled; the data stays as it was.');
      if (e) continue;
      if (opts.signal.aborted) await qmp.execute('block-job-cancel', { device: jobId, force: true }).catch(() => undefined);
      const jobs = await qmp.execute<{ device: string; len: number; offset: number }[]>('query-block-jobs');
      const j = jobs.find((x) => x.device === jobId);
      if (j && j.len > 0) opts.onProgress((100 * j.offset) / j.len);
      await sleep(50);
    }
  } finally {
    off();
  }
  // A node added by blockdev-add (or -blockdev) stays open until deleted; others were closed by QEMU.
  await qmp.execute('blockdev-del', { 'node-name': topNode }).catch(() => undefined);
}
