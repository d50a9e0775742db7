import { z } from 'zod';
import { ErrorInfoSchema } from './errors';

export const JOB_STATES = ['running', 'completed', 'failed', 'cancelled'] as const;
export const JobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobStateSchema>;

export const JobStepSchema = z.object({ at: z.string(), text: z.string() });
export type JobStep = z.infer<typeof JobStepSchema>;

/** Every long operation is a job (SCVMM's Jobs view): steps, progress, result, script. */
export const JobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  /** Human label, e.g. "Save virtual machine". */
  label: z.string(),
  vmId: z.string().nullable(),
  vmName: z.string().nullable(),
  state: JobStateSchema,
  phase: z.string(),
  /** 0..100, or null when unknown. */
  percent: z.number().min(0).max(100).nullable(),
  cancellable: z.boolean(),
  steps: z.array(JobStepSchema),
  /** The equivalent CLI command ("View Script"). */
  cli: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  error: ErrorInfoSchema.nullable(),
  result: z.unknown().optional(),
});
export type Job = z.infer<typeof JobSchema>;

export const TERMINAL_JOB_STATES: readonly JobState[] = ['completed', 'failed', 'cancelled'];
