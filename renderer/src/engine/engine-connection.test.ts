import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineLifecycle, Transport } from '../../../core/contract';
import { EngineConnection, type ConnectionStatus } from './engine-connection';

function fakeTransport() {
  let onClose: ((r: string) => void) | null = null;
  const sent: string[] = [];
  const t: Transport = {
    send: (x) => void sent.push(x),
    onMessage: () => undefined,
    onClose: (cb) => {
      onClose = cb;
    },
    close: () => undefined,
  };
  return { t, drop: (r: string) => onClose?.(r), sent };
}

describe('engine connection', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('connects, reports a drop with a retry time, and reconnects with backoff', async () => {
    const statuses: ConnectionStatus[] = [];
    const transports = [fakeTransport(), fakeTransport()];
    let opened = 0;
    const onClient = vi.fn();
    const c = new EngineConnection({
      open: () => {
        const tr = transports[opened++];
        return tr ? Promise.resolve(tr.t) : Promise.reject(new Error('down'));
      },
      onClient,
      onStatus: (s) => statuses.push(s),
      now: () => 1000,
    });
    c.start();
    await vi.runAllTicks();
    await Promise.resolve();
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'connected']);
    expect(onClient).toHaveBeenCalledTimes(1);

    transports[0]?.drop('the connection dropped');
    expect(statuses.at(-1)).toEqual({ state: 'lost', reason: 'the connection dropped', attempt: 1, retryAt: 1250 });
    await expect(c.call('host.info', {})).rejects.toMatchObject({ code: 'PROTOCOL' });

    await vi.advanceTimersByTimeAsync(250);
    expect(statuses.at(-1)?.state).toBe('connected');
    expect(onClient).toHaveBeenCalledTimes(2);
    c.stop();
  });

  it('keeps retrying while the engine is down, with growing delays', async () => {
    const statuses: ConnectionStatus[] = [];
    const c = new EngineConnection({
      open: () => Promise.reject(new Error('refused')),
      onClient: () => undefined,
      onStatus: (s) => statuses.push(s),
      now: () => 0,
    });
    c.start();
    await vi.advanceTimersByTimeAsync(250 + 500 + 1000);
    const lost = statuses.filter((s): s is Extract<ConnectionStatus, { state: 'lost' }> => s.state === 'lost');
    expect(lost.map((s) => s.retryAt)).toEqual([250, 500, 1000, 2000]);
    expect(lost[0]?.reason).toBe('refused');
    c.stop();
  });

  it('shows the shell’s reason when Electron says the engine restarts, and reconnects when it is up', async () => {
    let lifecycle: ((l: EngineLifecycle) => void) | null = null;
    const statuses: ConnectionStatus[] = [];
    const tr = fakeTransport();
    const c = new EngineConnection({
      open: () => Promise.resolve(tr.t),
      onClient: () => undefined,
      onStatus: (s) => statuses.push(s),
      lifecycle: (cb) => {
        lifecycle = cb;
        return () => undefined;
      },
    });
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(statuses.at(-1)?.state).toBe('connected');
    (lifecycle as ((l: EngineLifecycle) => void) | null)?.({ state: 'restarting', reason: 'it crashed' });
    expect(statuses.at(-1)).toMatchObject({ state: 'lost', reason: 'The engine is restarting: it crashed' });
    (lifecycle as ((l: EngineLifecycle) => void) | null)?.({ state: 'up' });
    await vi.advanceTimersByTimeAsync(0);
    expect(statuses.at(-1)?.state).toBe('connected');
    c.stop();
  });
});
