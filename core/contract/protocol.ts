import { z } from 'zod';
import { ErrorCodeSchema } from './errors';
import { HostInfoSchema } from './host';
import { JobSchema } from './jobs';
import { VmActionSchema } from './states';
import { VmDetailSchema, VmStatsSchema, VmSummarySchema } from './vm';
import { CreateDiskParamsSchema, DiskInfoSchema, DiskSizeSchema, UserDiskFormatSchema } from './disks';
import { MemoryMiBSchema, MAX_CPUS, NetworkAdapterSchema, VmConfigSchema, VmNameSchema } from './vm-config';

// ---------------------------------------------------------------- frames

const IdSchema = z.union([z.number().int(), z.string().max(64)]);

export const ReqFrameSchema = z.object({ t: z.literal('req'), id: IdSchema, m: z.string().max(64), p: z.unknown() });
export const ResFrameSchema = z.object({ t: z.literal('res'), id: IdSchema, r: z.unknown() });
export const ErrFrameSchema = z.object({
  t: z.literal('err'),
  id: IdSchema.nullable(),
  code: ErrorCodeSchema,
  message: z.string(),
  hint: z.string().optional(),
});
export const EvtFrameSchema = z.object({ t: z.literal('evt'), e: z.string(), p: z.unknown(), seq: z.number().int() });

export const ClientFrameSchema = ReqFrameSchema;
export const ServerFrameSchema = z.discriminatedUnion('t', [ResFrameSchema, ErrFrameSchema, EvtFrameSchema]);
export type ReqFrame = z.infer<typeof ReqFrameSchema>;
export type ResFrame = z.infer<typeof ResFrameSchema>;
export type ErrFrame = z.infer<typeof ErrFrameSchema>;
export type EvtFrame = z.infer<typeof EvtFrameSchema>;
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

// ---------------------------------------------------------------- methods

/** A VM is named by its id or its name. */
const VmRef = z.string().min(1).max(300);

export const SnapshotSchema = z.object({
  seq: z.number().int(),
  host: HostInfoSchema,
  vms: z.array(VmSummarySchema),
  jobs: z.array(JobSchema),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

export const NewDiskSpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('new'),
    sizeBytes: DiskSizeSchema,
    format: UserDiskFormatSchema.default('qcow2'),
    type: z.enum(['dynamic', 'fixed']).default('dynamic'),
    /** Where to put it; default: the VM's folder. */
    path: z.string().min(1).optional(),
    bus: z.enum(['ide', 'scsi']).default('ide'),
  }),
  z.object({ kind: z.literal('existing'), path: z.string().min(1), bus: z.enum(['ide', 'scsi']).default('ide') }),
  z.object({ kind: z.literal('none') }),
]);

export const CreateVmParamsSchema = z.object({
  name: VmNameSchema,
  memoryMiB: MemoryMiBSchema.default(512),
  cpus: z.number().int().min(1).max(MAX_CPUS).default(1),
  arch: z.enum(['x64', 'x86']).default('x64'),
  disk: NewDiskSpecSchema.default({ kind: 'none' }),
  iso: z.string().min(1).nullable().default(null),
  floppy: z.string().min(1).nullable().default(null),
  kernel: z
    .object({ path: z.string().min(1), initrd: z.string().min(1).nullable(), append: z.string().default('') })
    .nullable()
    .default(null),
  network: z
    .array(z.object({ kind: NetworkAdapterSchema.shape.kind, network: z.string().nullable() }))
    .default([]),
  bootFrom: z.enum(['disk', 'cd', 'net', 'floppy']).default('disk'),
  guestOs: z.enum(['linux', 'windows', 'other']).default('other'),
  notes: z.string().max(10000).default(''),
  start: z.boolean().default(false),
});
export type CreateVmParams = z.input<typeof CreateVmParamsSchema>;

/** What the Settings dialog may change. id, schemaVersion and createdAt are fixed. */
const ChangeableShape = VmConfigSchema.omit({ id: true, schemaVersion: true, createdAt: true }).shape;
type WithoutDefaults<T extends z.ZodRawShape> = { [K in keyof T]: z.ZodOptional<T[K] extends z.ZodDefault<infer I> ? I : T[K]> };
/**
 * Every field optional and WITHOUT its default: zod 4 applies a default inside
 * .partial(), which would turn {network: [...]} into a change that also resets
 * kernel, notes, scsi… to their defaults.
 */
function optionalWithoutDefaults<T extends z.ZodRawShape>(shape: T): WithoutDefaults<T> {
  const out: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(shape)) out[k] = (v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType) : (v as z.ZodType)).optional();
  return out as WithoutDefaults<T>;
}
export const VmConfigChangesSchema = z.object(optionalWithoutDefaults(ChangeableShape));
export type VmConfigChanges = z.input<typeof VmConfigChangesSchema>;

/** Actions that need no parameters beyond the VM. */
export const SimpleVmActionSchema = VmActionSchema.extract([
  'start',
  'turnOff',
  'shutDown',
  'save',
  'pause',
  'resume',
  'reset',
  'deleteSavedState',
]);
export type SimpleVmAction = z.infer<typeof SimpleVmActionSchema>;

export const DeleteVmResultSchema = z.object({
  deleted: z.boolean(),
  /** What goes (or went): the VM folder and the disks inside it. */
  files: z.array(z.string()),
  /** Disks outside the VM folder, which are kept. */
  kept: z.array(z.string()),
});

import { method } from './method';
import { FEATURE_EVENTS } from './events-features';
import { STORAGE_METHODS } from './protocol-storage';
import { NETWORK_METHODS } from './protocol-networks';
import { SNAPSHOT_METHODS } from './protocol-snapshots';
import { CONSOLE_METHODS } from './protocol-console';
import { TRANSFER_METHODS } from './protocol-transfer';
import { MIGRATION_METHODS } from './protocol-migration';

const CORE_METHODS = {
  'host.info': method(z.object({}).strict(), HostInfoSchema),
  'session.subscribe': method(z.object({}).strict(), SnapshotSchema),
  'vm.list': method(z.object({}).strict(), z.array(VmSummarySchema)),
  'vm.get': method(z.object({ vm: VmRef }).strict(), VmDetailSchema),
  'vm.create': method(CreateVmParamsSchema, VmDetailSchema),
  'vm.update': method(z.object({ vm: VmRef, changes: VmConfigChangesSchema }).strict(), VmDetailSchema),
  'vm.action': method(
    z.object({ vm: VmRef, action: SimpleVmActionSchema, timeoutSec: z.number().int().min(1).max(3600).optional() }).strict(),
    JobSchema,
  ),
  'vm.rename': method(z.object({ vm: VmRef, name: VmNameSchema }).strict(), VmSummarySchema),
  'vm.delete': method(z.object({ vm: VmRef, confirm: z.boolean() }).strict(), DeleteVmResultSchema),
  'disk.create': method(CreateDiskParamsSchema, JobSchema),
  'disk.inspect': method(z.object({ path: z.string().min(1) }).strict(), DiskInfoSchema),
  'job.list': method(z.object({}).strict(), z.array(JobSchema)),
  'job.get': method(z.object({ id: z.string() }).strict(), JobSchema),
  'job.wait': method(z.object({ id: z.string(), timeoutMs: z.number().int().min(0).max(3_600_000).default(600_000) }).strict(), JobSchema),
  'job.cancel': method(z.object({ id: z.string() }).strict(), JobSchema),
} as const;

/**
 * Every method: the core set plus one map per feature (each in its own file,
 * so features grow without touching each other).
 */
export const METHODS = {
  ...CORE_METHODS,
  ...STORAGE_METHODS,
  ...NETWORK_METHODS,
  ...SNAPSHOT_METHODS,
  ...CONSOLE_METHODS,
  ...TRANSFER_METHODS,
  ...MIGRATION_METHODS,
} as const;

export type MethodName = keyof typeof METHODS;
export type MethodParams<M extends MethodName> = z.input<(typeof METHODS)[M]['params']>;
export type MethodParsedParams<M extends MethodName> = z.output<(typeof METHODS)[M]['params']>;
export type MethodResult<M extends MethodName> = z.output<(typeof METHODS)[M]['result']>;

export function isMethodName(m: string): m is MethodName {
  return Object.prototype.hasOwnProperty.call(METHODS, m);
}

// ---------------------------------------------------------------- events

export const EVENTS = {
  ...FEATURE_EVENTS,
  'vm.upsert': z.object({ vm: VmSummarySchema }),
  'vm.removed': z.object({ id: z.string() }),
  /** Batched at a fixed rate: one event carries every running VM's numbers. */
  'vm.stats': z.object({ items: z.array(z.object({ id: z.string(), stats: VmStatsSchema })) }),
  'job.upsert': z.object({ job: JobSchema }),
  'host.changed': z.object({ host: HostInfoSchema }),
} as const;

export type EventName = keyof typeof EVENTS;
export type EventPayload<E extends EventName> = z.infer<(typeof EVENTS)[E]>;
export type AnyEvent = { [E in EventName]: { e: E; p: EventPayload<E>; seq: number } }[EventName];

export function isEventName(e: string): e is EventName {
  return Object.prototype.hasOwnProperty.call(EVENTS, e);
}

/** Frames larger than this are refused at every boundary. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
