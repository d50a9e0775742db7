import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ViridianError } from '../contract';
import { HostTokenSchema, RemoteAddressSchema } from '../contract/protocol-migration';

export const HOSTS_FILE = 'hosts.json';

/** One remembered server. The token is a secret: the file is 0600 and the token never leaves the engine. */
export const HostRecordSchema = z.object({
  id: z.string().uuid(),
  address: RemoteAddressSchema,
  token: HostTokenSchema,
  /** Pinned certificate when the host serves TLS (trusted on first use, or checked against a fingerprint the user gave). */
  tls: z.object({ certPem: z.string().min(1), fingerprint256: z.string().min(1) }).nullable(),
  addedAt: z.string(),
});
export type HostRecord = z.infer<typeof HostRecordSchema>;

const HostsFileSchema = z.object({ version: z.literal(1), hosts: z.array(HostRecordSchema) });

export function hostsFilePath(dataDir: string): string {
  return join(dataDir, HOSTS_FILE);
}

export async function readHosts(dataDir: string): Promise<HostRecord[]> {
  const path = hostsFilePath(dataDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ViridianError('CONFIG_CORRUPT', `The list of remembered servers ${path} is not valid JSON.`, 'Fix or delete the file, then add the servers again (viridian host add).');
  }
  const parsed = HostsFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ViridianError('CONFIG_CORRUPT', `The list of remembered servers ${path} is not in the expected form.`, 'Fix or delete the file, then add the servers again (viridian host add).');
  }
  return parsed.data.hosts;
}

/** Atomic (temp + fsync + rename) and 0600 from the first byte: the file holds tokens. */
export async function writeHosts(dataDir: string, hosts: readonly HostRecord[]): Promise<void> {
  const path = hostsFilePath(dataDir);
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  let renamed = false;
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(`${JSON.stringify({ version: 1, hosts }, null, 2)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    renamed = true;
    // A umask cannot widen 'wx' 0600, but an older file may have been copied around with lax modes.
    if (process.platform !== 'win32') await chmod(path, 0o600);
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
}
