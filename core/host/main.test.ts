import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = new URL('./main.ts', import.meta.url).href;
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Stand-in for Electron's utilityProcess (named as such: there is no Electron
 * binary on the test machine). It provides `process.parentPort` and
 * MessagePortMain-shaped ports, then loads core/host/main.ts as the real entry,
 * so the real engine runs behind it. Every message to the parent and every
 * frame a "window" receives is printed as one JSON line.
 */
const HARNESS = `
import { EventEmitter } from 'node:events';
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const parent = new EventEmitter();
const answered = new Set();
// Like MessagePortMain: messages sent before start() wait in a queue.
function makePort(win) {
  const port = new EventEmitter();
  let queue = [];
  port.deliver = (data) => (queue ? queue.push(data) : port.emit('message', { data }));
  port.start = () => { const q = queue; queue = null; for (const d of q) port.emit('message', { data: d }); };
  port.close = () => port.emit('close');
  port.postMessage = (text) => {
    say({ win, frame: JSON.parse(text) });
    answered.add(win);
    if (answered.has('b') && answered.has('early')) parent.emit('message', { data: { type: 'shutdown' }, ports: [] });
  };
  return port;
}
parent.postMessage = (m) => {
  say({ parent: m });
  if (m.type !== 'ready') return;
  for (const win of ['a', 'b']) {
    const port = makePort(win);
    port.deliver(JSON.stringify({ t: 'req', id: 1, m: win === 'a' ? 'host.info' : 'vm.list', p: {} }));
    if (win === 'a') port.deliver('not json');
    parent.emit('message', { data: { type: 'connect' }, ports: [port] });
  }
};
process.parentPort = parent;
await import(process.env.MAIN_URL);
// A window that connects while the engine is still opening is served once it is open.
const early = makePort('early');
early.deliver(JSON.stringify({ t: 'req', id: 9, m: 'job.list', p: {} }));
parent.emit('message', { data: { type: 'connect' }, ports: [early] });
`;

interface Outcome {
  code: number | null;
  lines: Record<string, unknown>[];
}

function runUtility(dataDir: string, harness: string): Promise<Outcome> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', harness, '--data', dataDir], {
      cwd: REPO,
      env: { ...process.env, MAIN_URL: MAIN },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      done({ code, lines });
    });
  });
}

describe('core/host/main.ts under a utilityProcess stand-in', () => {
  it('posts ready, serves each connected port, answers bad frames, exits 0 on shutdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viridian-utility-'));
    try {
      const harness = join(dir, 'harness.mjs');
      writeFileSync(harness, HARNESS);
      const data = join(dir, 'data');
      const { code, lines } = await runUtility(data, harness);
      expect(lines[0]).toEqual({ parent: { type: 'ready', dataDir: data } });
      expect(lines).toContainEqual({ win: 'a', frame: expect.objectContaining({ t: 'res', id: 1, r: expect.objectContaining({ dataDir: data }) }) });
      expect(lines).toContainEqual({ win: 'a', frame: expect.objectContaining({ t: 'err', id: null, code: 'PROTOCOL' }) });
      expect(lines).toContainEqual({ win: 'b', frame: { t: 'res', id: 1, r: [] } });
      expect(lines).toContainEqual({ win: 'early', frame: { t: 'res', id: 9, r: [] } });
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('posts fatal DATA_DIR_LOCKED and exits non-zero when another engine holds the data dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viridian-utility-'));
    const { runHost } = await import('./main');
    const data = join(dir, 'data');
    const host = await runHost({ dataDir: data, log: () => {} });
    try {
      const harness = join(dir, 'harness.mjs');
      writeFileSync(harness, HARNESS);
      const { code, lines } = await runUtility(data, harness);
      expect(lines.filter((l) => 'parent' in l)).toEqual([{ parent: { type: 'fatal', code: 'DATA_DIR_LOCKED', message: expect.any(String), hint: expect.any(String) } }]);
      expect(code).not.toBe(0);
    } finally {
      await host.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
