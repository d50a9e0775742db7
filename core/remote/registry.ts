import { randomUUID } from 'node:crypto';
import { ViridianError, type EngineClient } from '../contract';
import type { RemoteHost } from '../contract/protocol-migration';
import type { EngineContext } from '../engine/context';
import type { TlsPin } from '../host/ws-client';
import { splitAddress } from './address';
import { RemoteHostConnection, openClient, withTimeout } from './connection';
import { readHosts, writeHosts, type HostRecord } from './hosts-file';
import { colonHex, probeTls } from './tls-probe';

/** A client to a target host for one operation; close() only closes what it opened. */
export interface TargetSession {
  client: EngineClient;
  record: HostRecord;
  close(): void;
}

/**
 * The servers this engine remembers (<dataDir>/hosts.json, 0600) and keeps a
 * connection to. Loaded on first use, so one-shot CLI commands that never ask
 * about hosts open no network connections.
 */
export class HostRegistry {
  private readonly conns = new Map<string, RemoteHostConnection>();
  private loading: Promise<void> | null = null;
  private closed = false;
  /** Serializes writes of hosts.json. */
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: EngineContext) {}

  ensureLoaded(): Promise<void> {
    this.loading ??= (async () => {
      for (const record of await readHosts(this.ctx.dataDir)) this.attach(record).start();
    })();
    return this.loading;
  }

  async list(): Promise<RemoteHost[]> {
    await this.ensureLoaded();
    return [...this.conns.values()].map((c) => c.summary());
  }

  /** By id or by address (however it was typed). */
  find(ref: string): RemoteHostConnection | null {
    const byId = this.conns.get(ref);
    if (byId) return byId;
    let normalized: string;
    try {
      normalized = splitAddress(ref).normalized;
    } catch {
      return null;
    }
    for (const c of this.conns.values()) if (splitAddress(c.record.address).normalized === normalized) return c;
    return null;
  }

  async get(ref: string): Promise<RemoteHostConnection> {
    await this.ensureLoaded();
    const c = this.find(ref);
    if (!c) {
      throw new ViridianError('NOT_FOUND', `No server ${ref} is remembered here.`, 'Add it first: viridian host add ADDR:PORT --token TOKEN (or Connect to Server… in the console).');
    }
    return c;
  }

  /**
   * Checks the server (TLS pin, token) before remembering it: a server that
   * refuses the token or cannot be reached is not added.
   */
  async add(address: string, token: string, fingerprint?: string): Promise<RemoteHost> {
    await this.ensureLoaded();
    const { host, port, normalized } = splitAddress(address);
    const pin = await probeTls(host, port);
    if (fingerprint !== undefined) {
      if (!pin) {
        throw new ViridianError('UNAUTHORIZED', `The server ${normalized} does not serve TLS, so the fingerprint cannot be checked.`, 'Start it with --tls-cert and --tls-key, or add it without --fingerprint (only on a trusted network).');
      }
      if (pin.fingerprint256.replace(/:/g, '') !== fingerprint) {
        throw new ViridianError(
          'UNAUTHORIZED',
          `The server ${normalized} presented a certificate with fingerprint ${pin.fingerprint256}, not ${colonHex(fingerprint)}. Not connecting: the token would go to the wrong party.`,
          'Compare with the fingerprint the host printed when it started.',
        );
      }
    }
    const existing = this.find(normalized);
    const record: HostRecord = { id: existing?.id ?? randomUUID(), address: normalized, token, tls: pin, addedAt: existing?.record.addedAt ?? new Date().toISOString() };
    // Prove the token before remembering it.
    const client = await openClient(record);
    try {
      await withTimeout(client.call('host.info', {}), 15_000, `The server ${normalized}`);
    } finally {
      client.close();
    }
    await this.persist((hosts) => [...hosts.filter((h) => h.id !== record.id), record]);
    if (existing) {
      existing.stop();
      this.conns.delete(existing.id);
    }
    const conn = this.attach(record);
    await conn.clientOrThrow().catch(() => undefined);
    conn.start();
    return conn.summary();
  }

  async remove(ref: string): Promise<{ removed: boolean; id: string | null }> {
    await this.ensureLoaded();
    const c = this.find(ref);
    if (!c) return { removed: false, id: null };
    c.stop();
    this.conns.delete(c.id);
    await this.persist((hosts) => hosts.filter((h) => h.id !== c.id));
    this.ctx.emit('hosts.removed', { id: c.id });
    return { removed: true, id: c.id };
  }

  /**
   * A client to a migration target: a remembered server (its kept connection),
   * or any ADDR:PORT with a token given for this one operation (a console
   * relaying on behalf of another host).
   */
  async target(to: string, token?: string, fingerprint?: string): Promise<TargetSession> {
    await this.ensureLoaded();
    const known = this.find(to);
    if (known && (token === undefined || token === known.record.token)) {
      return { client: await known.clientOrThrow(), record: known.record, close: () => undefined };
    }
    if (token === undefined) {
      throw new ViridianError('NOT_FOUND', `No server ${to} is remembered here.`, 'Add it first: viridian host add ADDR:PORT --token TOKEN (or Connect to Server… in the console).');
    }
    const { host, port, normalized } = splitAddress(to);
    const pin: TlsPin | null = await probeTls(host, port);
    if (fingerprint !== undefined && pin?.fingerprint256.replace(/:/g, '') !== fingerprint) {
      throw new ViridianError('UNAUTHORIZED', `The server ${normalized} did not present the certificate with fingerprint ${colonHex(fingerprint)}.`, 'Compare with the fingerprint the host printed when it started.');
    }
    const record: HostRecord = { id: randomUUID(), address: normalized, token, tls: pin, addedAt: new Date().toISOString() };
    const client = await openClient(record);
    return { client, record, close: () => client.close() };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.conns.values()) c.stop();
    this.conns.clear();
    await this.writing.catch(() => undefined);
  }

  private attach(record: HostRecord): RemoteHostConnection {
    const ctx = this.ctx;
    const conn = new RemoteHostConnection(record, {
      changed: (host) => {
        if (!this.closed && this.conns.get(host.id) === conn) ctx.emit('hosts.changed', { host });
      },
      vmUpsert: (hostId, vm) => ctx.emit('hosts.vm.upsert', { hostId, vm }),
      vmRemoved: (hostId, id) => ctx.emit('hosts.vm.removed', { hostId, id }),
      vmStats: (hostId, items) => ctx.emit('hosts.vm.stats', { hostId, items }),
      jobUpsert: (hostId, job) => ctx.emit('hosts.job.upsert', { hostId, job }),
      log: (msg) => ctx.log(msg),
    });
    this.conns.set(record.id, conn);
    return conn;
  }

  private persist(change: (hosts: HostRecord[]) => HostRecord[]): Promise<void> {
    const next = this.writing.then(async () => writeHosts(this.ctx.dataDir, change(await readHosts(this.ctx.dataDir))));
    this.writing = next.catch(() => undefined);
    return next;
  }
}

const registries = new WeakMap<EngineContext, HostRegistry>();

/** The one registry of an engine (shared by the hosts and migration features). */
export function registryFor(ctx: EngineContext): HostRegistry {
  let r = registries.get(ctx);
  if (!r) {
    r = new HostRegistry(ctx);
    registries.set(ctx, r);
    const reg = r;
    ctx.onClose(() => reg.close());
  }
  return r;
}
