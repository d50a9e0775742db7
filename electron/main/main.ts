import { join } from 'node:path';
import { app, BrowserWindow, session, utilityProcess, type MessagePortMain } from 'electron';
import { registerAppScheme, serveAppFiles } from './app-protocol';
import { contentSecurityPolicy } from './csp';
import { broadcastLifecycle, registerEngineIpc, sendLifecycle } from './engine-ipc';
import { EngineProcess } from './engine-process';
import { installApplicationMenu } from './menu';
import { APP_ORIGIN, vmConnectionUrl } from './navigation';
import { hardenAllWebContents, secureSession } from './security';
import { createMainWindow, vmConnectionWindows, type MainWindow } from './window';

// Bundled to .vite/build/main.cjs; preload.cjs and host.cjs sit beside it and
// the renderer in .vite/renderer/<name>/ (inside app.asar when packaged).
const devServerUrl = typeof MAIN_WINDOW_VITE_DEV_SERVER_URL === 'string' ? MAIN_WINDOW_VITE_DEV_SERVER_URL : undefined;
const rendererName = typeof MAIN_WINDOW_VITE_NAME === 'string' ? MAIN_WINDOW_VITE_NAME : 'main_window';
const appOrigin = devServerUrl ? new URL(devServerUrl).origin : APP_ORIGIN;
const entryUrl = devServerUrl ? new URL('/', devServerUrl).toString() : `${APP_ORIGIN}/index.html`;
const preload = join(__dirname, 'preload.cjs');
const csp = contentSecurityPolicy(devServerUrl !== undefined);

/** `--data DIR` / `--data=DIR` picks the engine's data folder (else VIRIDIAN_DATA, else the per-user default). */
function dataArg(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--data') return argv[i + 1];
    if (a.startsWith('--data=')) return a.slice('--data='.length);
  }
  return undefined;
}

app.enableSandbox();
registerAppScheme();

// One console per user: a second engine would find the data folder locked.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let main: MainWindow | null = null;
  const data = dataArg(process.argv);

  const engine = new EngineProcess<MessagePortMain>({
    fork: () =>
      utilityProcess.fork(join(__dirname, 'host.cjs'), data ? ['--data', data] : [], {
        serviceName: 'Viridian Engine',
        stdio: 'pipe',
      }),
    onLifecycle: broadcastLifecycle,
  });

  // A page that (re)loads while the engine is down must show the banner too.
  const onLoaded = (win: BrowserWindow) => {
    const state = engine.lifecycle;
    if (state && state.state !== 'up') sendLifecycle(win, state);
  };
  const openVmWindow = vmConnectionWindows(preload, onLoaded);
  const openVmConnection = (vmId: string) => void openVmWindow(vmId, vmConnectionUrl(entryUrl, vmId));

  const showMain = async () => {
    if (main && !main.window.isDestroyed()) {
      if (main.window.isMinimized()) main.window.restore();
      main.window.focus();
      return;
    }
    main = await createMainWindow({ entryUrl, preload, stateDir: app.getPath('userData'), onLoaded });
  };

  app.on('second-instance', () => void showMain());

  hardenAllWebContents({ appOrigin, csp, openVmConnection });

  void app.whenReady().then(async () => {
    if (!devServerUrl) serveAppFiles(join(__dirname, '..', 'renderer', rendererName), csp);
    secureSession(session.defaultSession, { appOrigin, csp, openVmConnection });
    registerEngineIpc({ engine, appOrigin, openVmConnection });
    installApplicationMenu(!app.isPackaged, () => (main && !main.window.isDestroyed() ? main.window : null));
    engine.start();
    await showMain();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) void showMain();
    });
  });

  app.on('window-all-closed', () => {
    // macOS apps stay in the dock; the engine keeps serving the CLI meanwhile.
    if (process.platform !== 'darwin') app.quit();
  });

  // Stop the engine (not the VMs: they are detached QEMU processes) and
  // finish writing the window position before the app goes.
  let cleanedUp = false;
  app.on('will-quit', (event) => {
    if (cleanedUp) return;
    event.preventDefault();
    void Promise.allSettled([engine.stop(), main?.flush()]).finally(() => {
      cleanedUp = true;
      app.quit();
    });
  });
}
