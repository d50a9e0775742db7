// Console WebSockets: a one-time ticket (from console.open) lets one client
// bridge a WebSocket to a VM's VNC or serial unix socket. Served on the host's
// web server (/api/console/<ticket>) and on the engine's own loopback port for
// local clients (the desktop app has no web server).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CONSOLE_WS_PREFIX, ViridianError, type ConsoleKind, type ConsoleTicket } from '../contract';
import { isLoopbackHostHeader } from '../common/loopback';
import type { EngineContext } from './context';

const TICKET_TTL_MS = 30_000;
const HIGH_WATER = 4 * 1024 * 1024;

interface Ticket {
  vmId: string;
  kind: ConsoleKind;
  expires: number;
}

function refuse(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), 1000).unref();
}

export class ConsoleGateway {
  private readonly tickets = new Map<string, Ticket>();
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 1024 * 1024,
    // noVNC offers "binary" (or nothing); answer with what was offered.
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : ([...protocols][0] ?? false)),
  });
  private server: Server | null = null;
  private listening: Promise<number> | null = null;
  private readonly bridges = new Set<{ ws: WebSocket; unix: Socket }>();

  constructor(private readonly ctx: EngineContext) {}

  /** Issues a ticket for one connection; the loopback endpoint starts on first use. */
  async issue(vmId: string, kind: ConsoleKind): Promise<ConsoleTicket> {
    const now = Date.now();
    for (const [t, v] of this.tickets) if (v.expires < now) this.tickets.delete(t);
    const ticket = randomBytes(24).toString('base64url');
    const expires = now + TICKET_TTL_MS;
    this.tickets.set(ticket, { vmId, kind, expires });
    const port = await this.loopbackPort();
    const path = `${CONSOLE_WS_PREFIX}${ticket}`;
    return { ticket, path, url: `ws://127.0.0.1:${port}${path}`, expiresAt: new Date(expires).toISOString() };
  }

  /** For a web server's 'upgrade' event: true when the request was a console one (answered either way). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://viridian.invalid');
    } catch {
      return false;
    }
    if (!url.pathname.startsWith(CONSOLE_WS_PREFIX)) return false;
    const key = url.pathname.slice(CONSOLE_WS_PREFIX.length);
    const ticket = this.tickets.get(key);
    this.tickets.delete(key); // one use, whatever happens
    if (!ticket || ticket.expires < Date.now()) {
      refuse(socket, 401, 'Unauthorized');
      return true;
    }
    let target: string | null = null;
    try {
      const vm = this.ctx.getVm(ticket.vmId);
      const paths = vm.paths;
      if (vm.processAlive && paths) target = ticket.kind === 'vnc' ? paths.vnc : paths.serial;
    } catch {
      /* the VM is gone */
    }
    if (!target) {
      refuse(socket, 409, 'Conflict');
      return true;
    }
    const unix = connect(target);
    unix.once('error', () => refuse(socket, 502, 'Bad Gateway'));
    unix.once('connect', () => {
      unix.removeAllListeners('error');
      this.wss.handleUpgrade(req, socket, head, (ws) => this.bridge(ws, unix));
    });
    return true;
  }

  private bridge(ws: WebSocket, unix: Socket): void {
    const pair = { ws, unix };
    this.bridges.add(pair);
    unix.on('data', (chunk: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(chunk, { binary: true }, () => {
        if (unix.isPaused() && ws.bufferedAmount < HIGH_WATER / 2) unix.resume();
      });
      if (ws.bufferedAmount > HIGH_WATER) unix.pause();
    });
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      unix.write(buf);
    });
    const end = () => {
      this.bridges.delete(pair);
      unix.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
    };
    unix.on('close', end);
    unix.on('error', end);
    ws.on('close', end);
    ws.on('error', end);
  }

  private loopbackPort(): Promise<number> {
    this.listening ??= new Promise<number>((resolve, reject) => {
      const server = createServer((_req, res) => {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('Not Found\n');
      });
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        socket.on('error', () => socket.destroy());
        // A DNS-rebinding page never gets this far: loopback names only.
        if (!isLoopbackHostHeader(req.headers.host)) return refuse(socket, 403, 'Forbidden');
        if (!this.handleUpgrade(req, socket, head)) refuse(socket, 404, 'Not Found');
      });
      server.once('error', (err) => reject(new ViridianError('INTERNAL', `The console endpoint could not listen: ${err.message}`)));
      server.listen(0, '127.0.0.1', () => {
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : 0);
      });
      server.unref();
      this.server = server;
    });
    return this.listening;
  }

  async close(): Promise<void> {
    for (const b of this.bridges) {
      b.unix.destroy();
      b.ws.terminate();
    }
    this.bridges.clear();
    this.wss.close();
    const s = this.server;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

const gateways = new WeakMap<object, ConsoleGateway>();

/** The gateway of an engine (by its context), for the host's web server. */
export function consoleGatewayOf(ctx: object): ConsoleGateway | undefined {
  return gateways.get(ctx);
}

export function installGateway(ctx: EngineContext): ConsoleGateway {
  const g = new ConsoleGateway(ctx);
  gateways.set(ctx, g);
  ctx.onClose(() => g.close());
  return g;
}

/** The host web server's route to the gateway (VM Connection in a browser). */
export function consoleUpgradeRoute(ctx: object): { prefix: string; handle(req: IncomingMessage, socket: Duplex, head: Buffer): boolean } {
  return { prefix: CONSOLE_WS_PREFIX, handle: (req, socket, head) => consoleGatewayOf(ctx)?.handleUpgrade(req, socket, head) ?? false };
}
