import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built main process (main.cjs, as packaged) wired to a stand-in for the
// `electron` module: no Electron binary can run on this machine. This checks
// our wiring (paths, security settings, protocol, IPC, engine supervision),
// not Electron itself; e2e/electron-launch.spec.ts does that where it can run.

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

type Listener = (...args: unknown[]) => unknown;

class FakeWebContents extends EventEmitter {
  readonly sent: unknown[][] = [];
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  send(...args: unknown[]) {
    this.sent.push(args);
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.openHandler = h;
  }
}

function standIn(userData: string) {
  const calls: Record<string, unknown[][]> = {};
  const rec = (name: string) => (...args: unknown[]) => {
    (calls[name] ??= []).push(args);
  };
  let ready: () => void = () => {};
  const readyPromise = new Promise<void>((r) => (ready = r));
  const windows: FakeWindow[] = [];
  const children: FakeChild[] = [];
  const handlers: Record<string, Listener> = {};

  class FakeWindow extends EventEmitter {
    readonly webContents = new FakeWebContents();
    loaded: string | null = null;
    constructor(readonly options: Record<string, unknown>) {
      super();
      windows.push(this);
    }
    static getAllWindows = () => windows;
    static getFocusedWindow = () => windows[0] ?? null;
    loadURL(url: string) {
      this.loaded = url;
      return Promise.resolve();
    }
    show() {}
    maximize() {}
    focus() {}
    restore() {}
    isDestroyed = () => false;
    isMinimized = () => false;
    isMaximized = () => false;
    getNormalBounds = () => ({ x: 0, y: 0, width: 1280, height: 800 });
  }

  class FakeChild extends EventEmitter {
    readonly posted: unknown[][] = [];
    stdout = null;
    stderr = null;
    postMessage(...args: unknown[]) {
      this.posted.push(args);
    }
    kill() {
      return true;
    }
  }

  const app = Object.assign(new EventEmitter(), {
    isPackaged: true,
    enableSandbox: rec('enableSandbox'),
    requestSingleInstanceLock: () => true,
    whenReady: () => readyPromise,
    getPath: () => userData,
    quit: rec('quit'),
  });
  const electron = {
    app,
    protocol: {
      registerSchemesAsPrivileged: rec('registerSchemesAsPrivileged'),
      handle: (scheme: string, fn: Listener) => (handlers[`protocol:${scheme}`] = fn),
    },
    session: {
      defaultSession: {
        webRequest: {
          onHeadersReceived: (fn: Listener) => (handlers['headers'] = fn),
          onBeforeRequest: (fn: Listener) => (handlers['request'] = fn),
        },
        setPermissionRequestHandler: (fn: Listener) => (handlers['permissionRequest'] = fn),
        setPermissionCheckHandler: (fn: Listener) => (handlers['permissionCheck'] = fn),
      },
    },
    utilityProcess: {
      fork: (...args: unknown[]) => {
        rec('fork')(...args);
        const c = new FakeChild();
        children.push(c);
        return c;
      },
    },
    BrowserWindow: FakeWindow,
    screen: {
      getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
      getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }),
    },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: rec('setApplicationMenu') },
    ipcMain: new EventEmitter(),
    MessageChannelMain: class {
      port1 = { name: 'engine end' };
      port2 = { name: 'window end' };
    },
  };
  return { electron, calls, ready, windows, children, handlers };
}

let work = '';
let h: ReturnType<typeof standIn>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'viridian-main-bundle-'));
  const { build } = await import('vite');
  const out = join(work, 'app', '.vite', 'build');
  for (const c of ['vite.main.config.ts', 'vite.preload.config.ts', 'vite.host.config.ts']) {
    await build({ configFile: join(repo, 'electron', c), logLevel: 'silent', build: { outDir: out } });
  }
  await build({ configFile: join(repo, 'electron', 'vite.renderer.config.ts'), logLevel: 'silent', build: { outDir: join(work, 'app', '.vite', 'renderer', 'main_window') } });
  // require('electron') from main.cjs finds this stand-in.
  const fake = join(work, 'app', 'node_modules', 'electron');
  await mkdir(fake, { recursive: true });
  await writeFile(join(fake, 'index.js'), 'module.exports = globalThis.__viridianElectronStandIn;\n');
  h = standIn(join(work, 'userData'));
  await mkdir(join(work, 'userData'));
  (globalThis as Record<string, unknown>)['__viridianElectronStandIn'] = h.electron;
  createRequire(join(work, 'app', 'package.json'))(join(out, 'main.cjs'));
  h.ready();
  await new Promise((r) => setTimeout(r, 200));
}, 180_000);

afterAll(async () => {
  delete (globalThis as Record<string, unknown>)['__viridianElectronStandIn'];
  if (work) await rm(work, { recursive: true, force: true });
});

const build = () => join(work, 'app', '.vite', 'build');

describe('main.cjs wiring (Electron stand-in)', () => {
  it('turns on the sandbox and registers the app scheme before ready', () => {
    expect(h.calls['enableSandbox']).toHaveLength(1);
    expect(h.calls['registerSchemesAsPrivileged']?.[0]?.[0]).toEqual([{ scheme: 'viridian', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);
  });

  it('starts the bundled engine in a utility process', () => {
    const [entry, args, opts] = h.calls['fork']?.[0] ?? [];
    expect(entry).toBe(join(build(), 'host.cjs'));
    expect(existsSync(entry as string)).toBe(true);
    expect(args).toEqual([]);
    expect(opts).toMatchObject({ serviceName: 'Viridian Engine', stdio: 'pipe' });
  });

  it('opens one locked-down window on viridian://app with the bundled preload', () => {
    expect(h.windows).toHaveLength(1);
    const win = h.windows[0]!;
    expect(win.loaded).toBe('viridian://app/index.html');
    const prefs = win.options['webPreferences'] as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(prefs['preload']).toBe(join(build(), 'preload.cjs'));
    expect(existsSync(prefs['preload'] as string)).toBe(true);
  });

  it('serves the built renderer with the CSP, and nothing outside it', async () => {
    const serve = h.handlers['protocol:viridian'] as (r: Request) => Promise<Response>;
    const page = await serve(new Request('viridian://app/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self';");
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    const js = await serve(new Request(`viridian://app/${script}`));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await serve(new Request('viridian://app/%2e%2e/%2e%2e/build/main.cjs'))).status).toBe(404);
    expect((await serve(new Request('viridian://other/index.html'))).status).toBe(404);
  });

  it('adds the CSP header to our pages only', () => {
    const onHeaders = h.handlers['headers'] as (d: unknown, cb: (r: unknown) => void) => void;
    let got: unknown;
    onHeaders({ url: 'viridian://app/index.html', responseHeaders: { 'Content-Security-Policy': ['lax'], 'X-Other': ['1'] } }, (r) => (got = r));
    expect(got).toEqual({ responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [expect.stringContaining("frame-ancestors 'none'")] } });
    onHeaders({ url: 'https://example.com/', responseHeaders: {} }, (r) => (got = r));
    expect(got).toEqual({});
  });

  it('cancels requests for remote content', () => {
    const onRequest = h.handlers['request'] as (d: unknown, cb: (r: unknown) => void) => void;
    const verdict = (url: string) => {
      let got: unknown;
      onRequest({ url }, (r) => (got = r));
      return got;
    };
    expect(verdict('viridian://app/assets/a.js')).toEqual({ cancel: false });
    expect(verdict('ws://127.0.0.1:8446/api/ws')).toEqual({ cancel: false });
    expect(verdict('https://cdn.example.com/x.js')).toEqual({ cancel: true });
  });

  it('denies permissions except clipboard writes from our pages', () => {
    const check = h.handlers['permissionCheck'] as (wc: unknown, p: string, origin: string) => boolean;
    expect(check(null, 'clipboard-sanitized-write', 'viridian://app')).toBe(true);
    expect(check(null, 'media', 'viridian://app')).toBe(false);
    expect(check(null, 'clipboard-sanitized-write', 'https://example.com')).toBe(false);
  });

  it('guards navigation and window.open on every web contents', () => {
    const contents = new FakeWebContents();
    h.electron.app.emit('web-contents-created', {}, contents);
    const nav = (url: string) => {
      let prevented = false;
      contents.emit('will-navigate', { url, preventDefault: () => (prevented = true) });
      return prevented;
    };
    expect(nav('https://example.com/')).toBe(true);
    expect(nav('viridian://app/index.html')).toBe(false);
    expect(contents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('gives a window a port at once and the engine its end when ready; tells windows about restarts', () => {
    const win = h.windows[0]!;
    const postMessages: unknown[][] = [];
    const event = (url: string) => ({ senderFrame: { parent: null, url }, sender: { postMessage: (...a: unknown[]) => postMessages.push(a) } });
    h.electron.ipcMain.emit('viridian:request-engine-port', event('https://evil.example/'));
    expect(postMessages).toHaveLength(0);
    h.electron.ipcMain.emit('viridian:request-engine-port', event('viridian://app/index.html'));
    expect(postMessages).toEqual([['viridian:engine-port', null, [{ name: 'window end' }]]]);

    const child = h.children[0]!;
    expect(child.posted).toEqual([]);
    child.emit('message', { type: 'ready', dataDir: '/data' });
    expect(child.posted).toEqual([[{ type: 'connect' }, [{ name: 'engine end' }]]]);
    expect(win.webContents.sent).toContainEqual(['viridian:engine-lifecycle', { state: 'up' }]);

    child.emit('exit', 1);
    expect(win.webContents.sent.at(-1)).toEqual(['viridian:engine-lifecycle', { state: 'restarting', reason: 'the engine process exited with code 1' }]);
  });

  it('installs File, Action, View and Help (no developer tools when packaged)', () => {
    const template = h.calls['setApplicationMenu']?.[0]?.[0] as { label?: string; submenu?: { role?: string }[] }[];
    expect(template.map((m) => m.label?.replace(/&/g, ''))).toEqual(['File', 'Action', 'View', 'Help']);
    expect(JSON.stringify(template)).not.toContain('toggleDevTools');
  });

  it('stops the engine (not the VMs) before quitting, and starts no new one', async () => {
    let prevented = false;
    h.electron.app.emit('will-quit', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await new Promise((r) => setTimeout(r, 800));
    expect(h.calls['quit']).toHaveLength(1);
    // The crash in the previous test had a restart pending; quitting cancelled it.
    expect(h.children).toHaveLength(1);
  });
});
