// The live-migration stream and the storage mirror (NBD) travel on their own
// TCP ports, outside the tokened control channel. Both ends get a one-time
// pre-shared key over that channel, so only the host that asked can send a
// VM's memory or disks, and nobody on the wire can read them (TLS-PSK).
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrationPsk } from '../contract/protocol-migration';
import type { QmpClient } from '../qemu/qmp';

export function newMigrationPsk(): MigrationPsk {
  return { username: 'viridian', key: randomBytes(32).toString('hex') };
}

export interface PskCreds {
  /** The QOM id to pass as `tls-creds` (migration parameters, NBD server and client). */
  id: string;
  /** Stops using TLS for later migrations (Save uses one too), drops the object and the key file. */
  dispose(): Promise<void>;
}

/**
 * Gives a VM's QEMU the key as a `tls-creds-psk` object and makes migrations
 * use it. The key file lives in the VM's run folder (0700/0600) only while
 * the move lasts; the server side reads it at each handshake.
 */
export async function addPskCreds(qmp: QmpClient, vmFolder: string, endpoint: 'server' | 'client', psk: MigrationPsk): Promise<PskCreds> {
  const id = `viridian-mig-tls-${randomBytes(4).toString('hex')}`;
  const dir = join(vmFolder, 'run', id);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'keys.psk'), `${psk.username}:${psk.key}\n`, { mode: 0o600 });
  try {
    await qmp.execute('object-add', { 'qom-type': 'tls-creds-psk', id, endpoint, dir, ...(endpoint === 'client' ? { username: psk.username } : {}) });
    await qmp.execute('migrate-set-parameters', { 'tls-creds': id });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let disposed = false;
  return {
    id,
    async dispose() {
      if (disposed) return;
      disposed = true;
      if (!qmp.closed) {
        await qmp.execute('migrate-set-parameters', { 'tls-creds': '' }).catch(() => undefined);
        await qmp.execute('object-del', { id }).catch(() => undefined);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
