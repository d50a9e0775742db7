import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EngineLifecycle } from '../../core/contract/bridge';
import { EngineProcess, type EngineChild } from './engine-process';

// EngineProcess against the real engine bundle (.vite/build/host.cjs as the
// app ships it). Electron's utilityProcess cannot run on this machine, so the
// child is a Node process whose `process.parentPort` and MessagePorts are a
// stand-in relayed over Node IPC (PARENT_PORT_STAND_IN below).

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const PARENT_PORT_STAND_IN = `
const { EventEmitter } = require('node:events');
const ports = new Map();
function makePort(id) {
  const p = new EventEmitter();
  p.postMessage = (data) => process.send({ port: id, data });
  p.start = () => {};
  p.close = () => {};
  return p;
}
const parent = new EventEmitter();
parent.postMessage = (m) => process.send({ parent: m });
process.on('message', (m) => {
  if ('parent' in m) {
    const list = (m.ports || []).map((id) => { const p = makePort(id); ports.set(id, p); return p; });
    parent.emit('message', { data: m.parent, ports: list });
  } else if ('port' in m) {
    ports.get(m.port)?.emit('message', { data: m.data });
  }
});
process.parentPort = parent;
`;

/** The window's end of a port: frames it sends and the ones it got back. */
class RelayPort {
  private static next = 1;
  readonly id = RelayPort.next++;
  readonly received: unknown[] = [];
  child: ChildProcess | null = null;
  send(frame: object): void {
    this.child?.send({ port: this.id, data: JSON.stringify(frame) });
  }
  async next(): Promise<unknown> {
    const deadline = Date.now() + 20_000;
    while (this.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.received.shift();
  }
}

let work = '';
let hostBundle = '';
let shim = '';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'viridian-engine-proc-'));
  const { build } = await import('vite');
  await build({ configFile: join(repo, 'electron/vite.host.config.ts'), logLevel: 'silent', build: { outDir: join(work, 'build'), sourcemap: false } });
  hostBundle = join(work, 'build', 'host.cjs');
  shim = join(work, 'parent-port-stand-in.cjs');
  await writeFile(shim, PARENT_PORT_STAND_IN);
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

function supervise(dataDir: string) {
  const states: EngineLifecycle[] = [];
  const children: ChildProcess[] = [];
  const ports = new Map<number, RelayPort>();
  const engine = new EngineProcess<RelayPort>({
    fork: () => {
      const cp = fork(hostBundle, ['--data', dataDir], { execArgv: ['-r', shim], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      children.push(cp);
      const child = {
        stdout: cp.stdout,
        stderr: cp.stderr,
        postMessage(message: unknown, transfer?: RelayPort[]) {
          for (const p of transfer ?? []) {
            p.child = cp;
            ports.set(p.id, p);
          }
          cp.send({ parent: message, ports: (transfer ?? []).map((p) => p.id) });
        },
        kill: () => cp.kill('SIGKILL'),
        on(event: string, listener: (arg: never) => void) {
          if (event === 'message') {
            cp.on('message', (m: { parent?: unknown; port?: number; data?: string }) => {
              if ('parent' in m) (listener as (x: unknown) => void)(m.parent);
              else if (m.port !== undefined && m.data !== undefined) ports.get(m.port)?.received.push(JSON.parse(m.data));
            });
          } else {
            cp.on('exit', (code) => (listener as (c: number) => void)(code ?? 137));
          }
          return child;
        },
      };
      return child as unknown as EngineChild<RelayPort>;
    },
    onLifecycle: (s) => states.push(s),
    log: () => {},
  });
  const until = async (pred: () => boolean, what: string, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; lifecycle so far: ${JSON.stringify(states)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { engine, states, children, until };
}

describe('EngineProcess with the real engine bundle', { timeout: 120_000 }, () => {
  let dataDir = '';
  const running: EngineProcess<RelayPort>[] = [];
  afterEach(async () => {
    for (const e of running.splice(0)) await e.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('hands a port asked for before ready to the engine, which answers on it', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'viridian-engine-data-'));
    const h = supervise(dataDir);
    running.push(h.engine);
    const port = new RelayPort();
    h.engine.start();
    h.engine.connect(port);
    await h.until(() => h.engine.isUp, 'ready');
    port.send({ t: 'req', id: 1, m: 'host.info', p: {} });
    expect(await port.next()).toMatchObject({ t: 'res', id: 1, r: expect.any(Object) });
  });

  it('restarts a killed engine, which takes its data folder back and serves new ports', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'viridian-engine-data-'));
    const h = supervise(dataDir);
    running.push(h.engine);
    h.engine.start();
    await h.until(() => h.engine.isUp, 'first ready');
    h.children[0]?.kill('SIGKILL');
    await h.until(() => h.states.some((s) => s.state === 'restarting'), 'restarting');
    await h.until(() => h.engine.isUp && h.children.length === 2, 'second ready');
    expect(h.states.map((s) => s.state)).toEqual(['up', 'restarting', 'up']);
    const port = new RelayPort();
    h.engine.connect(port);
    port.send({ t: 'req', id: 7, m: 'vm.list', p: {} });
    expect(await port.next()).toEqual({ t: 'res', id: 7, r: [] });
  });

  it('reports a second engine on the same data folder as failed, with the reason', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'viridian-engine-data-'));
    const first = supervise(dataDir);
    running.push(first.engine);
    first.engine.start();
    await first.until(() => first.engine.isUp, 'first ready');
    const second = supervise(dataDir);
    running.push(second.engine);
    second.engine.start();
    await second.until(() => second.states.length > 0, 'second engine lifecycle');
    expect(second.states[0]).toMatchObject({ state: 'failed', reason: expect.stringMatching(/Another Viridian engine .* is using the data folder.*Retrying in 1 s\.$/) });
  });

  it('stops the engine with a shutdown message, without a restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'viridian-engine-data-'));
    const h = supervise(dataDir);
    h.engine.start();
    await h.until(() => h.engine.isUp, 'ready');
    const exited = new Promise<number | null>((done) => h.children[0]?.once('exit', (code) => done(code)));
    const t0 = Date.now();
    await h.engine.stop();
    expect(await exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    await new Promise((r) => setTimeout(r, 800));
    expect(h.children).toHaveLength(1);
    expect(h.states).toEqual([{ state: 'up' }]);
  });
});
