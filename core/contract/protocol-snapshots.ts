// Snapshots: take, apply, rename, delete, tree.
import { z } from 'zod';
import { JobSchema } from './jobs';
import { method } from './method';

const VmRef = z.string().min(1).max(300);
/** A snapshot is named by its id or its name (a name must be unique within the VM to be used). */
const SnapshotRef = z.string().min(1).max(300);

export const SNAPSHOT_NAME_MAX = 200;
// eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
export const SnapshotNameSchema = z.string().superRefine((name, ctx) => {
  if (name.trim().length === 0) ctx.addIssue({ code: 'custom', message: 'A snapshot name cannot be empty.' });
  else if (name.length > SNAPSHOT_NAME_MAX) ctx.addIssue({ code: 'custom', message: `A snapshot name is at most ${SNAPSHOT_NAME_MAX} characters.` });
  else if (CONTROL_CHARS.test(name)) ctx.addIssue({ code: 'custom', message: 'A snapshot name cannot contain control characters.' });
});

/** The VM's state when the snapshot was taken: Running/Paused/Saved ones carry a memory state. */
export const SnapshotVmStateSchema = z.enum(['Running', 'Paused', 'Saved', 'Off']);
export type SnapshotVmState = z.infer<typeof SnapshotVmStateSchema>;

export const SnapshotInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The nearest snapshot above this one, or null at the root. */
  parentId: z.string().nullable(),
  createdAt: z.string(),
  vmState: SnapshotVmStateSchema,
  hasMemoryState: z.boolean(),
  /** Disk slot ("ide0-0", "scsi0-3") → the image holding this snapshot's data. */
  disks: z.array(z.object({ slot: z.string(), path: z.string() })),
});
export type SnapshotInfo = z.infer<typeof SnapshotInfoSchema>;

export const SnapshotTreeSchema = z.object({
  vmId: z.string(),
  vmName: z.string(),
  /** Parents before children (depth-first, oldest child first). */
  snapshots: z.array(SnapshotInfoSchema),
  /** "Now" sits under this snapshot (null: no snapshot yet, or all deleted). */
  nowParentId: z.string().nullable(),
});
export type SnapshotTree = z.infer<typeof SnapshotTreeSchema>;

export const SNAPSHOT_METHODS = {
  'snapshot.list': method(z.object({ vm: VmRef }).strict(), SnapshotTreeSchema),
  /** Job; its result is the new SnapshotInfo. Name default: "VM - (YYYY-MM-DD HH:MM:SS)". */
  'snapshot.create': method(z.object({ vm: VmRef, name: SnapshotNameSchema.optional() }).strict(), JobSchema),
  /** Job: the VM returns to the snapshot (a running VM comes back running from the snapshot's memory state). */
  'snapshot.apply': method(z.object({ vm: VmRef, snapshot: SnapshotRef }).strict(), JobSchema),
  'snapshot.rename': method(z.object({ vm: VmRef, snapshot: SnapshotRef, name: SnapshotNameSchema }).strict(), SnapshotInfoSchema),
  /** Job: merges the snapshot's disk data into its neighbour (live while the VM runs); subtree deletes its descendants too. */
  'snapshot.delete': method(z.object({ vm: VmRef, snapshot: SnapshotRef, subtree: z.boolean().default(false) }).strict(), JobSchema),
} as const;

export const SNAPSHOT_EVENTS = {
  /** A VM's snapshot tree changed (taken, applied, renamed, deleted): clients re-read snapshot.list. */
  'snapshot.changed': z.object({ vmId: z.string() }),
} as const;
