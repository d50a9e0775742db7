import { ViridianError, isMethodName } from '../contract';
import type { EngineFeature } from '../engine/context';
import { registryFor } from './registry';

/** Methods a console may not reach through the relay: the relay keeps the subscription, and hosts do not chain. */
function relayable(method: string): boolean {
  return method !== 'session.subscribe' && !method.startsWith('hosts.');
}

/**
 * "Connect to Server…": remembered servers with live state, and a relay so a
 * console that talks only to its own engine can act on VMs of other hosts
 * (SCVMM's design; a browser could not open cross-origin sockets anyway).
 */
export const remoteHostsFeature: EngineFeature = (ctx, methods) => {
  const registry = registryFor(ctx);

  methods.handle('hosts.list', () => registry.list());
  methods.handle('hosts.add', (p) => registry.add(p.address, p.token, p.fingerprint));
  methods.handle('hosts.remove', (p) => registry.remove(p.host));
  methods.handle('hosts.reconnect', async (p) => {
    const c = await registry.get(p.host);
    await c.reconnect();
    return c.summary();
  });
  methods.handle('hosts.call', async (p) => {
    if (!isMethodName(p.method)) throw new ViridianError('INVALID_INPUT', `Unknown method "${p.method}".`, 'Use a method of the Viridian protocol.');
    if (!relayable(p.method)) throw new ViridianError('UNSUPPORTED', `${p.method} cannot be called through the relay.`, 'Use hosts.list and the hosts.* events for the remote host’s state.');
    const conn = await registry.get(p.host);
    const client = await conn.clientOrThrow();
    let params = p.params ?? {};
    // A migration that a remote host drives to a server this engine remembers: lend it the token.
    if ((p.method === 'migration.start' || p.method === 'migration.check') && typeof params === 'object' && params !== null) {
      const q = params as { to?: unknown; token?: unknown };
      if (typeof q.to === 'string' && q.token === undefined) {
        const target = registry.find(q.to);
        if (target) {
          params = {
            ...q,
            to: target.record.address,
            token: target.record.token,
            ...(target.record.tls ? { fingerprint: target.record.tls.fingerprint256.replace(/:/g, '') } : {}),
          };
        }
      }
    }
    return client.call(p.method, params as never);
  });
};
