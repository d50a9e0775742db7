import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../../core/contract';
import { makeSnapshot, makeVm, upsert } from '../test-support/fixtures';
import { applyEvents, createConsoleStore, loadSnapshot } from './console-store';
import { EventBatcher } from './event-batcher';

function manualFrames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (cb: () => void) => queue.push(cb),
    frame: () => queue.splice(0).forEach((cb) => cb()),
    pending: () => queue.length,
  };
}

describe('event batcher', () => {
  it('applies everything received within a frame once, in order', () => {
    const frames = manualFrames();
    const batches: AnyEvent[][] = [];
    const b = new EventBatcher((e) => batches.push([...e]), frames.schedule);
    b.push([upsert(makeVm('a'), 1)]);
    b.push([upsert(makeVm('b'), 2)]);
    b.push([upsert(makeVm('c'), 3)]);
    expect(frames.pending()).toBe(1);
    expect(batches).toHaveLength(0);
    frames.frame();
    expect(batches.map((x) => x.map((e) => e.seq))).toEqual([[1, 2, 3]]);
  });

  it('drops queued events when a snapshot supersedes them', () => {
    const frames = manualFrames();
    const batches: AnyEvent[][] = [];
    const b = new EventBatcher((e) => batches.push([...e]), frames.schedule);
    b.push([upsert(makeVm('a'), 1)]);
    b.discard();
    frames.frame();
    expect(batches).toHaveLength(0);
    b.push([upsert(makeVm('b'), 2)]);
    frames.frame();
    expect(batches).toHaveLength(1);
  });

  it('feeds the store with one update per frame', () => {
    const frames = manualFrames();
    const store = createConsoleStore();
    loadSnapshot(store, makeSnapshot([], 0));
    let updates = 0;
    store.subscribe(() => updates++);
    const b = new EventBatcher((e) => applyEvents(store, e), frames.schedule);
    for (let i = 1; i <= 500; i++) b.push([upsert(makeVm(`vm${i}`), i)]);
    frames.frame();
    expect(updates).toBe(1);
    expect(store.getState().sortedIds).toHaveLength(500);
  });
});
