import type { AnyEvent } from '../../../core/contract';

export type FrameScheduler = (cb: () => void) => void;

const defaultScheduler: FrameScheduler = (cb) => {
  // Hidden tabs get no animation frames; a timer keeps the store current for when they return.
  if (typeof document !== 'undefined' && document.hidden) setTimeout(cb, 250);
  else requestAnimationFrame(() => cb());
};

/**
 * Collects events and applies them once per animation frame, so a burst of
 * updates for thousands of VMs costs one store update and one render.
 */
export class EventBatcher {
  private queue: AnyEvent[] = [];
  private scheduled = false;
  private generation = 0;

  constructor(
    private readonly apply: (events: readonly AnyEvent[]) => void,
    private readonly schedule: FrameScheduler = defaultScheduler,
  ) {}

  push(events: readonly AnyEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) this.queue.push(e);
    if (this.scheduled) return;
    this.scheduled = true;
    const gen = this.generation;
    this.schedule(() => {
      if (gen !== this.generation) return; // discarded by a re-snapshot
      this.flush();
    });
  }

  /** Applies everything queued now. */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length > 0) this.apply(batch);
  }

  /** Drops queued events (a fresh snapshot supersedes them). */
  discard(): void {
    this.queue = [];
    this.scheduled = false;
    this.generation++;
  }

  get pending(): number {
    return this.queue.length;
  }
}
