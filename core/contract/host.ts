import { z } from 'zod';

export const AcceleratorSchema = z.enum(['kvm', 'whpx', 'hvf', 'tcg']);
export type Accelerator = z.infer<typeof AcceleratorSchema>;

export const HostInfoSchema = z.object({
  hostname: z.string(),
  version: z.string(),
  platform: z.string(),
  cpus: z.number().int(),
  memoryMiB: z.number().int(),
  /** What a new VM may be given at most. */
  maxVmMemoryMiB: z.number().int(),
  dataDir: z.string(),
  storageRoots: z.array(z.string()),
  qemu: z.object({
    found: z.boolean(),
    binary: z.string().nullable(),
    version: z.string().nullable(),
    img: z.string().nullable(),
  }),
  accelerator: z.object({
    kind: AcceleratorSchema,
    /** Why this accelerator and, for TCG, how to get a faster one. */
    reason: z.string(),
    hint: z.string().optional(),
  }),
});
export type HostInfo = z.infer<typeof HostInfoSchema>;
