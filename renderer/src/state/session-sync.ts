import type { AnyEvent, EngineClient, Snapshot } from '../../../core/contract';

export interface SessionSink {
  /** A fresh snapshot: replaces everything, and queued events must be dropped. */
  snapshot(snap: Snapshot): void;
  /** Events in order, exactly following the last snapshot or event. */
  events(events: readonly AnyEvent[]): void;
  /** The snapshot request failed (the connection will usually be lost too). */
  failed(err: unknown): void;
}

/**
 * Subscribes a client: snapshot first, then events whose seq follows on
 * exactly. A gap (a lost or reordered event) means re-snapshot, never guess.
 * `resync` asks for a fresh snapshot (Refresh); `stop` stops listening.
 */
export function syncSession(
  client: Pick<EngineClient, 'call' | 'onEvent'>,
  sink: SessionSink,
): { stop: () => void; resync: () => void } {
  let lastSeq: number | null = null; // null while a snapshot is on its way
  let buffer: AnyEvent[] = [];
  let generation = 0;
  let stopped = false;

  const accept = (evt: AnyEvent): boolean => {
    if (lastSeq === null) return true;
    if (evt.seq <= lastSeq) return true; // already in the snapshot, or a duplicate
    if (evt.seq !== lastSeq + 1) return false;
    lastSeq = evt.seq;
    sink.events([evt]);
    return true;
  };

  const subscribe = (): void => {
    const gen = ++generation;
    lastSeq = null;
    buffer = [];
    client.call('session.subscribe', {}).then(
      (snap) => {
        if (stopped || gen !== generation) return;
        sink.snapshot(snap);
        lastSeq = snap.seq;
        const early = buffer.sort((a, b) => a.seq - b.seq);
        buffer = [];
        for (const evt of early) {
          if (!accept(evt)) {
            subscribe();
            return;
          }
        }
      },
      (err: unknown) => {
        if (stopped || gen !== generation) return;
        sink.failed(err);
      },
    );
  };

  const unlisten = client.onEvent((evt) => {
    if (stopped) return;
    if (lastSeq === null) {
      buffer.push(evt);
      return;
    }
    if (!accept(evt)) subscribe();
  });

  subscribe();
  return {
    stop: () => {
      stopped = true;
      unlisten();
    },
    resync: () => {
      if (!stopped) subscribe();
    },
  };
}
