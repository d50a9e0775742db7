import { connect, type Socket } from 'node:net';
import { ViridianError } from '../contract';

export interface QmpEvent {
  event: string;
  data: Record<string, unknown>;
  timestamp: { seconds: number; microseconds: number };
}

interface PendingCommand {
  command: string;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

export interface QmpConnectOptions {
  /** Keep retrying until the socket answers (it appears ~0.1 s after exec). */
  retryForMs?: number;
  /** Stop retrying early when this says the process is gone. */
  isAlive?: () => boolean;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A small, strict QMP client (after QEMU's python qemu.qmp): one socket,
 * commands matched by id, events as a stream, every failure a ViridianError.
 */
export class QmpClient {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<string, PendingCommand>();
  private readonly eventListeners = new Set<(e: QmpEvent) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private closedReason: string | null = null;
  private greetingResolve: ((v: unknown) => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (err) => this.handleClose(`QMP socket error: ${err.message}`));
    socket.on('close', () => this.handleClose('QEMU closed the QMP connection'));
  }

  static async connect(path: string, opts: QmpConnectOptions = {}): Promise<QmpClient> {
    const deadline = Date.now() + (opts.retryForMs ?? 0);
    let delay = 5;
    for (;;) {
      try {
        const socket = await openSocket(path);
        const client = new QmpClient(socket);
        await client.handshake();
        return client;
      } catch (err) {
        if (opts.signal?.aborted) throw new ViridianError('CANCELLED', 'Connecting to QEMU was cancelled.');
        if (opts.isAlive && !opts.isAlive()) {
          throw new ViridianError('QEMU_FAILED', 'QEMU exited before its control socket answered.');
        }
        if (Date.now() >= deadline) {
          if (err instanceof ViridianError) throw err;
          throw new ViridianError('QEMU_FAILED', `Could not connect to QEMU's control socket ${path}: ${(err as Error).message}`);
        }
        await sleep(delay);
        delay = Math.min(delay * 2, 50);
      }
    }
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  async execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    if (this.closedReason !== null) {
      throw new ViridianError('QEMU_FAILED', `Cannot run ${command}: ${this.closedReason}.`);
    }
    const id = `v${this.nextId++}`;
    const msg = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ViridianError('TIMEOUT', `QEMU did not answer ${command} within ${Math.round(timeoutMs / 1000)} s.`));
      }, timeoutMs);
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer });
      this.socket.write(`${JSON.stringify(msg)}\n`);
    });
  }

  onEvent(cb: (e: QmpEvent) => void): () => void {
    this.eventListeners.add(cb);
    return () => this.eventListeners.delete(cb);
  }

  onClose(cb: (reason: string) => void): () => void {
    if (this.closedReason !== null) {
      const reason = this.closedReason;
      queueMicrotask(() => cb(reason));
    } else this.closeListeners.add(cb);
    return () => this.closeListeners.delete(cb);
  }

  /** Resolves with the first matching event, or rejects on timeout/close. */
  waitForEvent(match: (e: QmpEvent) => boolean, timeoutMs: number): Promise<QmpEvent> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        offEvent();
        offClose();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new ViridianError('TIMEOUT', `QEMU did not report the expected event within ${Math.round(timeoutMs / 1000)} s.`));
      }, timeoutMs);
      const offEvent = this.onEvent((e) => {
        if (match(e)) {
          cleanup();
          resolve(e);
        }
      });
      const offClose = this.onClose((reason) => {
        cleanup();
        reject(new ViridianError('QEMU_FAILED', reason));
      });
    });
  }

  close(): void {
    this.socket.destroy();
    this.handleClose('connection closed by the engine');
  }

  private async handshake(): Promise<void> {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new ViridianError('TIMEOUT', 'QEMU sent no QMP greeting.')), 10_000);
      this.greetingResolve = (v) => {
        clearTimeout(timer);
        resolve(v);
      };
      this.closeListeners.add((reason) => {
        clearTimeout(timer);
        reject(new ViridianError('QEMU_FAILED', reason));
      });
    });
    await this.execute('qmp_capabilities');
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.onLine(line);
    }
    if (this.buffer.length > 16 * 1024 * 1024) this.socket.destroy(new Error('QMP line too long'));
  }

  private onLine(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if ('QMP' in msg) {
      this.greetingResolve?.(msg);
      this.greetingResolve = null;
      return;
    }
    if (typeof msg.event === 'string') {
      const evt = msg as unknown as QmpEvent;
      evt.data ??= {};
      for (const l of this.eventListeners) l(evt);
      return;
    }
    const id = typeof msg.id === 'string' ? msg.id : null;
    if (id === null) return;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if ('error' in msg) {
      const e = msg.error as { class?: string; desc?: string };
      p.reject(new ViridianError('QMP_ERROR', `QEMU refused ${p.command}: ${e.desc ?? e.class ?? 'unknown error'}`));
    } else p.resolve(msg.return);
  }

  private handleClose(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ViridianError('QEMU_FAILED', `QEMU stopped answering while running ${p.command}: ${reason}.`));
    }
    this.pending.clear();
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    for (const l of listeners) l(reason);
  }
}

function openSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    const onError = (err: Error) => {
      s.destroy();
      reject(err);
    };
    s.once('error', onError);
    s.once('connect', () => {
      s.off('error', onError);
      resolve(s);
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
