import { MAX_FRAME_BYTES, ReqFrameSchema, isMethodName, issuesSentence, toErrorInfo, type ErrorInfo } from '../contract';
import type { EngineEvent, EngineService } from '../engine/service';

/** One connected client on any transport. */
export interface Peer {
  send(text: string): void;
}

function errFrame(id: number | string | null, info: ErrorInfo): string {
  return JSON.stringify({ t: 'err', id, ...info });
}

/**
 * Validates frames from a peer, calls the engine, and forwards events to the
 * peer once it has subscribed (events after its snapshot's seq only).
 */
export class Dispatcher {
  private readonly subscribed = new Map<Peer, number>();
  private readonly unlisten: () => void;

  constructor(private readonly engine: EngineService) {
    this.unlisten = engine.onEvent((evt) => this.broadcast(evt));
  }

  dispose(): void {
    this.unlisten();
    this.subscribed.clear();
  }

  detach(peer: Peer): void {
    this.subscribed.delete(peer);
  }

  async handle(peer: Peer, text: string): Promise<void> {
    if (text.length > MAX_FRAME_BYTES) {
      peer.send(errFrame(null, { code: 'PROTOCOL', message: `A frame of ${text.length} bytes is over the ${MAX_FRAME_BYTES}-byte limit.` }));
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      peer.send(errFrame(null, { code: 'PROTOCOL', message: 'The frame is not valid JSON.' }));
      return;
    }
    const frame = ReqFrameSchema.safeParse(raw);
    if (!frame.success) {
      const id = typeof raw === 'object' && raw !== null && 'id' in raw ? (raw as { id: unknown }).id : null;
      const safeId = typeof id === 'number' || typeof id === 'string' ? id : null;
      peer.send(errFrame(safeId, { code: 'PROTOCOL', message: `Malformed request: ${issuesSentence(frame.error.issues)}.` }));
      return;
    }
    const { id, m, p } = frame.data;
    if (!isMethodName(m)) {
      peer.send(errFrame(id, { code: 'PROTOCOL', message: `Unknown method "${m}".` }));
      return;
    }
    try {
      // The engine validates params against METHODS[m] itself.
      const result: unknown = await this.engine.invoke(m, (p ?? {}) as never);
      if (m === 'session.subscribe') this.subscribed.set(peer, (result as { seq: number }).seq);
      peer.send(JSON.stringify({ t: 'res', id, r: result }));
    } catch (err) {
      peer.send(errFrame(id, toErrorInfo(err)));
    }
  }

  private broadcast(evt: EngineEvent): void {
    let text: string | null = null;
    for (const [peer, since] of this.subscribed) {
      if (evt.seq <= since) continue;
      text ??= JSON.stringify({ t: 'evt', e: evt.e, p: evt.p, seq: evt.seq });
      try {
        peer.send(text);
      } catch {
        this.subscribed.delete(peer);
      }
    }
  }
}
