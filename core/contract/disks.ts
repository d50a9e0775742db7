import { z } from 'zod';
import { DiskFormatSchema, DiskTypeSchema } from './vm-config';

/** Formats as users name them (CLI --format, wizard). vhd = QEMU's vpc. */
export const UserDiskFormatSchema = z.enum(['qcow2', 'vhd', 'vhdx']);
export type UserDiskFormat = z.infer<typeof UserDiskFormatSchema>;

/** 2040 GB: the VHD format's limit. */
export const VHD_MAX_BYTES = 2040 * 1024 ** 3;
/** 64 TB: VHDX and our qcow2 ceiling. */
export const VHDX_MAX_BYTES = 64 * 1024 ** 4;
export const DISK_MIN_BYTES = 1024 * 1024;

export const DiskSizeSchema = z.number().int().min(DISK_MIN_BYTES, 'A disk must be at least 1 MiB.').max(VHDX_MAX_BYTES);

export const DiskChainLinkSchema = z.object({
  path: z.string(),
  format: DiskFormatSchema.nullable(),
  exists: z.boolean(),
});

export const DiskInfoSchema = z.object({
  path: z.string(),
  format: DiskFormatSchema,
  type: DiskTypeSchema,
  virtualSize: z.number().int(),
  actualSize: z.number().int(),
  parent: z.string().nullable(),
  /** This disk first, then each parent. */
  chain: z.array(DiskChainLinkSchema),
  intact: z.boolean(),
});
export type DiskInfo = z.infer<typeof DiskInfoSchema>;

export const CreateDiskParamsSchema = z.object({
  path: z.string().min(1),
  sizeBytes: DiskSizeSchema.optional(),
  format: UserDiskFormatSchema.default('qcow2'),
  type: z.enum(['dynamic', 'fixed', 'differencing']).default('dynamic'),
  parent: z.string().min(1).optional(),
});
export type CreateDiskParams = z.input<typeof CreateDiskParamsSchema>;

/** Parses "20G", "512M", "1.5T", "1048576" (bytes) into bytes. */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!m || m[1] === undefined) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : unit === 't' ? 1024 ** 4 : 1;
  const bytes = Math.round(n * mult);
  return Number.isFinite(bytes) ? bytes : null;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}
