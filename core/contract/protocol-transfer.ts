// Import and export (export folders, Virtual Server .vmc).
import { z } from 'zod';
import { JobSchema } from './jobs';
import { method } from './method';
import { VmSummarySchema } from './vm';

/** One line of an import or export report: nothing unknown or missing is dropped silently. */
export const TransferNoteSchema = z.object({
  level: z.enum(['info', 'warning', 'error']),
  text: z.string(),
});
export type TransferNote = z.infer<typeof TransferNoteSchema>;

/** transfer.export's job result. */
export const ExportResultSchema = z.object({
  /** The folder written: <path>/<VM name>. */
  folder: z.string(),
  files: z.number().int(),
  bytes: z.number().int(),
  notes: z.array(TransferNoteSchema),
});
export type ExportResult = z.infer<typeof ExportResultSchema>;

/** transfer.import's job result. */
export const ImportResultSchema = z.object({
  vm: VmSummarySchema,
  source: z.enum(['export', 'vmc']),
  notes: z.array(TransferNoteSchema),
});
export type ImportResult = z.infer<typeof ImportResultSchema>;

/** The file an export folder is recognised by. */
export const EXPORT_MANIFEST = 'viridian-export.json';

export const TRANSFER_METHODS = {
  /** Job: copies an Off or Saved VM (settings, disks, snapshots, saved state) into <path>/<VM name>. */
  'transfer.export': method(z.object({ vm: z.string().min(1).max(300), path: z.string().min(1) }).strict(), JobSchema),
  /**
   * Job: imports an export folder or a Virtual PC / Virtual Server .vmc file.
   * copy: new ids and MAC addresses, files copied (the source can be imported again);
   * otherwise the VM keeps its id and the files are moved into the data folder.
   */
  'transfer.import': method(z.object({ path: z.string().min(1), copy: z.boolean().default(false) }).strict(), JobSchema),
} as const;
