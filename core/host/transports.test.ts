import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { EngineClient, ViridianError } from '../contract';
import { openEngine } from '../engine/engine';
import { connectControlSocket, controlSocketPath, startControlSocket } from './control-socket';
import { Dispatcher } from './dispatch';
import { LineSplitter } from './frames';
import { parseListen, runHost, type RunningHost } from './main';
import { loadOrCreateToken, tokenMatches } from './token';
import { CONTENT_SECURITY_POLICY, resolveStatic } from './web-server';
import { connectWebSocket, toWebSocketUrl } from './ws-client';

const isPosix = process.platform !== 'win32';

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends the path exactly as given (no client-side normalisation). */
function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', fail);
    req.end();
  });
}

function upgradeHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
    ...extra,
  };
}

function openRaw(url: string, protocols: string[] = [], headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((done, fail) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.once('open', () => done(ws));
    ws.once('error', fail);
  });
}

function nextMessage(ws: WebSocket): Promise<unknown> {
  return new Promise((done) => ws.once('message', (d: Buffer) => done(JSON.parse(d.toString('utf8')))));
}

describe('LineSplitter', () => {
  it('splits lines across chunks, multi-byte characters included, and refuses overlong lines', () => {
    const lines: string[] = [];
    let overflow = 0;
    const s = new LineSplitter((l) => lines.push(l), () => overflow++, 16);
    const euro = Buffer.from('€');
    s.push(Buffer.from('{"a":1}\n{"b":'));
    s.push(Buffer.concat([Buffer.from('"'), euro.subarray(0, 1)]));
    s.push(Buffer.concat([euro.subarray(1), Buffer.from('"}\r\n\n')]));
    expect(lines).toEqual(['{"a":1}', '{"b":"€"}']);
    s.push('x'.repeat(17));
    expect(overflow).toBe(1);
  });
});

describe('host token', () => {
  it('is created once with mode 0600 and read back afterwards', async () => {
    const dir = tempDir('viridian-token-');
    try {
      const first = await loadOrCreateToken(dir);
      expect(first.created).toBe(true);
      expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      if (isPosix) expect(statSync(join(dir, 'host-token')).mode & 0o777).toBe(0o600);
      const second = await loadOrCreateToken(dir);
      expect(second).toEqual({ token: first.token, created: false });
      expect(tokenMatches(first.token, second.token)).toBe(true);
      expect(tokenMatches(first.token, `${first.token}x`)).toBe(false);
      expect(tokenMatches(first.token, '')).toBe(false);
      expect(tokenMatches(first.token, null)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a corrupt token file with a hint', async () => {
    const dir = tempDir('viridian-token-');
    try {
      writeFileSync(join(dir, 'host-token'), 'short\n');
      await expect(loadOrCreateToken(dir)).rejects.toMatchObject({ code: 'CONFIG_CORRUPT', hint: expect.any(String) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseListen and URLs', () => {
  it('parses ADDR:PORT forms', () => {
    expect(parseListen('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen('0.0.0.0:9')).toEqual({ host: '0.0.0.0', port: 9 });
    expect(parseListen('localhost:1')).toEqual({ host: '127.0.0.1', port: 1 });
    expect(parseListen('8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    for (const bad of ['foo', '1.2.3.4:70000', '1.2.3.4:', ':x', '::1:80']) expect(() => parseListen(bad)).toThrow(ViridianError);
  });

  it('turns console URLs into socket URLs without the token', () => {
    expect(toWebSocketUrl('http://127.0.0.1:5/?token=abc')).toBe('ws://127.0.0.1:5/api/ws');
    expect(toWebSocketUrl('https://h:5')).toBe('wss://h:5/api/ws');
    expect(toWebSocketUrl('ws://h:5/api/ws')).toBe('ws://h:5/api/ws');
    expect(() => toWebSocketUrl('ftp://h')).toThrow(ViridianError);
  });
});

describe('resolveStatic', () => {
  it('confines paths to the root, symlinks included', async () => {
    const base = tempDir('viridian-static-');
    try {
      const root = join(base, 'dist');
      mkdirSync(join(root, 'assets'), { recursive: true });
      writeFileSync(join(root, 'index.html'), '<!doctype html>');
      writeFileSync(join(root, 'assets', 'app.js'), '1');
      writeFileSync(join(base, 'secret.txt'), 'secret');
      if (isPosix) symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'link.txt'));
      expect(await resolveStatic(root, '/')).toBe(join(root, 'index.html'));
      expect(await resolveStatic(root, '/assets/app.js')).toBe(join(root, 'assets', 'app.js'));
      expect(await resolveStatic(root, '/vms/abc')).toBe(join(root, 'index.html'));
      for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/..%5csecret.txt', '/assets/link.txt', '/%00', '/%E0%A4%A', '/assets/missing.js']) {
        expect(await resolveStatic(root, p)).toBeNull();
      }
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('host transports with the real engine', () => {
  let base: string;
  let dataDir: string;
  let host: RunningHost;
  let port: number;
  let token: string;

  beforeAll(async () => {
    base = tempDir('viridian-host-');
    dataDir = join(base, 'data');
    const staticDir = join(base, 'static');
    mkdirSync(join(staticDir, 'assets'), { recursive: true });
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Viridian</title>');
    writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(base, 'package.json'), '{"name":"secret"}');
    host = await runHost({ dataDir, listen: { host: '127.0.0.1', port: 0 }, web: { staticDir }, log: () => {} });
    port = Number(new URL(host.url ?? '').port);
    token = host.token ?? '';
  });

  afterAll(async () => {
    await host?.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('reports a real port, its URLs and a new token', () => {
    expect(port).toBeGreaterThan(0);
    expect(host.url).toBe(`http://127.0.0.1:${port}/`);
    expect(host.wsUrl).toBe(`ws://127.0.0.1:${port}/api/ws`);
    expect(host.consoleUrl).toBe(`http://127.0.0.1:${port}/?token=${token}`);
    expect(host.tokenCreated).toBe(true);
    expect(readFileSync(join(dataDir, 'host-token'), 'utf8').trim()).toBe(token);
  });

  it('answers /api/health without auth and nothing else under /api', async () => {
    const health = await rawGet(port, '/api/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ ok: true });
    for (const p of ['/api/ws', '/api/vms', '/api']) {
      const r = await rawGet(port, p);
      expect(r.status).toBe(401);
      expect(r.body).toBe('Unauthorized\n');
    }
  });

  it('serves the console with a strict CSP and refuses traversal', async () => {
    const index = await rawGet(port, '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>Viridian</title>');
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    const js = await rawGet(port, '/assets/app.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    for (const p of ['/../package.json', '/assets/../../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/..%5cpackage.json']) {
      const r = await rawGet(port, p);
      expect(r.status, p).toBe(404);
      expect(r.body).not.toContain('secret');
    }
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const r = await rawGet(port, '/', { Host: `evil.example:${port}` });
    expect(r.status).toBe(403);
  });

  it('answers a WebSocket upgrade with a wrong or missing token with a bare 401', async () => {
    for (const path of ['/api/ws', '/api/ws?token=wrong', `/api/ws?token=${token}x`]) {
      const r = await rawGet(port, path, upgradeHeaders());
      expect(r.status).toBe(401);
      expect(r.body).toBe('Unauthorized\n');
      expect(r.body).not.toContain(hostname());
      expect(JSON.stringify(r.headers)).not.toContain(hostname());
    }
    const viaProtocol = await rawGet(port, '/api/ws', upgradeHeaders({ 'Sec-WebSocket-Protocol': 'viridian.v1, viridian.token.nope' }));
    expect(viaProtocol.status).toBe(401);
    await expect(connectWebSocket(host.wsUrl ?? '', 'wrong-token')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('refuses a cross-origin browser and accepts the same origin', async () => {
    const r = await rawGet(port, `/api/ws?token=${token}`, upgradeHeaders({ Origin: 'http://evil.example' }));
    expect(r.status).toBe(403);
    const ws = await openRaw(`ws://127.0.0.1:${port}/api/ws?token=${token}`, [], { Origin: `http://127.0.0.1:${port}` });
    ws.close();
  });

  it('answers host.info over WebSocket with the right token (subprotocol or query)', async () => {
    const client = new EngineClient(await connectWebSocket(host.url ?? '', token));
    try {
      const info = await client.call('host.info', {});
      expect(info.hostname).toBe(hostname());
      expect(info.dataDir).toBe(host.dataDir);
    } finally {
      client.close();
    }
    const ws = await openRaw(`ws://127.0.0.1:${port}/api/ws?token=${encodeURIComponent(token)}`);
    const answer = nextMessage(ws);
    ws.send(JSON.stringify({ t: 'req', id: 7, m: 'host.info', p: {} }));
    expect(await answer).toMatchObject({ t: 'res', id: 7, r: { hostname: hostname() } });
    ws.close();
  });

  it('answers malformed frames with PROTOCOL error frames and keeps the connection', async () => {
    const ws = await openRaw(`ws://127.0.0.1:${port}/api/ws`, ['viridian.v1', `viridian.token.${token}`]);
    expect(ws.protocol).toBe('viridian.v1');
    const cases: [string | Buffer, unknown][] = [
      ['not json', { t: 'err', id: null, code: 'PROTOCOL' }],
      ['{"t":"req","m":"host.info"}', { t: 'err', id: null, code: 'PROTOCOL' }],
      ['{"t":"req","id":3,"m":"no.such","p":{}}', { t: 'err', id: 3, code: 'PROTOCOL' }],
      ['{"t":"req","id":4,"m":"vm.get","p":{"vm":""}}', { t: 'err', id: 4, code: 'INVALID_INPUT' }],
      [Buffer.from([1, 2, 3]), { t: 'err', id: null, code: 'PROTOCOL' }],
    ];
    for (const [frame, expected] of cases) {
      const answer = nextMessage(ws);
      ws.send(frame, { binary: Buffer.isBuffer(frame) });
      expect(await answer).toMatchObject(expected as object);
    }
    const answer = nextMessage(ws);
    ws.send(JSON.stringify({ t: 'req', id: 5, m: 'vm.list', p: {} }));
    expect(await answer).toMatchObject({ t: 'res', id: 5, r: [] });
    ws.close();
  });

  it('serves the control socket (0600) and round-trips requests', async () => {
    const path = controlSocketPath(dataDir);
    expect(host.controlSocket).toBe(path);
    if (isPosix) expect(statSync(path).mode & 0o777).toBe(0o600);
    const transport = await connectControlSocket(dataDir);
    expect(transport).not.toBeNull();
    const client = new EngineClient(transport!);
    try {
      const [info, vms] = await Promise.all([client.call('host.info', {}), client.call('vm.list', {})]);
      expect(info.dataDir).toBe(host.dataDir);
      expect(vms).toEqual([]);
      await expect(client.call('vm.get', { vm: 'no-such-vm' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      client.close();
    }
  });

  it('answers a malformed line on the control socket with a PROTOCOL error', async () => {
    const socket = connect(controlSocketPath(dataDir));
    const line = await new Promise<string>((done, fail) => {
      let buf = '';
      socket.on('data', (c: Buffer) => {
        buf += c.toString('utf8');
        const nl = buf.indexOf('\n');
        if (nl !== -1) done(buf.slice(0, nl));
      });
      socket.on('error', fail);
      socket.write('{oops\n');
    });
    socket.destroy();
    expect(JSON.parse(line)).toMatchObject({ t: 'err', id: null, code: 'PROTOCOL' });
  });

  it('refuses a second engine on the same data directory', async () => {
    await expect(runHost({ dataDir, log: () => {} })).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
    // The first host is unharmed.
    expect(await connectControlSocket(dataDir)).not.toBeNull();
  });
});

describe('control socket lifecycle', () => {
  it.runIf(isPosix)('removes a stale socket file, refuses a live one, and cleans up on close', async () => {
    const dir = tempDir('viridian-ctl-');
    try {
      const path = controlSocketPath(dir);
      // A process that dies without closing leaves its socket file behind.
      const r = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`]);
      expect(r.status).toBe(0);
      expect(statSync(path).isSocket()).toBe(true);
      expect(await connectControlSocket(dir)).toBeNull();

      const engine = await openEngine({ dataDir: dir });
      const dispatcher = new Dispatcher(engine);
      try {
        const server = await startControlSocket(dir, dispatcher);
        await expect(startControlSocket(dir, dispatcher)).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
        await server.close();
        expect(() => statSync(path)).toThrow();
        expect(await connectControlSocket(dir)).toBeNull();
      } finally {
        dispatcher.dispose();
        await engine.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(isPosix)('refuses to replace a file that is not a socket', async () => {
    const dir = tempDir('viridian-ctl-');
    try {
      writeFileSync(controlSocketPath(dir), 'not a socket');
      const engine = await openEngine({ dataDir: dir });
      const dispatcher = new Dispatcher(engine);
      try {
        await expect(startControlSocket(dir, dispatcher)).rejects.toMatchObject({ code: 'INVALID_STATE' });
      } finally {
        dispatcher.dispose();
        await engine.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

describe.skipIf(!haveOpenssl)('TLS (needs the openssl tool to make a throwaway certificate)', () => {
  it('serves health over https and the API over wss', async () => {
    const base = tempDir('viridian-tls-');
    const cert = join(base, 'cert.pem');
    const key = join(base, 'key.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1']);
    expect(made.status).toBe(0);
    const host = await runHost({ dataDir: join(base, 'data'), listen: { host: '127.0.0.1', port: 0 }, tls: { cert, key }, log: () => {} });
    try {
      expect(host.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      expect(host.wsUrl).toMatch(/^wss:\/\//);
      const ca = readFileSync(cert);
      const { request: httpsRequest } = await import('node:https');
      const body = await new Promise<string>((done, fail) => {
        httpsRequest(new URL('/api/health', host.url ?? ''), { ca }, (res) => {
          let b = '';
          res.on('data', (c: Buffer) => (b += c.toString('utf8')));
          res.on('end', () => done(b));
        })
          .on('error', fail)
          .end();
      });
      expect(JSON.parse(body)).toEqual({ ok: true });
      const client = new EngineClient(await connectWebSocket(host.wsUrl ?? '', host.token ?? '', { ca }));
      expect((await client.call('host.info', {})).dataDir).toBe(host.dataDir);
      client.close();
    } finally {
      await host.close();
      rmSync(base, { recursive: true, force: true });
    }
  });
});
