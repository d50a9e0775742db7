import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, join, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES, ViridianError } from '../contract';
import { isLoopbackHost, isLoopbackHostHeader } from '../common/loopback';
import type { Dispatcher, Peer } from './dispatch';
import { tokenMatches } from './token';

export const WS_PATH = '/api/ws';
export const HEALTH_PATH = '/api/health';
/** Offered by our clients; the server selects it so browsers accept the handshake. */
export const WS_PROTOCOL = 'viridian.v1';
/** Browsers cannot set headers on a WebSocket; the token may ride in the subprotocol list. */
export const WS_TOKEN_PROTOCOL_PREFIX = 'viridian.token.';

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'";

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The console URL carries the token; never let it leak through a Referer.
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

const PING_INTERVAL_MS = 30_000;
const MAX_BUFFERED_BYTES = 4 * MAX_FRAME_BYTES;

export interface WebServerOptions {
  dispatcher: Dispatcher;
  token: string;
  host: string;
  /** 0 picks a free port; the real one is in the result. */
  port: number;
  /** The built web console (e.g. renderer/dist); without it only the API is served. */
  staticDir?: string;
  tls?: { cert: string; key: string };
  /** Token-protected HTTP endpoints under /api/ beyond the WebSocket (e.g. migration uploads). */
  routes?: ApiRoute[];
  /** WebSocket endpoints that authorize themselves (console tickets); host and origin are checked first. */
  upgrades?: UpgradeRoute[];
}

export interface UpgradeRoute {
  /** e.g. "/api/console/" */
  prefix: string;
  /** true when it answered the request (accepted or refused). */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

/** An authenticated endpoint: called only after the token was checked. */
export interface ApiRoute {
  /** e.g. "/api/migration/" */
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

export interface WebServer {
  readonly host: string;
  readonly port: number;
  /** Base URL, e.g. http://127.0.0.1:8080/ (no token). */
  readonly url: string;
  /** ws(s)://…/api/ws */
  readonly wsUrl: string;
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  // A wildcard bind is reached locally through loopback.
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** The hostname part of a Host header ("[::1]:80" → "::1"). */
/** Serves the web console and the WebSocket API (token-protected). */
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const staticRoot = opts.staticDir ? await realpath(resolve(opts.staticDir)).catch(() => resolve(opts.staticDir ?? '.')) : null;
  const secure = opts.tls !== undefined;
  const loopbackOnly = isLoopbackHost(opts.host);

  // Bound to loopback, only loopback names are accepted: a DNS-rebinding page
  // (evil.example → 127.0.0.1) is refused before it reaches anything.
  const hostAllowed = (req: IncomingMessage): boolean => {
    return !loopbackOnly || isLoopbackHostHeader(req.headers.host);
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    handleProtocols: (protocols) => {
      if (protocols.has(WS_PROTOCOL)) return WS_PROTOCOL;
      for (const p of protocols) if (p.startsWith(WS_TOKEN_PROTOCOL_PREFIX)) return p;
      return false;
    },
  });
  wss.on('connection', (ws) => servePeer(ws, opts.dispatcher));

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    handleHttp(req, res, { staticRoot, token: opts.token, hostAllowed, routes: opts.routes ?? [] }).catch(() => {
      if (!res.headersSent) plain(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  };

  let server: Server;
  if (opts.tls) {
    const [cert, key] = await Promise.all([readFile(opts.tls.cert), readFile(opts.tls.key)]).catch((err: Error) => {
      throw new ViridianError('INVALID_INPUT', `Could not read the TLS certificate or key: ${err.message}`, 'Pass readable PEM files to --tls-cert and --tls-key.');
    });
    server = createHttpsServer({ cert, key }, handler);
  } else {
    server = createHttpServer(handler);
  }
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = parseUrl(req.url);
    const own = url === null ? undefined : opts.upgrades?.find((u) => url.pathname.startsWith(u.prefix));
    if (own) {
      if (!hostAllowed(req) || !originAllowed(req, secure)) return refuse(socket, 403, 'Forbidden');
      if (!own.handle(req, socket, head)) refuse(socket, 404, 'Not Found');
      return;
    }
    if (url === null || url.pathname !== WS_PATH) return refuse(socket, 404, 'Not Found');
    if (!hostAllowed(req)) return refuse(socket, 403, 'Forbidden');
    if (!tokenMatches(opts.token, requestToken(req, url))) return refuse(socket, 401, 'Unauthorized');
    if (!originAllowed(req, secure)) return refuse(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  // Drop peers that vanished without a FIN (sleeping laptops, dead tunnels).
  const alive = new WeakMap<WebSocket, boolean>();
  wss.on('connection', (ws) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
  });
  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, PING_INTERVAL_MS);
  pinger.unref();

  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  await new Promise<void>((done, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${opts.host}:${opts.port}`;
      if (err.code === 'EADDRINUSE') fail(new ViridianError('BUSY', `The address ${where} is already in use.`, 'Choose another port with --listen ADDR:PORT (port 0 picks a free one).'));
      else if (err.code === 'EADDRNOTAVAIL') fail(new ViridianError('INVALID_INPUT', `The address ${opts.host} is not an address of this machine.`, 'Use 127.0.0.1, 0.0.0.0 or an address of one of its interfaces.'));
      else if (err.code === 'EACCES') fail(new ViridianError('UNAUTHORIZED', `Not allowed to listen on ${where}.`, 'Ports below 1024 need privileges; choose a higher port.'));
      else fail(err);
    });
    server.listen(opts.port, opts.host, () => done());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : opts.port;
  const base = `${secure ? 'https' : 'http'}://${hostForUrl(opts.host)}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    host: opts.host,
    port,
    url: `${base}/`,
    wsUrl: `${secure ? 'wss' : 'ws'}://${hostForUrl(opts.host)}:${port}${WS_PATH}`,
    close() {
      closing ??= new Promise<void>((done) => {
        clearInterval(pinger);
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => done());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

function parseUrl(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://viridian.invalid');
  } catch {
    return null;
  }
}

function requestToken(req: IncomingMessage, url: URL): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return null;
  for (const p of header.split(',')) {
    const proto = p.trim();
    if (proto.startsWith(WS_TOKEN_PROTOCOL_PREFIX)) return proto.slice(WS_TOKEN_PROTOCOL_PREFIX.length);
  }
  return null;
}

/** Browsers always send Origin; it must be this server. Tools send none. */
function originAllowed(req: IncomingMessage, secure: boolean): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false; // includes "null" from sandboxed frames and file: pages
  }
  const host = req.headers.host?.toLowerCase();
  return o.protocol === (secure ? 'https:' : 'http:') && host !== undefined && o.host.toLowerCase() === host;
}

function refuse(socket: Duplex, status: number, text: string): void {
  // Nothing about the host in the answer: status line and a bare word.
  const body = `${text}\n`;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), 1000).unref();
}

function plain(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  const body = `${text}\n`;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

interface HttpContext {
  staticRoot: string | null;
  token: string;
  hostAllowed: (req: IncomingMessage) => boolean;
  routes: ApiRoute[];
}

async function handleHttp(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): Promise<void> {
  if (!ctx.hostAllowed(req)) return plain(res, 403, 'Forbidden');
  const url = parseUrl(req.url);
  if (url === null) return plain(res, 400, 'Bad Request');
  const method = req.method ?? 'GET';

  if (url.pathname === HEALTH_PATH) {
    if (method !== 'GET' && method !== 'HEAD') return plain(res, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
    const body = JSON.stringify({ ok: true });
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(method === 'HEAD' ? undefined : body);
    return;
  }
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
    // Everything under /api but health needs the token; say nothing more without it.
    const auth = req.headers.authorization;
    const bearer = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : url.searchParams.get('token');
    if (!tokenMatches(ctx.token, bearer)) return plain(res, 401, 'Unauthorized');
    if (url.pathname === WS_PATH) return plain(res, 426, 'Upgrade Required', { Upgrade: 'websocket' });
    const route = ctx.routes.find((r) => url.pathname.startsWith(r.prefix));
    if (route) return route.handle(req, res, url);
    return plain(res, 404, 'Not Found');
  }

  if (method !== 'GET' && method !== 'HEAD') return plain(res, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
  if (ctx.staticRoot === null) return plain(res, 404, 'Not Found');
  const file = await resolveStatic(ctx.staticRoot, url.pathname);
  if (file === null) return plain(res, 404, 'Not Found');

  const isIndex = file.endsWith(`${sep}index.html`);
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': (await stat(file)).size,
    // The page is opened with the token in its URL: keep it out of caches.
    'Cache-Control': isIndex ? 'no-store' : 'no-cache',
  });
  if (method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/**
 * Maps a URL path to a file inside `root`, or null. Decodes once, resolves,
 * and confines both the lexical path and its real path (symlinks) to root.
 */
export async function resolveStatic(root: string, pathname: string): Promise<string | null> {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0') || rel.includes('\\')) return null;
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const inside = (p: string) => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);

  const candidate = resolve(join(root, rel));
  if (!inside(candidate)) return null;
  const found = await regularFile(candidate);
  if (found !== null) return inside(found) ? found : null;
  // Client-side routes ("/vms/abc") get the app shell; missing assets stay 404.
  if (extname(rel) === '') {
    const index = await regularFile(join(root, 'index.html'));
    if (index !== null && inside(index)) return index;
  }
  return null;
}

async function regularFile(path: string): Promise<string | null> {
  try {
    const real = await realpath(path);
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

function servePeer(ws: WebSocket, dispatcher: Dispatcher): void {
  const peer: Peer = {
    send(text) {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.terminate();
        return;
      }
      ws.send(text);
    },
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      peer.send(JSON.stringify({ t: 'err', id: null, code: 'PROTOCOL', message: 'Frames are JSON text; a binary frame was refused.' }));
      return;
    }
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
    dispatcher.handle(peer, text).catch(() => ws.terminate());
  });
  ws.on('error', () => ws.terminate());
  ws.once('close', () => dispatcher.detach(peer));
}
