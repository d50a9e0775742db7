import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { RuntimePaths } from '../qemu/cmdline';

/** What survives an engine restart besides vm.json: the coarse state and the process. */
export const RuntimeFileSchema = z.object({
  state: z.enum(['Off', 'Starting', 'Running', 'Saving', 'Saved', 'Critical']),
  reason: z.string(),
  since: z.string(),
  pid: z.number().int().nullable(),
  startedAt: z.string().nullable(),
  pausedAtSave: z.boolean().default(false),
  paths: z
    .object({ qmp: z.string(), serial: z.string(), vnc: z.string(), pidfile: z.string(), serialLog: z.string() })
    .nullable(),
});
export type RuntimeFile = z.infer<typeof RuntimeFileSchema>;

export const VM_FILE = 'vm.json';
export const RUNTIME_FILE = 'runtime.json';
export const SAVED_DIR = 'saved';
/** `saved.discard-…`: a consumed saved state being unlinked in the background. */
export const SAVED_DISCARD_PREFIX = `${SAVED_DIR}.discard-`;
export const SAVED_STATE = 'saved/state.bin';
export const SAVED_STATE_TMP = 'saved/state.tmp';
export const QEMU_LOG = 'qemu.log';

// sun_path is 108 bytes on Linux (104 on macOS); leave room.
const MAX_SOCKET_PATH = 100;

/** Socket and file paths for a VM's QEMU; sockets move to a short dir when the folder path is long. */
export function runtimePaths(folder: string): RuntimePaths {
  let sockDir = join(folder, 'run');
  if (join(sockDir, 'serial.sock').length > MAX_SOCKET_PATH) {
    const hash = createHash('sha256').update(folder).digest('hex').slice(0, 16);
    sockDir = join(tmpdir(), `viridian-${process.getuid?.() ?? 'u'}`, hash);
  }
  mkdirSync(sockDir, { recursive: true, mode: 0o700 });
  return {
    qmp: join(sockDir, 'qmp.sock'),
    serial: join(sockDir, 'serial.sock'),
    vnc: join(sockDir, 'vnc.sock'),
    pidfile: join(folder, 'qemu.pid'),
    serialLog: join(folder, 'serial.log'),
  };
}
