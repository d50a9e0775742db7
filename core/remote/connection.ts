import { EngineClient, ViridianError, toErrorInfo, type AnyEvent, type ErrorInfo, type HostInfo, type VmSummary } from '../contract';
import type { HostConnection, RemoteHost } from '../contract/protocol-migration';
import { connectWebSocket } from '../host/ws-client';
import { splitAddress, urlHost } from './address';
import type { HostRecord } from './hosts-file';

/** What a connection reports to the registry (which turns it into engine events). */
export interface ConnectionHooks {
  changed(host: RemoteHost): void;
  vmUpsert(hostId: string, vm: VmSummary): void;
  vmRemoved(hostId: string, id: string): void;
  vmStats(hostId: string, items: { id: string; stats: NonNullable<VmSummary['stats']> }[]): void;
  jobUpsert(hostId: string, job: Extract<AnyEvent, { e: 'job.upsert' }>['p']['job']): void;
  log(msg: string): void;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 15_000;
const CALL_TIMEOUT_MS = 15_000;

export function hostUrl(record: HostRecord): string {
  const { host, port } = splitAddress(record.address);
  return `${record.tls ? 'wss' : 'ws'}://${urlHost(host)}:${port}/api/ws`;
}

/** Opens an authenticated client to a remembered host (no retries). */
export async function openClient(record: HostRecord, timeoutMs = 10_000): Promise<EngineClient> {
  const transport = await connectWebSocket(hostUrl(record), record.token, {
    timeoutMs,
    ...(record.tls ? { pin: record.tls } : {}),
  });
  return new EngineClient(transport);
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new ViridianError('TIMEOUT', `${what} did not answer within ${Math.round(ms / 1000)} s.`, 'Check the server and the network between the hosts.')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * One remembered server: a client kept open with reconnects (backoff), and
 * the server's VMs mirrored from its event stream so the console can show
 * them with live state. While away it keeps the last known list.
 */
export class RemoteHostConnection {
  connection: HostConnection = 'disconnected';
  error: ErrorInfo | null = null;
  retryAt: string | null = null;
  info: HostInfo | null = null;
  connectedAt: string | null = null;
  private readonly vms = new Map<string, VmSummary>();
  private client: EngineClient | null = null;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private connecting: Promise<EngineClient> | null = null;
  private stopped = false;
  private lastSeq = 0;

  constructor(
    public record: HostRecord,
    private readonly hooks: ConnectionHooks,
  ) {}

  get id(): string {
    return this.record.id;
  }

  summary(): RemoteHost {
    return {
      id: this.record.id,
      address: this.record.address,
      tlsFingerprint: this.record.tls?.fingerprint256 ?? null,
      connection: this.connection,
      error: this.error,
      retryAt: this.retryAt,
      info: this.info,
      vms: [...this.vms.values()],
      addedAt: this.record.addedAt,
      connectedAt: this.connectedAt,
    };
  }

  start(): void {
    this.stopped = false;
    if (!this.client && !this.connecting) void this.connect().catch(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const c = this.client;
    this.client = null;
    c?.close();
  }

  /** Retry now (the user asked), whatever the backoff said. */
  async reconnect(): Promise<void> {
    if (this.client && !this.client.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.attempt = 0;
    await this.connect().catch(() => undefined);
  }

  /** A connected client, connecting once now if needed; throws the reason otherwise. */
  async clientOrThrow(): Promise<EngineClient> {
    if (this.client && !this.client.closed) return this.client;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.connect();
  }

  private connect(): Promise<EngineClient> {
    this.connecting ??= this.doConnect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async doConnect(): Promise<EngineClient> {
    this.connection = 'connecting';
    this.retryAt = null;
    this.hooks.changed(this.summary());
    let client: EngineClient | null = null;
    try {
      client = await openClient(this.record);
      const c = client;
      c.onEvent((evt) => this.onEvent(c, evt));
      const snap = await withTimeout(c.call('session.subscribe', {}), CALL_TIMEOUT_MS, `The server ${this.record.address}`);
      if (this.stopped) {
        c.close();
        throw new ViridianError('CANCELLED', 'The server was removed.');
      }
      this.applySnapshot(snap.seq, snap.host, snap.vms);
      this.client = c;
      this.attempt = 0;
      this.connection = 'connected';
      this.error = null;
      this.connectedAt = new Date().toISOString();
      c.onClose((reason) => this.onClosed(c, reason));
      this.hooks.changed(this.summary());
      this.hooks.log(`remote host ${this.record.address}: connected`);
      return c;
    } catch (err) {
      client?.close();
      this.connection = 'disconnected';
      this.error = toErrorInfo(err);
      this.scheduleRetry();
      this.hooks.changed(this.summary());
      throw err;
    }
  }

  private applySnapshot(seq: number, host: HostInfo, vms: VmSummary[]): void {
    this.lastSeq = seq;
    this.info = host;
    this.vms.clear();
    for (const vm of vms) this.vms.set(vm.id, vm);
  }

  private onClosed(c: EngineClient, reason: string): void {
    if (this.client !== c) return;
    this.client = null;
    if (this.stopped) return;
    this.connection = 'disconnected';
    this.error = { code: 'PROTOCOL', message: `The connection to ${this.record.address} was lost: ${reason}.`, hint: 'It reconnects by itself when the server is back.' };
    this.hooks.log(`remote host ${this.record.address}: ${reason}`);
    this.scheduleRetry();
    this.hooks.changed(this.summary());
  }

  private scheduleRetry(): void {
    if (this.stopped || this.timer) return;
    const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt++;
    this.retryAt = new Date(Date.now() + delay).toISOString();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) void this.connect().catch(() => undefined);
    }, delay);
    this.timer.unref();
  }

  private onEvent(c: EngineClient, evt: AnyEvent): void {
    if (this.client !== null && this.client !== c) return;
    if (evt.seq <= this.lastSeq) return;
    // A gap means we missed something: take a fresh snapshot.
    if (this.lastSeq !== 0 && evt.seq !== this.lastSeq + 1 && this.client === c) {
      this.lastSeq = evt.seq;
      void c
        .call('session.subscribe', {})
        .then((snap) => {
          this.applySnapshot(snap.seq, snap.host, snap.vms);
          this.hooks.changed(this.summary());
        })
        .catch(() => undefined);
      return;
    }
    this.lastSeq = evt.seq;
    const id = this.record.id;
    switch (evt.e) {
      case 'vm.upsert':
        this.vms.set(evt.p.vm.id, evt.p.vm);
        this.hooks.vmUpsert(id, evt.p.vm);
        return;
      case 'vm.removed':
        this.vms.delete(evt.p.id);
        this.hooks.vmRemoved(id, evt.p.id);
        return;
      case 'vm.stats':
        for (const it of evt.p.items) {
          const vm = this.vms.get(it.id);
          if (vm) this.vms.set(it.id, { ...vm, stats: it.stats });
        }
        this.hooks.vmStats(id, evt.p.items);
        return;
      case 'job.upsert':
        this.hooks.jobUpsert(id, evt.p.job);
        return;
      case 'host.changed':
        this.info = evt.p.host;
        this.hooks.changed(this.summary());
        return;
      default:
        return;
    }
  }
}
