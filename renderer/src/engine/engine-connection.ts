import {
  EngineClient,
  ViridianError,
  type EngineLifecycle,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type Transport,
} from '../../../core/contract';
import { backoffDelay } from './backoff';

export type ConnectionStatus =
  | { state: 'connecting' }
  | { state: 'connected' }
  | { state: 'lost'; reason: string; attempt: number; retryAt: number | null };

export interface ConnectionOptions {
  open: () => Promise<Transport>;
  /** Called with each new client (after a reconnect too); may return a cleanup. */
  onClient: (client: EngineClient) => (() => void) | void;
  onStatus: (status: ConnectionStatus) => void;
  /** Electron only: the shell tells when the engine process restarts. */
  lifecycle?: (cb: (state: EngineLifecycle) => void) => () => void;
  now?: () => number;
}

/** One connection to the engine that survives drops: reconnects with backoff. */
export class EngineConnection {
  private client: EngineClient | null = null;
  private cleanup: (() => void) | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private opening = false;
  private shellReason: string | null = null;
  private readonly unlistenLifecycle: (() => void) | null;

  constructor(private readonly opts: ConnectionOptions) {
    this.unlistenLifecycle = opts.lifecycle?.((l) => this.onLifecycle(l)) ?? null;
  }

  start(): void {
    this.opts.onStatus({ state: 'connecting' });
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.unlistenLifecycle?.();
    this.cleanup?.();
    this.client?.close();
  }

  /** Skips the wait and reconnects now (banner button, or the shell says the engine is up). */
  retryNow(): void {
    if (this.stopped || this.client !== null || this.opening) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    void this.connect();
  }

  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
    if (this.client === null) {
      return Promise.reject(
        new ViridianError('PROTOCOL', 'The console is not connected to the engine.', 'Wait for the connection to come back, then try again.'),
      );
    }
    return this.client.call(method, params);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.opening = true;
    let transport: Transport;
    try {
      transport = await this.opts.open();
    } catch (err) {
      this.opening = false;
      this.scheduleRetry(this.shellReason ?? (err instanceof Error ? err.message : String(err)));
      return;
    }
    this.opening = false;
    if (this.stopped) {
      transport.close();
      return;
    }
    const client = new EngineClient(transport);
    this.client = client;
    client.onClose((reason) => {
      if (this.client !== client) return;
      this.cleanup?.();
      this.cleanup = null;
      this.client = null;
      this.scheduleRetry(this.shellReason ?? reason);
    });
    this.attempt = 0;
    this.opts.onStatus({ state: 'connected' });
    this.cleanup = this.opts.onClient(client) ?? null;
  }

  private scheduleRetry(reason: string): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt);
    this.attempt++;
    const now = this.opts.now?.() ?? Date.now();
    this.opts.onStatus({ state: 'lost', reason, attempt: this.attempt, retryAt: now + delay });
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }

  private onLifecycle(l: EngineLifecycle): void {
    if (l.state === 'up') {
      this.shellReason = null;
      this.attempt = 0;
      this.retryNow();
      return;
    }
    this.shellReason = l.state === 'restarting' ? `The engine is restarting: ${l.reason}` : `The engine stopped: ${l.reason}`;
    // The port may not report the drop itself; close it so calls fail fast and the banner shows.
    this.client?.close();
  }
}
