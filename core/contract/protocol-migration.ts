// Remote hosts, Quick and live migration.
// Add this feature's methods here; their names start with the feature's prefix.
import { z } from 'zod';
import { ErrorInfoSchema } from './errors';
import { HostInfoSchema } from './host';
import { JobSchema } from './jobs';
import { method } from './method';
import { VmStateSchema } from './states';
import { VmStatsSchema, VmSummarySchema } from './vm';
import { VmConfigSchema } from './vm-config';

// ---------------------------------------------------------------- remote hosts

/** "192.168.1.20:8443", "server01:8443", "[::1]:8443" — a host service's --listen address. */
export const RemoteAddressSchema = z
  .string()
  .max(300)
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):\d{1,5}$/, 'A server address looks like 192.168.1.20:8443, server01:8443 or [::1]:8443.');

/** SHA-256 of the host's TLS certificate: 64 hex digits, colons optional. */
export const FingerprintSchema = z
  .string()
  .transform((s) => s.replace(/[:\s]/g, '').toUpperCase())
  .pipe(z.string().regex(/^[0-9A-F]{64}$/, 'A certificate fingerprint is a SHA-256: 64 hex digits (colons optional).'));

/** A host service's token as `viridian host` prints it. */
export const HostTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{32,256}$/, 'A token is 32–256 letters, digits, "-" or "_", as `viridian host` printed it.');

export const HostConnectionSchema = z.enum(['connecting', 'connected', 'disconnected']);
export type HostConnection = z.infer<typeof HostConnectionSchema>;

/** A remembered server as the console sees it. The token never leaves the engine. */
export const RemoteHostSchema = z.object({
  id: z.string(),
  address: RemoteAddressSchema,
  /** TLS certificate pin (SHA-256, colon hex) when the host serves TLS; null for plain ws:// (loopback only is advised). */
  tlsFingerprint: z.string().nullable(),
  connection: HostConnectionSchema,
  /** Why it is not connected (refused token, unreachable…), or null. */
  error: ErrorInfoSchema.nullable(),
  /** When the next reconnect attempt is due (ISO), while disconnected. */
  retryAt: z.string().nullable(),
  /** Last known facts about the host, kept while it is away. */
  info: HostInfoSchema.nullable(),
  /** Last known VMs; live while connected. */
  vms: z.array(VmSummarySchema),
  addedAt: z.string(),
  connectedAt: z.string().nullable(),
});
export type RemoteHost = z.infer<typeof RemoteHostSchema>;

/** A remote host by id or address. */
const HostRef = z.string().min(1).max(300);

// ---------------------------------------------------------------- migration

export const MigrationModeSchema = z.enum(['quick', 'live']);
export type MigrationMode = z.infer<typeof MigrationModeSchema>;
/** shared: both hosts see the disks at the same paths; copy: the disks travel to the target. */
export const StorageHandlingSchema = z.enum(['shared', 'copy']);
export type StorageHandling = z.infer<typeof StorageHandlingSchema>;

export const FIT_CHECKS = ['state', 'connection', 'memory', 'disk', 'cpu', 'qemu', 'network', 'storage', 'name'] as const;
export const FitProblemSchema = z.object({
  /** error blocks the move; warning is worth knowing. */
  severity: z.enum(['error', 'warning']),
  check: z.enum(FIT_CHECKS),
  message: z.string(),
  /** What to do about it. */
  fix: z.string(),
});
export type FitProblem = z.infer<typeof FitProblemSchema>;

export const FitCheckSchema = z.object({
  ok: z.boolean(),
  vmId: z.string(),
  vmName: z.string(),
  vmState: VmStateSchema,
  /** Live migration is possible only for running or paused VMs. */
  liveAvailable: z.boolean(),
  target: z
    .object({
      address: z.string(),
      hostname: z.string(),
      freeMemoryMiB: z.number().int(),
      freeDiskBytes: z.number(),
      accelerator: z.string(),
      qemuVersion: z.string().nullable(),
    })
    .nullable(),
  /** Disk (and kernel) bytes that travel with storage=copy. */
  bytesToCopy: z.number().int().nonnegative(),
  /** Upper bound of the saved memory state (quick migration of a running VM). */
  stateBytesMax: z.number().int().nonnegative(),
  problems: z.array(FitProblemSchema),
});
export type FitCheck = z.infer<typeof FitCheckSchema>;

export const MIGRATION_PHASES = ['checking', 'saving', 'transferring', 'restoring', 'mirroring', 'migrating', 'switching'] as const;
export const MigrationPhaseSchema = z.enum(MIGRATION_PHASES);
export type MigrationPhase = z.infer<typeof MigrationPhaseSchema>;

/** The job result of migration.start (also `viridian vm migrate --json`). */
export const MigrationResultSchema = z.object({
  vmId: z.string(),
  vmName: z.string(),
  mode: MigrationModeSchema,
  storage: StorageHandlingSchema,
  from: z.string(),
  to: z.string(),
  phases: z.array(z.object({ name: MigrationPhaseSchema, ms: z.number(), bytes: z.number().int().nonnegative() })),
  /**
   * Measured blackout: from the source guest stopping (QMP STOP) to the target
   * guest running. null when the VM was not running (Off, Saved, Paused).
   */
  downtimeMs: z.number().nullable(),
  /** QEMU's own figure from query-migrate (live migration only). */
  qemuDowntimeMs: z.number().nullable(),
  totalMs: z.number(),
  /** Bytes sent over the wire: state file and disks (quick), RAM stream and mirrored disks (live). */
  bytesMoved: z.number().int().nonnegative(),
  finalState: VmStateSchema,
});
export type MigrationResult = z.infer<typeof MigrationResultSchema>;

const TargetFields = {
  vm: z.string().min(1).max(300),
  /** A remembered host (id or ADDR:PORT), or any ADDR:PORT together with its token. */
  to: z.string().min(1).max(300),
  token: HostTokenSchema.optional(),
  fingerprint: FingerprintSchema.optional(),
  mode: MigrationModeSchema.default('quick'),
  storage: StorageHandlingSchema.default('shared'),
};

export const MigrationCheckParamsSchema = z.object(TargetFields).strict();
export const MigrationStartParamsSchema = z
  .object({
    ...TargetFields,
    /** Live: the longest blackout QEMU may plan for. */
    downtimeLimitMs: z.number().int().min(1).max(60_000).default(300),
    /** Live: bandwidth cap for the link (QEMU's default 128 MiB/s never converges on a busy guest). */
    bandwidthMiBps: z.number().int().min(1).max(100_000).default(4096),
    /** Live: give up (and keep the VM running on the source) after this long without converging. */
    convergeTimeoutSec: z.number().int().min(5).max(3600).default(60),
    /** Live: let QEMU throttle the guest's CPUs when it dirties memory faster than the link moves it. */
    autoConverge: z.boolean().default(true),
  })
  .strict();
export type MigrationStartParams = z.input<typeof MigrationStartParamsSchema>;

// ---------------------------------------------------------------- host to host (the target's side)

/** What the source tells the target about the guest's platform. */
export const SourcePlatformSchema = z.object({
  hostname: z.string(),
  accelerator: z.string(),
  qemuVersion: z.string().nullable(),
  /** CPU flags of the source host (only compared when the VM uses the host CPU model, i.e. with KVM). */
  cpuFlags: z.array(z.string()).max(1000),
});

export const IncomingFileSchema = z.object({
  /** "f0", "f1", …: the upload URL names the file by this id. */
  id: z.string().regex(/^f\d{1,3}$/),
  role: z.enum(['disk', 'kernel', 'initrd', 'floppy', 'iso', 'state']),
  /** The path on the source (shared storage: the same path on the target). */
  sourcePath: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  /** Shared: a file both hosts see; the target checks that it is the same one (size, mtime). */
  mtimeMs: z.number().nullable(),
  /** true: travels to the target; false: used in place at sourcePath. */
  copy: z.boolean(),
  /** Disks: format and virtual size, so the target can create a mirror target (live + copy). */
  format: z.string().nullable(),
  virtualSize: z.number().int().nonnegative().nullable(),
});
export type IncomingFile = z.infer<typeof IncomingFileSchema>;

const IncomingPlanFields = {
  config: VmConfigSchema,
  mode: MigrationModeSchema,
  storage: StorageHandlingSchema,
  files: z.array(IncomingFileSchema).max(200),
  /** Upper bound of the memory state to receive (quick migration of a running VM), bytes. */
  stateBytesMax: z.number().int().nonnegative(),
  source: SourcePlatformSchema,
};

export const IncomingCheckResultSchema = z.object({
  hostname: z.string(),
  freeMemoryMiB: z.number().int(),
  freeDiskBytes: z.number(),
  accelerator: z.string(),
  qemuVersion: z.string().nullable(),
  problems: z.array(FitProblemSchema),
});

const IncomingId = z.string().uuid();

/** The one-time pre-shared key both QEMUs use for TLS on the migration and NBD ports (core/migration/tls-psk.ts). */
export const MigrationPskSchema = z.object({
  username: z.string().regex(/^[a-z0-9-]{1,32}$/),
  key: z.string().regex(/^[0-9a-f]{64}$/),
});
export type MigrationPsk = z.infer<typeof MigrationPskSchema>;

export const MIGRATION_METHODS = {
  // The console and CLI: remembered servers ("Connect to Server…") and a relay to them.
  'hosts.list': method(z.object({}).strict(), z.array(RemoteHostSchema)),
  'hosts.add': method(z.object({ address: RemoteAddressSchema, token: HostTokenSchema, fingerprint: FingerprintSchema.optional() }).strict(), RemoteHostSchema),
  'hosts.remove': method(z.object({ host: HostRef }).strict(), z.object({ removed: z.boolean(), id: z.string().nullable() })),
  'hosts.reconnect': method(z.object({ host: HostRef }).strict(), RemoteHostSchema),
  /** Calls a method on a remote host through this engine (the console talks only to its own engine). */
  'hosts.call': method(z.object({ host: HostRef, method: z.string().min(1).max(64), params: z.unknown() }).strict(), z.unknown()),

  // Migration, started on the source's engine.
  'migration.check': method(MigrationCheckParamsSchema, FitCheckSchema),
  'migration.start': method(MigrationStartParamsSchema, JobSchema),

  // Host to host: the source's engine drives the target's through these.
  'migration.incomingCheck': method(z.object(IncomingPlanFields).strict(), IncomingCheckResultSchema),
  'migration.incomingPrepare': method(
    z.object(IncomingPlanFields).strict(),
    z.object({ incomingId: IncomingId, folder: z.string(), paths: z.record(z.string(), z.string()), uploadPath: z.string() }),
  ),
  'migration.incomingFileDone': method(
    z.object({ incomingId: IncomingId, fileId: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
    z.object({ ok: z.literal(true) }),
  ),
  /** Live: start QEMU waiting for the stream (and the NBD exports for a storage mirror). */
  'migration.incomingLive': method(
    z.object({ incomingId: IncomingId, listenHost: z.string().min(1).max(255) }).strict(),
    z.object({
      migrateUri: z.string(),
      nbd: z.object({ host: z.string(), port: z.number().int(), exports: z.record(z.string(), z.string()) }).nullable(),
      tls: MigrationPskSchema,
    }),
  ),
  'migration.incomingStatus': method(z.object({ incomingId: IncomingId }).strict(), z.object({ phase: z.string(), qemuStatus: z.string().nullable() })),
  /** Quick: install the files and restore; live: stop the NBD exports and resume. */
  'migration.incomingFinish': method(
    z.object({ incomingId: IncomingId, state: z.enum(['Running', 'Paused', 'Saved', 'Off']), pausedAtSave: z.boolean().default(false) }).strict(),
    z.object({ state: VmStateSchema, runningAt: z.number().nullable(), vm: VmSummarySchema }),
  ),
  'migration.incomingAbort': method(z.object({ incomingId: IncomingId }).strict(), z.object({ aborted: z.boolean() })),
} as const;

/** Events of this feature (spread into FEATURE_EVENTS). */
export const MIGRATION_EVENTS = {
  /** A remote host was added, (dis)connected or its facts changed; carries its VMs. */
  'hosts.changed': z.object({ host: RemoteHostSchema }),
  'hosts.removed': z.object({ id: z.string() }),
  'hosts.vm.upsert': z.object({ hostId: z.string(), vm: VmSummarySchema }),
  'hosts.vm.removed': z.object({ hostId: z.string(), id: z.string() }),
  'hosts.vm.stats': z.object({ hostId: z.string(), items: z.array(z.object({ id: z.string(), stats: VmStatsSchema })) }),
  'hosts.job.upsert': z.object({ hostId: z.string(), job: JobSchema }),
} as const;
