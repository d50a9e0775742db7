import { z } from 'zod';
import { VmStatusSchema } from './states';
import { VmConfigSchema } from './vm-config';

export const VmStatsSchema = z.object({
  cpuPercent: z.number().min(0),
  /** Memory assigned to the running guest. */
  memoryMiB: z.number().int().nonnegative(),
  uptimeSec: z.number().nonnegative(),
});
export type VmStats = z.infer<typeof VmStatsSchema>;

export const VmOperationSchema = z.object({
  jobId: z.string(),
  label: z.string(),
  percent: z.number().nullable(),
});
export type VmOperation = z.infer<typeof VmOperationSchema>;

/** The row of the Virtual Machines list: small, so 10,000 of them travel well. */
export const VmSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  status: VmStatusSchema,
  memoryMiB: z.number().int(),
  cpus: z.number().int(),
  stats: VmStatsSchema.nullable(),
  operation: VmOperationSchema.nullable(),
  /** Why save/snapshot/migrate are unavailable (e.g. a dynamic VHD), or null. */
  migrationBlocker: z.string().nullable(),
  hasSavedState: z.boolean(),
  notes: z.string(),
});
export type VmSummary = z.infer<typeof VmSummarySchema>;

export const VmDetailSchema = VmSummarySchema.extend({
  config: VmConfigSchema,
  folder: z.string(),
  /** Last lines of the QEMU log when the VM is Critical. */
  logTail: z.array(z.string()),
});
export type VmDetail = z.infer<typeof VmDetailSchema>;
