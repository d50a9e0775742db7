// Virtual disks beyond create/inspect: edit, convert, merge, reconnect, hot-add (issue: disks and networks).
// Add this feature's methods here; their names start with the feature's prefix.
import { z } from 'zod';
import { DiskSizeSchema, UserDiskFormatSchema } from './disks';
import { JobSchema } from './jobs';
import { method } from './method';
import { VmDetailSchema } from './vm';

const PathSchema = z.string().min(1).max(4096);
const VmRef = z.string().min(1).max(300);

/** Copy (convert) a disk or image into a new file: Edit Disk ▸ Convert, and "copy the contents" in the New Virtual Hard Disk wizard. */
export const ConvertDiskParamsSchema = z
  .object({
    path: PathSchema,
    destination: PathSchema,
    format: UserDiskFormatSchema,
    type: z.enum(['dynamic', 'fixed']).default('dynamic'),
  })
  .strict();

export const ExpandDiskParamsSchema = z.object({ path: PathSchema, sizeBytes: DiskSizeSchema }).strict();

/** Merge a differencing disk into its parent (the child goes away) or into a new, flat disk (both stay). */
export const MergeDiskParamsSchema = z
  .object({
    path: PathSchema,
    into: z.enum(['parent', 'new']),
    /** For into=new: the new disk. */
    destination: PathSchema.optional(),
    format: UserDiskFormatSchema.optional(),
    type: z.enum(['dynamic', 'fixed']).optional(),
  })
  .strict();

export const ReconnectDiskParamsSchema = z.object({ path: PathSchema, parent: PathSchema }).strict();

/** Free space where a disk would go, so the wizard can say it before anything starts. */
export const DiskSpaceSchema = z.object({ folder: z.string(), freeBytes: z.number().int().nonnegative(), exists: z.boolean() });
export type DiskSpace = z.infer<typeof DiskSpaceSchema>;

/** Where and how a VM uses a disk (Edit Disk refuses some operations while it is in use). */
export const DiskUseSchema = z.object({
  vmId: z.string(),
  vmName: z.string(),
  state: z.string(),
  /** "ide 0:0", "scsi 3", or "parent of ide 0:0". */
  where: z.string(),
});
export const DiskUsesSchema = z.array(DiskUseSchema);
export type DiskUse = z.infer<typeof DiskUseSchema>;

export const AttachDiskParamsSchema = z
  .object({
    vm: VmRef,
    path: PathSchema,
    bus: z.enum(['scsi', 'ide']).default('scsi'),
    /** SCSI: 0–63 (default: the first free one). */
    lun: z.number().int().min(0).max(63).optional(),
    /** IDE: controller and slot (default: the first free slot). */
    controller: z.union([z.literal(0), z.literal(1)]).optional(),
    slot: z.union([z.literal(0), z.literal(1)]).optional(),
    readOnly: z.boolean().default(false),
  })
  .strict();

export const DetachDiskParamsSchema = z
  .object({
    vm: VmRef,
    /** The disk's path (as attached), or "scsi:LUN" / "ide:C:S". */
    disk: PathSchema,
  })
  .strict();

/** Which of a VM's devices are synthetic (virtio, enlightened) and which are emulated. */
export const DeviceKindSchema = z.object({
  device: z.string(),
  model: z.string(),
  kind: z.enum(['synthetic', 'emulated']),
  detail: z.string(),
});
export const VmDevicesSchema = z.object({
  accelerator: z.string(),
  enlightenments: z.object({ enabled: z.boolean(), flags: z.array(z.string()), reason: z.string() }),
  devices: z.array(DeviceKindSchema),
});
export type VmDevices = z.infer<typeof VmDevicesSchema>;

export const STORAGE_METHODS = {
  'disk.convert': method(ConvertDiskParamsSchema, JobSchema),
  'disk.compact': method(z.object({ path: PathSchema }).strict(), JobSchema),
  'disk.expand': method(ExpandDiskParamsSchema, JobSchema),
  'disk.merge': method(MergeDiskParamsSchema, JobSchema),
  'disk.reconnect': method(ReconnectDiskParamsSchema, JobSchema),
  'disk.space': method(z.object({ path: PathSchema }).strict(), DiskSpaceSchema),
  'disk.uses': method(z.object({ path: PathSchema }).strict(), DiskUsesSchema),
  /** Live: a running VM's dynamic VHD/VHDX becomes qcow2 without stopping it (overlay, stream, drop the old node). */
  'vm.disk.convertLive': method(z.object({ vm: VmRef, disk: PathSchema.optional() }).strict(), JobSchema),
  /** SCSI: hot-add while running; IDE: only while off. */
  'vm.disk.attach': method(AttachDiskParamsSchema, VmDetailSchema),
  'vm.disk.detach': method(DetachDiskParamsSchema, VmDetailSchema),
  'vm.devices': method(z.object({ vm: VmRef }).strict(), VmDevicesSchema),
} as const;
