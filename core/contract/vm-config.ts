import { z } from 'zod';

export const CONFIG_SCHEMA_VERSION = 1;

// Characters Windows and POSIX both refuse in a file name, plus controls.
// eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
const FORBIDDEN_NAME_CHARS = /[/\\:*?"<>|\u0000-\u001f\u007f]/;
export const VM_NAME_MAX = 100;

export const VmNameSchema = z
  .string()
  .superRefine((name, ctx) => {
    if (name.trim().length === 0) {
      ctx.addIssue({ code: 'custom', message: 'The name cannot be empty.' });
    } else if (name.length > VM_NAME_MAX) {
      ctx.addIssue({ code: 'custom', message: `The name is ${name.length} characters long; at most ${VM_NAME_MAX} are allowed.` });
    } else if (FORBIDDEN_NAME_CHARS.test(name)) {
      ctx.addIssue({ code: 'custom', message: 'The name cannot contain / \\ : * ? " < > | or control characters.' });
    } else if (name !== name.trim()) {
      ctx.addIssue({ code: 'custom', message: 'The name cannot start or end with a space.' });
    } else if (name === '.' || name === '..') {
      ctx.addIssue({ code: 'custom', message: 'The name cannot be "." or "..".' });
    }
  });

export const MIN_MEMORY_MIB = 16;
export const MemoryMiBSchema = z.number().int().min(MIN_MEMORY_MIB, `Memory must be at least ${MIN_MEMORY_MIB} MiB.`);
export const MAX_CPUS = 64;

export const DiskFormatSchema = z.enum(['qcow2', 'raw', 'vpc', 'vhdx']);
export type DiskFormat = z.infer<typeof DiskFormatSchema>;
export const DiskTypeSchema = z.enum(['dynamic', 'fixed', 'differencing']);
export type DiskType = z.infer<typeof DiskTypeSchema>;

export const DiskAttachmentSchema = z.object({
  kind: z.literal('disk'),
  path: z.string().min(1),
  format: DiskFormatSchema,
  type: DiskTypeSchema,
  /** Virtual size in bytes; a fixed VHD runs as raw limited to this size. */
  virtualSize: z.number().int().nonnegative(),
  readOnly: z.boolean().default(false),
});
export type DiskAttachment = z.infer<typeof DiskAttachmentSchema>;

export const DvdAttachmentSchema = z.object({
  kind: z.literal('dvd'),
  /** ISO image, or null for an empty drive. */
  path: z.string().min(1).nullable(),
});
export type DvdAttachment = z.infer<typeof DvdAttachmentSchema>;

export const IdeSlotSchema = z.union([DiskAttachmentSchema, DvdAttachmentSchema]).nullable();
export type IdeSlot = z.infer<typeof IdeSlotSchema>;
/** Two controllers with two devices each, as on a PC. */
export const IdeControllerSchema = z.tuple([IdeSlotSchema, IdeSlotSchema]);

export const ScsiDiskSchema = DiskAttachmentSchema.extend({ lun: z.number().int().min(0).max(63) });
export type ScsiDisk = z.infer<typeof ScsiDiskSchema>;

export const MAC_RE = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
export const NetworkAdapterSchema = z.object({
  id: z.string().min(1),
  /** synthetic = virtio-net; legacy = emulated DEC 21140 (tulip), PXE capable. */
  kind: z.enum(['synthetic', 'legacy']),
  /** Virtual network name; null = not connected. */
  network: z.string().nullable(),
  macMode: z.enum(['dynamic', 'static']),
  mac: z.string().regex(MAC_RE, 'A MAC address looks like 52:54:00:12:34:56.'),
  vlanId: z.number().int().min(1).max(4094).nullable().default(null),
});
export type NetworkAdapter = z.infer<typeof NetworkAdapterSchema>;

export const ComPortSchema = z.object({
  port: z.union([z.literal(1), z.literal(2)]),
  /** Named pipe (a unix socket path on this host) or null for none. */
  pipe: z.string().nullable(),
});
export type ComPort = z.infer<typeof ComPortSchema>;

export const BootDeviceSchema = z.enum(['cd', 'ide', 'net', 'floppy']);
export type BootDevice = z.infer<typeof BootDeviceSchema>;

export const IntegrationServicesSchema = z.object({
  shutdown: z.boolean().default(true),
  timeSync: z.boolean().default(true),
  kvp: z.boolean().default(true),
  heartbeat: z.boolean().default(true),
  backup: z.boolean().default(true),
});

export const VmConfigSchema = z.object({
  schemaVersion: z.literal(CONFIG_SCHEMA_VERSION),
  id: z.string().uuid(),
  name: VmNameSchema,
  /** Generation 1 = BIOS (the seed's only kind). */
  firmware: z.enum(['bios']).default('bios'),
  /** x64 runs 32- and 64-bit guests; x86 gives a 32-bit CPU model. */
  arch: z.enum(['x64', 'x86']).default('x64'),
  memoryMiB: MemoryMiBSchema,
  processor: z.object({
    count: z.number().int().min(1).max(MAX_CPUS),
    reservePercent: z.number().int().min(0).max(100).default(0),
    limitPercent: z.number().int().min(1).max(100).default(100),
    weight: z.number().int().min(1).max(10000).default(100),
  }),
  bios: z.object({
    bootOrder: z.array(BootDeviceSchema).default(['cd', 'ide', 'net', 'floppy']),
    numLock: z.boolean().default(false),
  }),
  ide: z.tuple([IdeControllerSchema, IdeControllerSchema]),
  scsi: z.array(ScsiDiskSchema).default([]),
  floppy: z.string().nullable().default(null),
  network: z.array(NetworkAdapterSchema).default([]),
  com: z.array(ComPortSchema).default([]),
  notes: z.string().max(10000).default(''),
  integration: IntegrationServicesSchema,
  automaticStart: z.object({
    action: z.enum(['nothing', 'restartIfRunning', 'alwaysStart']).default('restartIfRunning'),
    delaySec: z.number().int().min(0).max(86400).default(0),
  }),
  automaticStop: z.object({
    action: z.enum(['save', 'turnOff', 'shutDown']).default('save'),
  }),
  /** Direct kernel boot, for test guests and headless appliances. */
  kernel: z
    .object({
      path: z.string().min(1),
      initrd: z.string().min(1).nullable(),
      append: z.string(),
    })
    .nullable()
    .default(null),
  /** Guest OS family: Windows guests get hv-* enlightenments where accelerated. */
  guestOs: z.enum(['linux', 'windows', 'other']).default('other'),
  createdAt: z.string(),
});
export type VmConfig = z.infer<typeof VmConfigSchema>;
export type VmConfigInput = z.input<typeof VmConfigSchema>;

/** v0: the first prototype's flat file. Kept so old folders still open. */
export const VmConfigV0Schema = z.object({
  version: z.literal(0),
  id: z.string().uuid(),
  name: z.string(),
  ram: z.number().int(),
  cpu: z.number().int(),
  disk: z.string().nullable().optional(),
  diskFormat: DiskFormatSchema.optional(),
  diskSize: z.number().int().optional(),
  notes: z.string().optional(),
  created: z.string().optional(),
});

export function defaultIntegration(): z.infer<typeof IntegrationServicesSchema> {
  return { shutdown: true, timeSync: true, kvp: true, heartbeat: true, backup: true };
}

/**
 * Reads a persisted config of any known version and returns the current one.
 * Throws a ZodError (with paths) on anything else.
 */
export function migrateConfig(raw: unknown): VmConfig {
  if (raw !== null && typeof raw === 'object' && 'version' in raw && (raw as { version: unknown }).version === 0) {
    const v0 = VmConfigV0Schema.parse(raw);
    const disk: IdeSlot = v0.disk
      ? {
          kind: 'disk',
          path: v0.disk,
          format: v0.diskFormat ?? 'qcow2',
          type: 'dynamic',
          virtualSize: v0.diskSize ?? 0,
          readOnly: false,
        }
      : null;
    return VmConfigSchema.parse({
      schemaVersion: 1,
      id: v0.id,
      name: v0.name,
      memoryMiB: v0.ram,
      processor: { count: v0.cpu },
      bios: {},
      ide: [
        [disk, null],
        [{ kind: 'dvd', path: null }, null],
      ],
      integration: defaultIntegration(),
      automaticStart: {},
      automaticStop: {},
      notes: v0.notes ?? '',
      createdAt: v0.created ?? new Date(0).toISOString(),
    } satisfies VmConfigInput);
  }
  return VmConfigSchema.parse(raw);
}

/** Every disk a VM opens, IDE first (boot order), then SCSI. */
export function vmDisks(config: VmConfig): DiskAttachment[] {
  const out: DiskAttachment[] = [];
  for (const ctrl of config.ide) for (const slot of ctrl) if (slot?.kind === 'disk') out.push(slot);
  for (const d of config.scsi) out.push(d);
  return out;
}

/**
 * Why QEMU would refuse save/snapshot/migration for this config, or null.
 * Any vpc (dynamic/differencing VHD) or vhdx node blocks migration in QEMU 7.2;
 * a fixed VHD runs as raw and is fine.
 */
export function migrationBlocker(config: VmConfig): string | null {
  for (const d of vmDisks(config)) {
    if (d.format === 'vhdx' || (d.format === 'vpc' && d.type !== 'fixed')) {
      const kind = d.format === 'vhdx' ? 'VHDX' : 'dynamically expanding VHD';
      return `The disk ${d.path} is a ${kind}; QEMU cannot save, snapshot or migrate a VM while such a disk is open.`;
    }
  }
  return null;
}
