import { z } from 'zod';

export const ERROR_CODES = [
  'NOT_FOUND',
  'INVALID_INPUT',
  'INVALID_STATE',
  'BUSY',
  'NAME_TAKEN',
  'QEMU_MISSING',
  'QEMU_FAILED',
  'QMP_ERROR',
  'DISK_BLOCKS_ACTION',
  'INSUFFICIENT_MEMORY',
  'NO_SPACE',
  'PATH_OUTSIDE_ROOTS',
  'DISK_IN_USE',
  'NOT_A_DISK',
  'DATA_DIR_LOCKED',
  'CONFIG_CORRUPT',
  'UNAUTHORIZED',
  'TIMEOUT',
  'CANCELLED',
  'PROTOCOL',
  'UNSUPPORTED',
  'INTERNAL',
] as const;
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ErrorInfoSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  hint: z.string().optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

/** The one error type that crosses boundaries: a code, a sentence, maybe a fix. */
export class ViridianError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'ViridianError';
    this.code = code;
    this.hint = hint;
  }
  toInfo(): ErrorInfo {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
  static from(info: ErrorInfo): ViridianError {
    return new ViridianError(info.code, info.message, info.hint);
  }
}

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof ViridianError) return err.toInfo();
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: `Internal error: ${message}` };
}

/** One line for people: the sentence, then the fix. */
export function formatError(info: ErrorInfo): string {
  return info.hint ? `${info.message} ${info.hint}` : info.message;
}

/** A zod failure as one sentence with field paths (at most three issues). */
export function issuesSentence(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}
