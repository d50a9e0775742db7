// The snapshot tree of one VM: <vm folder>/snapshots/tree.json, written atomically.
// Image paths inside the VM folder are stored relative to it, so the folder
// can be exported and imported elsewhere.
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import {
  DiskAttachmentSchema,
  SnapshotVmStateSchema,
  VmConfigSchema,
  type DiskAttachment,
  type SnapshotInfo,
  type SnapshotTree,
  type VmConfig,
} from '../contract';
import { readJsonFile, writeJsonAtomic } from '../common/atomic';

export const SNAPSHOT_DIR = 'snapshots';
export const TREE_FILE = 'snapshots/tree.json';

const RecordSchema = z.object({
  id: z.string().regex(/^[0-9a-f-]{36}$/),
  name: z.string(),
  parentId: z.string().nullable(),
  createdAt: z.string(),
  vmState: SnapshotVmStateSchema,
  /** Memory state file, relative to the VM folder (snapshots/<id>.state), or null. */
  memory: z.string().nullable(),
  pausedAtSave: z.boolean().default(false),
  /**
   * Deleted by the user while two or more children still read its disk data:
   * kept (without memory state) until it can be merged, never shown.
   */
  hidden: z.boolean().default(false),
  /** The VM's settings when the snapshot was taken (Apply restores them). */
  config: VmConfigSchema,
  /** Disk slot → the frozen image holding this snapshot's disk state. */
  images: z.record(z.string(), DiskAttachmentSchema),
});
export type SnapshotRecord = z.infer<typeof RecordSchema>;

const TreeFileSchema = z.object({
  version: z.literal(1),
  nowParentId: z.string().nullable(),
  snapshots: z.array(RecordSchema),
});
export type TreeFile = z.infer<typeof TreeFileSchema>;

export function emptyTree(): TreeFile {
  return { version: 1, nowParentId: null, snapshots: [] };
}

function toStored(folder: string, p: string): string {
  return p.startsWith(folder + sep) ? relative(folder, p) : p;
}
function fromStored(folder: string, p: string): string {
  return isAbsolute(p) ? p : resolve(folder, p);
}
function mapImages(images: Record<string, DiskAttachment>, f: (p: string) => string): Record<string, DiskAttachment> {
  return Object.fromEntries(Object.entries(images).map(([slot, d]) => [slot, { ...d, path: f(d.path) }]));
}

/** Reads the tree with absolute paths; a VM without snapshots has an empty one. */
export async function readTree(folder: string): Promise<TreeFile> {
  const file = join(folder, TREE_FILE);
  if (!existsSync(file)) return emptyTree();
  const tree = TreeFileSchema.parse(await readJsonFile(file));
  return {
    ...tree,
    snapshots: tree.snapshots.map((r) => ({ ...r, images: mapImages(r.images, (p) => fromStored(folder, p)) })),
  };
}

export async function writeTree(folder: string, tree: TreeFile): Promise<void> {
  const stored: TreeFile = {
    ...tree,
    snapshots: tree.snapshots.map((r) => ({ ...r, images: mapImages(r.images, (p) => toStored(folder, p)) })),
  };
  await writeJsonAtomic(join(folder, TREE_FILE), stored);
}

// ---------------------------------------------------------------- disk slots

/** Every disk of a config by slot: "ide0-0".."ide1-1", "scsi0-<lun>" (the QEMU node names at start). */
export function diskSlots(config: VmConfig): Map<string, DiskAttachment> {
  const out = new Map<string, DiskAttachment>();
  config.ide.forEach((ctrl, c) =>
    ctrl.forEach((slot, u) => {
      if (slot?.kind === 'disk') out.set(`ide${c}-${u}`, slot);
    }),
  );
  for (const d of config.scsi) {
    const { lun, ...att } = d;
    out.set(`scsi0-${lun}`, att);
  }
  return out;
}

/** The config with the disk in `slot` replaced (the slot must hold a disk). */
export function withDisk(config: VmConfig, slot: string, att: DiskAttachment): VmConfig {
  const ide = /^ide([01])-([01])$/.exec(slot);
  if (ide) {
    const c = Number(ide[1]) as 0 | 1;
    const u = Number(ide[2]) as 0 | 1;
    const ctrls = config.ide.map((ctrl) => [...ctrl]) as unknown as VmConfig['ide'];
    ctrls[c][u] = att;
    return { ...config, ide: ctrls };
  }
  const scsi = /^scsi0-(\d+)$/.exec(slot);
  if (scsi) {
    const lun = Number(scsi[1]);
    return { ...config, scsi: config.scsi.map((d) => (d.lun === lun ? { ...att, lun } : d)) };
  }
  throw new Error(`unknown disk slot ${slot}`);
}

// ---------------------------------------------------------------- views

/** The nearest visible ancestor (hidden records are skipped). */
export function visibleParent(tree: TreeFile, parentId: string | null): string | null {
  const byId = new Map(tree.snapshots.map((r) => [r.id, r]));
  let cur = parentId;
  while (cur !== null) {
    const r = byId.get(cur);
    if (!r) return null;
    if (!r.hidden) return r.id;
    cur = r.parentId;
  }
  return null;
}

export function snapshotInfo(tree: TreeFile, r: SnapshotRecord): SnapshotInfo {
  return {
    id: r.id,
    name: r.name,
    parentId: visibleParent(tree, r.parentId),
    createdAt: r.createdAt,
    vmState: r.vmState,
    hasMemoryState: r.memory !== null,
    disks: Object.entries(r.images).map(([slot, d]) => ({ slot, path: d.path })),
  };
}

/** Visible snapshots, parents first, children oldest first. */
export function treeView(tree: TreeFile, vmId: string, vmName: string): SnapshotTree {
  const visible = tree.snapshots.filter((r) => !r.hidden);
  const children = new Map<string | null, SnapshotRecord[]>();
  for (const r of visible) {
    const p = visibleParent(tree, r.parentId);
    const list = children.get(p) ?? [];
    list.push(r);
    children.set(p, list);
  }
  const out: SnapshotInfo[] = [];
  const walk = (p: string | null) => {
    const list = (children.get(p) ?? []).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const r of list) {
      out.push(snapshotInfo(tree, r));
      walk(r.id);
    }
  };
  walk(null);
  return { vmId, vmName, snapshots: out, nowParentId: visibleParent(tree, tree.nowParentId) };
}

/** All records below `id` (any depth, hidden included), deepest first. */
export function descendantsPostOrder(tree: TreeFile, id: string): SnapshotRecord[] {
  const out: SnapshotRecord[] = [];
  const walk = (pid: string) => {
    for (const r of tree.snapshots.filter((x) => x.parentId === pid)) {
      walk(r.id);
      out.push(r);
    }
  };
  walk(id);
  return out;
}

/** Hyper-V's default name: "VM - (2025-01-31 14:05:09)" in local time. */
export function defaultSnapshotName(vmName: string, at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())} ${p(at.getHours())}:${p(at.getMinutes())}:${p(at.getSeconds())}`;
  return `${vmName} - (${stamp})`;
}
