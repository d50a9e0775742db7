import { describe, expect, it, vi } from 'vitest';
import type { AnyEvent, Snapshot } from '../../../core/contract';
import { makeSnapshot, makeVm, upsert } from '../test-support/fixtures';
import { syncSession, type SessionSink } from './session-sync';

function fakeClient() {
  let listener: ((e: AnyEvent) => void) | null = null;
  const answers: ((s: Snapshot) => void)[] = [];
  const client = {
    call: vi.fn(() => new Promise<Snapshot>((resolve) => answers.push(resolve))),
    onEvent: (cb: (e: AnyEvent) => void) => {
      listener = cb;
      return () => {
        listener = null;
      };
    },
  };
  return {
    client: client as unknown as Parameters<typeof syncSession>[0],
    emit: (e: AnyEvent) => listener?.(e),
    answer: (s: Snapshot) => answers.shift()?.(s),
    calls: () => client.call.mock.calls.length,
  };
}

function sink() {
  const log: string[] = [];
  const s: SessionSink = {
    snapshot: (snap) => log.push(`snapshot@${snap.seq}`),
    events: (evts) => evts.forEach((e) => log.push(`evt@${e.seq}`)),
    failed: () => log.push('failed'),
  };
  return { s, log };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('session sync', () => {
  it('applies the snapshot, then events that follow it exactly', async () => {
    const c = fakeClient();
    const { s, log } = sink();
    syncSession(c.client, s);
    c.answer(makeSnapshot([makeVm('a')], 10));
    await flush();
    c.emit(upsert(makeVm('b'), 11));
    c.emit(upsert(makeVm('c'), 12));
    expect(log).toEqual(['snapshot@10', 'evt@11', 'evt@12']);
  });

  it('buffers events that arrive before the snapshot and drops those it already contains', async () => {
    const c = fakeClient();
    const { s, log } = sink();
    syncSession(c.client, s);
    c.emit(upsert(makeVm('x'), 10));
    c.emit(upsert(makeVm('y'), 11));
    c.answer(makeSnapshot([], 10));
    await flush();
    expect(log).toEqual(['snapshot@10', 'evt@11']);
  });

  it('re-subscribes (re-snapshots) on a gap in seq', async () => {
    const c = fakeClient();
    const { s, log } = sink();
    syncSession(c.client, s);
    c.answer(makeSnapshot([], 10));
    await flush();
    c.emit(upsert(makeVm('a'), 11));
    c.emit(upsert(makeVm('b'), 13)); // 12 was lost
    expect(c.calls()).toBe(2);
    c.emit(upsert(makeVm('c'), 14)); // buffered while the new snapshot is on its way
    c.answer(makeSnapshot([], 13));
    await flush();
    expect(log).toEqual(['snapshot@10', 'evt@11', 'snapshot@13', 'evt@14']);
  });

  it('ignores a duplicate event', async () => {
    const c = fakeClient();
    const { s, log } = sink();
    syncSession(c.client, s);
    c.answer(makeSnapshot([], 1));
    await flush();
    c.emit(upsert(makeVm('a'), 2));
    c.emit(upsert(makeVm('a'), 2));
    expect(log).toEqual(['snapshot@1', 'evt@2']);
    expect(c.calls()).toBe(1);
  });

  it('resync asks for a fresh snapshot; stop stops listening', async () => {
    const c = fakeClient();
    const { s, log } = sink();
    const session = syncSession(c.client, s);
    c.answer(makeSnapshot([], 1));
    await flush();
    session.resync();
    c.answer(makeSnapshot([], 5));
    await flush();
    session.stop();
    c.emit(upsert(makeVm('a'), 6));
    expect(log).toEqual(['snapshot@1', 'snapshot@5']);
  });
});
