// The host service ("Server Core" mode) as an administrator meets it: a real
// `viridian host --listen` process. Each claim of the issue is checked here.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../contract';
import { selfSignedCert } from '../testing/tls-cert';
import { pinnedTlsOptions } from './ws-client';
import { connectWebSocket } from './ws-client';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'bin/viridian.mjs');

interface HostProc {
  child: ChildProcess;
  lines: string[];
  text: () => string;
  stop(): Promise<number | null>;
}

const dirs: string[] = [];
const procs: ChildProcess[] = [];
afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** Starts `viridian host ARGS` and waits until it printed `until`. */
async function startHost(args: string[], until: RegExp, opts: { bin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<HostProc> {
  const child = spawn(process.execPath, [...(opts.env?.['VIRIDIAN_LOAD_LOG'] ? ['--import', join(REPO, 'core/testing/load-trace.mjs')] : []), opts.bin ?? BIN, 'host', ...args], {
    cwd: tmpdir(),
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.push(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  await new Promise<void>((done, fail) => {
    const timer = setInterval(() => {
      if (until.test(out)) {
        clearInterval(timer);
        done();
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        fail(new Error(`host exited (${child.exitCode}): ${out}`));
      }
    }, 50);
  });
  return {
    child,
    get lines() {
      return out.split('\n');
    },
    text: () => out,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done(child.exitCode);
        child.once('exit', (code) => done(code));
        child.kill('SIGTERM');
      }),
  };
}

function wsUrlOf(h: HostProc): string {
  return /websocket: (\S+)/.exec(h.text())?.[1] ?? '';
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, headers: Record<string, string> = {}, tls?: object): Promise<HttpAnswer> {
  return new Promise((done, fail) => {
    const req = (url.startsWith('https') ? httpsRequest : httpRequest)(url, { headers, ...(tls ?? {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** A raw WebSocket upgrade with the given token: the status line and body the server answers. */
function upgrade(url: string, token: string | null, tls?: object): Promise<HttpAnswer> {
  const headers: Record<string, string> = { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' };
  headers['Sec-WebSocket-Protocol'] = token === null ? 'viridian.v1' : `viridian.v1, viridian.token.${token}`;
  return new Promise((done, fail) => {
    const req = (url.startsWith('https') || url.startsWith('wss') ? httpsRequest : httpRequest)(url.replace(/^ws/, 'http'), { headers, ...(tls ?? {}) });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      done({ status: res.statusCode ?? 101, headers: res.headers, body: '' });
    });
    req.on('error', fail);
    req.end();
  });
}

/** Nothing about the host in a refusal: no name, version, data dir, server header. */
function revealsNothing(a: HttpAnswer, data: string): void {
  expect(a.body).toBe('Unauthorized\n');
  const all = JSON.stringify(a.headers);
  expect(a.headers['server']).toBeUndefined();
  expect(a.headers['x-powered-by']).toBeUndefined();
  for (const secret of [hostname(), data, 'viridian', 'qemu', 'Viridian']) expect(all).not.toContain(secret);
}

describe('viridian host --listen (Server Core mode)', () => {
  it('creates a token on first run (0600), prints it once, and keeps it across restarts', async () => {
    const data = tempDir('viridian-hs-');
    const first = await startHost(['--listen', '127.0.0.1:0', '--data', data], /token: /);
    const token = /^token: (\S+)/m.exec(first.text())?.[1] ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = join(data, 'host-token');
    expect(readFileSync(file, 'utf8').trim()).toBe(token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await first.stop()).toBe(0);

    const second = await startHost(['--listen', '127.0.0.1:0', '--data', data], /websocket: /);
    await new Promise((r) => setTimeout(r, 300));
    expect(second.text()).not.toContain(token);
    expect(second.text()).toMatch(/token:? in .*host-token/);
    // The same token still opens it.
    const client = new EngineClient(await connectWebSocket(wsUrlOf(second), token));
    expect((await client.call('host.info', {})).dataDir).toBe(data);
    client.close();
    expect(await second.stop()).toBe(0);
  });

  it('binds 127.0.0.1 unless told otherwise (":PORT" and "PORT" too)', async () => {
    const data = tempDir('viridian-hs-');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    for (const listen of ['0', ':0']) {
      const h = await startHost(['--listen', listen, '--data', data], /websocket: /);
      const url = wsUrlOf(h);
      expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/api\/ws$/);
      const port = Number(/:(\d+)\//.exec(url)?.[1]);
      expect((await get(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
      if (external) {
        // Not reachable on the machine's other addresses.
        await expect(get(`http://${external}:${port}/api/health`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      }
      expect(await h.stop()).toBe(0);
    }
  });

  it('refuses a wrong or missing token with a bare 401 that reveals nothing', async () => {
    const data = tempDir('viridian-hs-');
    const h = await startHost(['--listen', '127.0.0.1:0', '--data', data], /token: /);
    const url = wsUrlOf(h);
    const base = url.replace(/^ws/, 'http').replace(/\/api\/ws$/, '');
    for (const token of [null, 'x'.repeat(43), '']) {
      const a = await upgrade(url, token);
      expect(a.status).toBe(401);
      revealsNothing(a, data);
    }
    for (const path of ['/api/ws', '/api/migration/00000000-0000-0000-0000-000000000000/f0', '/api/anything']) {
      const a = await get(`${base}${path}`, { Authorization: 'Bearer wrong-token-wrong-token-wrong-token-00' });
      expect(a.status).toBe(401);
      revealsNothing(a, data);
      const b = await get(`${base}${path}`);
      expect(b.status).toBe(401);
      revealsNothing(b, data);
    }
    await expect(connectWebSocket(url, 'y'.repeat(43))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await h.stop();
  });

  it('serves TLS with a given certificate, prints its fingerprint, and a pinned client connects', async () => {
    const dir = tempDir('viridian-hs-tls-');
    const { cert, key, fingerprint256 } = selfSignedCert(dir);
    const data = join(dir, 'data');
    const h = await startHost(['--listen', '127.0.0.1:0', '--data', data, '--tls-cert', cert, '--tls-key', key], /token: /);
    const url = wsUrlOf(h);
    expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/api\/ws$/);
    expect(h.text()).toContain(`tls: certificate SHA-256 fingerprint ${fingerprint256}`);
    const token = /^token: (\S+)/m.exec(h.text())?.[1] ?? '';
    const certPem = readFileSync(cert, 'utf8');
    const pin = { certPem, fingerprint256 };

    // Plain HTTP to a TLS port gets nowhere; an unpinned TLS client refuses the self-signed certificate.
    await expect(get(url.replace(/^wss/, 'http').replace(/\/api\/ws$/, '/api/health'))).rejects.toBeTruthy();
    await expect(connectWebSocket(url, token)).rejects.toMatchObject({ code: 'PROTOCOL' });
    // A pin with another fingerprint is refused before the token is sent.
    await expect(connectWebSocket(url, token, { pin: { certPem, fingerprint256: 'AA:'.repeat(31) + 'AA' } })).rejects.toMatchObject({ code: 'PROTOCOL' });

    const client = new EngineClient(await connectWebSocket(url, token, { pin }));
    expect((await client.call('host.info', {})).dataDir).toBe(data);
    client.close();
    const refused = await upgrade(url, 'z'.repeat(43), pinnedTlsOptions(pin));
    expect(refused.status).toBe(401);
    revealsNothing(refused, data);
    await h.stop();
  });

  it('loads no UI code and needs no renderer/dist', async () => {
    // A checkout with only what the host needs: no renderer/, no electron/.
    const root = tempDir('viridian-hs-core-');
    for (const part of ['core', 'bin', 'package.json', 'tsconfig.base.json']) cpSync(join(REPO, part), join(root, part), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
    expect(existsSync(join(root, 'renderer'))).toBe(false);
    const data = join(root, 'data');
    mkdirSync(data);
    const log = join(root, 'loaded.txt');
    writeFileSync(log, '');
    const h = await startHost(['--listen', '127.0.0.1:0', '--data', data], /token: /, { bin: join(root, 'bin/viridian.mjs'), env: { VIRIDIAN_LOAD_LOG: log } });
    const url = wsUrlOf(h);
    const token = /^token: (\S+)/m.exec(h.text())?.[1] ?? '';
    const client = new EngineClient(await connectWebSocket(url, token));
    expect((await client.call('vm.list', {}))).toEqual([]);
    client.close();
    // No console to serve: the API answers, the page does not exist.
    expect((await get(url.replace(/^ws/, 'http').replace(/\/api\/ws$/, '/'))).status).toBe(404);
    await h.stop();
    const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(loaded.some((u) => u.includes('/core/host/main.ts'))).toBe(true);
    const ui = loaded.filter((u) => /\/(renderer|electron)\/|node_modules\/(react|react-dom|@fluentui|electron|zustand|@novnc)\//.test(u));
    expect(ui).toEqual([]);
  });
});
