import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { EngineLifecycle } from '../../core/contract/bridge';
import { EngineProcess, type EngineChild } from './engine-process';

/** A stand-in for Electron's UtilityProcess, which cannot run on this machine. */
class FakeChild extends EventEmitter implements EngineChild<string> {
  readonly posted: { message: unknown; transfer?: string[] }[] = [];
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  killed = false;
  postMessage(message: unknown, transfer?: string[]): void {
    this.posted.push(transfer ? { message, transfer } : { message });
    if ((message as { type?: string }).type === 'shutdown') queueMicrotask(() => this.emit('exit', 0));
  }
  kill(): boolean {
    this.killed = true;
    queueMicrotask(() => this.emit('exit', 143));
    return true;
  }
}

function harness() {
  const children: FakeChild[] = [];
  const states: EngineLifecycle[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  let clock = 0;
  const engine = new EngineProcess<string>({
    fork: () => {
      const c = new FakeChild();
      children.push(c);
      return c;
    },
    onLifecycle: (s) => states.push(s),
    log: () => {},
    now: () => clock,
    setTimer: (fn, ms) => {
      const t = { fn, ms };
      timers.push(t);
      return () => timers.splice(timers.indexOf(t), 1);
    },
  });
  const fireTimers = () => {
    for (const t of timers.splice(0)) t.fn();
  };
  return { engine, children, states, timers, fireTimers, advance: (ms: number) => (clock += ms) };
}

const connects = (c: FakeChild) => c.posted.filter((p) => (p.message as { type: string }).type === 'connect').map((p) => p.transfer?.[0]);

describe('EngineProcess', () => {
  it('holds ports until the engine is ready, then hands them over', () => {
    const h = harness();
    h.engine.start();
    h.engine.connect('port-a');
    const child = h.children[0]!;
    expect(connects(child)).toEqual([]);
    child.emit('message', { type: 'ready', dataDir: '/data' });
    expect(connects(child)).toEqual(['port-a']);
    h.engine.connect('port-b');
    expect(connects(child)).toEqual(['port-a', 'port-b']);
    expect(h.states).toEqual([{ state: 'up' }]);
  });

  it('restarts a crashed engine with backoff and says why', () => {
    const h = harness();
    h.engine.start();
    h.children[0]!.emit('message', { type: 'ready', dataDir: '/d' });
    h.children[0]!.stderr.write('Error: out of cheese\n');
    h.children[0]!.emit('exit', 1);
    expect(h.states.at(-1)).toEqual({ state: 'restarting', reason: 'the engine process exited with code 1: Error: out of cheese' });
    expect(h.timers.map((t) => t.ms)).toEqual([500]);
    // A window asking while it is down is served by the new engine.
    h.engine.connect('port-c');
    h.fireTimers();
    expect(h.children).toHaveLength(2);
    h.children[1]!.emit('message', { type: 'ready', dataDir: '/d' });
    expect(connects(h.children[1]!)).toEqual(['port-c']);
    expect(h.states.at(-1)).toEqual({ state: 'up' });

    // Crashing again soon doubles the delay; after a healthy minute it starts over.
    h.children[1]!.emit('exit', 2);
    expect(h.timers.map((t) => t.ms)).toEqual([1000]);
    h.fireTimers();
    h.children[2]!.emit('message', { type: 'ready', dataDir: '/d' });
    h.advance(120_000);
    h.children[2]!.emit('exit', 3);
    expect(h.timers.map((t) => t.ms)).toEqual([500]);
  });

  it('reports a fatal start (e.g. data folder locked) as failed and keeps retrying', () => {
    const h = harness();
    h.engine.start();
    h.children[0]!.emit('message', { type: 'fatal', code: 'ENGINE_LOCKED', message: 'Another engine is using /d.', hint: 'Stop it first.' });
    h.children[0]!.emit('exit', 1);
    expect(h.states).toEqual([{ state: 'failed', reason: 'Another engine is using /d. Stop it first. Retrying in 1 s.' }]);
    h.fireTimers();
    expect(h.children).toHaveLength(2);
  });

  it('says failed after repeated crashes before ready', () => {
    const h = harness();
    h.engine.start();
    for (let i = 0; i < 5; i++) {
      h.children.at(-1)!.emit('exit', 1);
      h.fireTimers();
    }
    expect(h.states.slice(0, 4).every((s) => s.state === 'restarting')).toBe(true);
    expect(h.states[4]?.state).toBe('failed');
  });

  it('stops cleanly without restarting', async () => {
    const h = harness();
    h.engine.start();
    h.children[0]!.emit('message', { type: 'ready', dataDir: '/d' });
    await h.engine.stop();
    expect(h.children[0]!.posted.at(-1)).toEqual({ message: { type: 'shutdown' } });
    expect(h.children[0]!.killed).toBe(false);
    expect(h.timers).toEqual([]);
    expect(h.children).toHaveLength(1);
  });

  it('kills an engine that ignores shutdown', async () => {
    const h = harness();
    h.engine.start();
    const child = h.children[0]!;
    child.postMessage = () => {};
    const stopping = h.engine.stop(100);
    await Promise.resolve();
    h.fireTimers();
    await stopping;
    expect(child.killed).toBe(true);
  });

  it('ignores messages from an engine that already exited', () => {
    const h = harness();
    h.engine.start();
    const first = h.children[0]!;
    first.emit('exit', 1);
    h.fireTimers();
    first.emit('message', { type: 'ready', dataDir: '/d' });
    expect(h.engine.isUp).toBe(false);
  });
});
