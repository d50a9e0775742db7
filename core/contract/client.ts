import { ViridianError } from './errors';
import {
  EVENTS,
  METHODS,
  ServerFrameSchema,
  isEventName,
  type AnyEvent,
  type MethodName,
  type MethodParams,
  type MethodResult,
} from './protocol';

/** A text pipe to an engine: Electron MessagePort, WebSocket or unix socket. */
export interface Transport {
  send(text: string): void;
  onMessage(cb: (text: string) => void): void;
  onClose(cb: (reason: string) => void): void;
  close(): void;
}

interface Pending {
  method: MethodName;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * The one engine client every front end uses. Validates every frame on
 * arrival; events come as a stream with their seq.
 */
export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<(evt: AnyEvent) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private closedReason: string | null = null;

  constructor(private readonly transport: Transport) {
    transport.onMessage((text) => this.receive(text));
    transport.onClose((reason) => this.handleClose(reason));
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
    if (this.closedReason !== null) {
      return Promise.reject(new ViridianError('PROTOCOL', `Not connected to the engine: ${this.closedReason}`));
    }
    const id = this.nextId++;
    return new Promise<MethodResult<M>>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      try {
        this.transport.send(JSON.stringify({ t: 'req', id, m: method, p: params }));
      } catch (err) {
        this.pending.delete(id);
        reject(new ViridianError('PROTOCOL', `Could not send to the engine: ${String(err)}`));
      }
    });
  }

  onEvent(cb: (evt: AnyEvent) => void): () => void {
    this.eventListeners.add(cb);
    return () => this.eventListeners.delete(cb);
  }

  onClose(cb: (reason: string) => void): () => void {
    this.closeListeners.add(cb);
    return () => this.closeListeners.delete(cb);
  }

  close(): void {
    this.transport.close();
    this.handleClose('closed by client');
  }

  private receive(text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return; // not ours; a transport may carry noise
    }
    const parsed = ServerFrameSchema.safeParse(raw);
    if (!parsed.success) return;
    const frame = parsed.data;
    if (frame.t === 'evt') {
      if (!isEventName(frame.e)) return;
      const p = EVENTS[frame.e].safeParse(frame.p);
      if (!p.success) return;
      const evt = { e: frame.e, p: p.data, seq: frame.seq } as AnyEvent;
      for (const l of this.eventListeners) l(evt);
      return;
    }
    if (typeof frame.id !== 'number') return;
    const pending = this.pending.get(frame.id);
    if (!pending) return;
    this.pending.delete(frame.id);
    if (frame.t === 'err') {
      pending.reject(new ViridianError(frame.code, frame.message, frame.hint));
      return;
    }
    const result = METHODS[pending.method].result.safeParse(frame.r);
    if (result.success) pending.resolve(result.data);
    else pending.reject(new ViridianError('PROTOCOL', `The engine sent a malformed answer to ${pending.method}.`));
  }

  private handleClose(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    for (const p of this.pending.values()) {
      p.reject(new ViridianError('PROTOCOL', `The connection to the engine closed: ${reason}`, 'Check that the engine (viridian host) is running.'));
    }
    this.pending.clear();
    for (const l of this.closeListeners) l(reason);
  }
}
