import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { toErrorInfo, ViridianError } from '../contract';
import type { EngineService } from '../engine/service';
import { isLoopbackHost } from '../common/loopback';
import { startControlSocket } from './control-socket';
import { Dispatcher, type Peer } from './dispatch';
import { loadOrCreateToken, tokenPath } from './token';
import { startWebServer, type WebServer } from './web-server';

export interface RunHostOptions {
  dataDir: string;
  storageRoots?: string[];
  /** Serve the WebSocket API (and the web console when `web` is set) here. */
  listen?: { host: string; port: number };
  /** Serve the built web console; implies listening (127.0.0.1, free port, if `listen` is absent). */
  web?: { staticDir: string };
  tls?: { cert: string; key: string };
  /** true: always print the token; false: never; absent: only when it was just created. */
  printToken?: boolean;
  /** One line per thing served. Default: stdout. */
  log?: (line: string) => void;
}

export interface RunningHost {
  readonly dataDir: string;
  readonly engine: EngineService;
  readonly dispatcher: Dispatcher;
  readonly controlSocket: string;
  /** Base URL of the web service (no token), or null when not listening. */
  readonly url: string | null;
  /** The console URL with its token (`…/?token=…`), or null. */
  readonly consoleUrl: string | null;
  readonly wsUrl: string | null;
  readonly token: string | null;
  /** Whether the token was created by this start (first run). */
  readonly tokenCreated: boolean;
  /** SHA-256 of the TLS certificate (colon hex) when serving TLS, for `host add --fingerprint`. */
  readonly tlsFingerprint: string | null;
  /** Stops serving and closes the engine; VMs keep running (detached QEMU). */
  close(): Promise<void>;
}

/** The web console built by the renderer, when this checkout has one. */
export function defaultStaticDir(): string | null {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../renderer/dist');
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

/** Opens the engine and serves it on the control socket and, if asked, over WebSocket. */
export async function runHost(opts: RunHostOptions): Promise<RunningHost> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dataDir = resolve(opts.dataDir);
  const { openEngine } = await import('../engine/engine');
  const engine = await openEngine(opts.storageRoots ? { dataDir, storageRoots: opts.storageRoots } : { dataDir });
  const dispatcher = new Dispatcher(engine);
  const cleanups: (() => Promise<void>)[] = [
    async () => {
      dispatcher.dispose();
      await engine.close();
    },
  ];
  const closeAll = async () => {
    // Reverse order: stop taking requests before the engine goes away.
    for (const c of cleanups.reverse()) await c().catch(() => {});
  };

  try {
    log(`engine: ${dataDir}`);
    const control = await startControlSocket(dataDir, dispatcher);
    cleanups.push(() => control.close());
    log(`control socket: ${control.path}`);

    let web: WebServer | null = null;
    let token: string | null = null;
    let tokenCreated = false;
    let tlsFingerprint: string | null = null;
    const listen = opts.listen ?? (opts.web ? { host: '127.0.0.1', port: 0 } : undefined);
    if (listen) {
      ({ token, created: tokenCreated } = await loadOrCreateToken(dataDir));
      const { migrationUploadRoute } = await import('../migration/upload-route');
      const { consoleUpgradeRoute } = await import('../engine/consoles-gateway');
      web = await startWebServer({
        dispatcher,
        token,
        routes: [migrationUploadRoute(engine.context)],
        upgrades: [consoleUpgradeRoute(engine.context)],
        host: listen.host,
        port: listen.port,
        ...(opts.web ? { staticDir: opts.web.staticDir } : {}),
        ...(opts.tls ? { tls: opts.tls } : {}),
      });
      const w = web;
      cleanups.push(() => w.close());
      if (opts.tls) {
        tlsFingerprint = await certificateFingerprint(opts.tls.cert);
        log(`tls: certificate SHA-256 fingerprint ${tlsFingerprint}`);
      }
      if (!opts.tls && !isLoopbackHost(listen.host)) {
        log(`warning: serving on ${listen.host} without TLS; the token and all traffic cross the network in clear text (pass a certificate and key)`);
      }
      const show = opts.printToken ?? tokenCreated;
      log(`websocket: ${web.wsUrl}`);
      if (opts.web) log(`web console: ${show ? `${web.url}?token=${token}` : `${web.url} (token in ${tokenPath(dataDir)})`}`);
      if (show) log(`token: ${token}${tokenCreated ? ` (new; kept in ${tokenPath(dataDir)})` : ''}`);
      if (!show && !opts.web) log(`token: in ${tokenPath(dataDir)}`);
    }

    let closing: Promise<void> | null = null;
    return {
      dataDir,
      engine,
      dispatcher,
      controlSocket: control.path,
      url: web?.url ?? null,
      consoleUrl: web && token ? `${web.url}?token=${encodeURIComponent(token)}` : null,
      wsUrl: web?.wsUrl ?? null,
      token,
      tokenCreated,
      tlsFingerprint,
      close() {
        closing ??= closeAll();
        return closing;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

async function certificateFingerprint(certFile: string): Promise<string> {
  const { X509Certificate } = await import('node:crypto');
  const { readFile } = await import('node:fs/promises');
  return new X509Certificate(await readFile(certFile)).fingerprint256;
}

/** "127.0.0.1:8080", "[::1]:0", ":8080" (all interfaces is never implied), "8080". */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text) ?? /^()()(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ViridianError('INVALID_INPUT', `"${text}" is not an ADDR:PORT to listen on.`, 'Use e.g. 127.0.0.1:8080, [::1]:8080 or 0.0.0.0:8080 (port 0 picks a free port).');
  }
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' || host === 'localhost' ? '127.0.0.1' : host, port };
}

// ------------------------------------------------------------------ entry

/** Electron's utilityProcess port to the main process (not in @types/node). */
interface ParentPort {
  on(event: 'message', cb: (e: { data: unknown; ports: ElectronMessagePort[] }) => void): void;
  postMessage(message: unknown): void;
}
interface ElectronMessagePort {
  on(event: 'message', cb: (e: { data: unknown }) => void): void;
  on(event: 'close', cb: () => void): void;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

function parentPort(): ParentPort | undefined {
  return (process as unknown as { parentPort?: ParentPort }).parentPort;
}

function attachPort(port: ElectronMessagePort, dispatcher: Dispatcher): void {
  const peer: Peer = { send: (text) => port.postMessage(text) };
  port.on('message', (e) => {
    if (typeof e.data !== 'string') {
      peer.send(JSON.stringify({ t: 'err', id: null, code: 'PROTOCOL', message: 'Frames are JSON text.' }));
      return;
    }
    void dispatcher.handle(peer, e.data);
  });
  port.on('close', () => dispatcher.detach(peer));
  port.start();
}

function hostArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      listen: { type: 'string' },
      web: { type: 'boolean' },
      'static-dir': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'print-token': { type: 'boolean' },
    },
    strict: true,
  });
  return values;
}

/** The shell may pass its own flags too; only --data matters here. */
function dataArg(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--data') return argv[i + 1];
    if (a.startsWith('--data=')) return a.slice('--data='.length);
  }
  return undefined;
}

async function defaultData(explicit: string | undefined): Promise<string> {
  if (explicit) return resolve(explicit);
  if (process.env.VIRIDIAN_DATA) return resolve(process.env.VIRIDIAN_DATA);
  const { defaultDataDir } = await import('../common/paths');
  return defaultDataDir();
}

async function utilityMain(port: ParentPort): Promise<void> {
  // Windows may connect before the engine is open; they are served once it is.
  const waiting: ElectronMessagePort[] = [];
  let host: RunningHost | null = null;
  port.on('message', (e) => {
    const msg = e.data as { type?: unknown } | null;
    if (msg?.type === 'connect' && e.ports[0]) {
      if (host) attachPort(e.ports[0], host.dispatcher);
      else waiting.push(e.ports[0]);
    } else if (msg?.type === 'shutdown') {
      void (host?.close() ?? Promise.resolve()).then(() => process.exit(0));
    }
  });
  try {
    host = await runHost({ dataDir: await defaultData(dataArg(process.argv.slice(2))) });
    for (const p of waiting.splice(0)) attachPort(p, host.dispatcher);
    port.postMessage({ type: 'ready', dataDir: host.dataDir });
  } catch (err) {
    const info = toErrorInfo(err);
    port.postMessage({ type: 'fatal', ...info });
    process.exitCode = 1;
    // Let the message leave before the process goes.
    setTimeout(() => process.exit(1), 200);
    return;
  }
  const h = host;
  const stop = () => void h.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function nodeMain(argv: string[]): Promise<number> {
  let args;
  try {
    args = hostArgs(argv);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    const staticDir = args['static-dir'] ? resolve(args['static-dir']) : defaultStaticDir();
    if (args.web && staticDir === null) {
      throw new ViridianError('INVALID_INPUT', 'The web console is not built, so --web has nothing to serve.', 'Build it with `npm run build:web`, or pass --static-dir DIR.');
    }
    if ((args['tls-cert'] === undefined) !== (args['tls-key'] === undefined)) {
      throw new ViridianError('INVALID_INPUT', 'TLS needs both --tls-cert and --tls-key.', 'Pass both PEM files, or neither for plain HTTP on loopback.');
    }
    const host = await runHost({
      dataDir: await defaultData(args.data),
      ...(args.listen ? { listen: parseListen(args.listen) } : {}),
      ...(args.web && staticDir ? { web: { staticDir } } : {}),
      ...(args['tls-cert'] && args['tls-key'] ? { tls: { cert: resolve(args['tls-cert']), key: resolve(args['tls-key']) } } : {}),
      ...(args['print-token'] ? { printToken: true } : {}),
    });
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    // A second Ctrl-C while closing means "now".
    process.once('SIGINT', () => process.exit(130));
    await host.close();
    return 0;
  } catch (err) {
    const info = toErrorInfo(err);
    process.stderr.write(`error: ${info.message}${info.hint ? ` ${info.hint}` : ''}\n`);
    return 1;
  }
}

function isEntry(): boolean {
  if (parentPort()) return true;
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  const port = parentPort();
  if (port) void utilityMain(port);
  else void nodeMain(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
