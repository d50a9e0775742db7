import { BrowserWindow, screen } from 'electron';
import { clampBounds, MIN_SIZE, type WindowState } from './window-state';
import { loadWindowState, saveWindowState } from './window-state-file';
import { secureWebPreferences } from './web-preferences';

export interface MainWindowOptions {
  entryUrl: string;
  preload: string;
  /** app.getPath('userData'): where window-state.json lives. */
  stateDir: string;
  /** Called after each load of the page (so it can be told the engine's state). */
  onLoaded?: (win: BrowserWindow) => void;
}

export interface MainWindow {
  readonly window: BrowserWindow;
  /** Resolves when the last position/size write has finished (awaited before quitting). */
  flush(): Promise<void>;
}

const SAVE_DELAY_MS = 500;

/** The console window; it comes back where it was, fitted to the displays there are now. */
export async function createMainWindow(opts: MainWindowOptions): Promise<MainWindow> {
  const saved = await loadWindowState(opts.stateDir);
  const bounds = clampBounds(
    saved?.bounds ?? null,
    screen.getAllDisplays().map((d) => d.workArea),
    screen.getPrimaryDisplay().workArea,
  );
  const win = new BrowserWindow({
    ...bounds,
    minWidth: Math.min(MIN_SIZE.width, bounds.width),
    minHeight: Math.min(MIN_SIZE.height, bounds.height),
    show: false,
    title: 'Viridian Manager',
    backgroundColor: '#f5f5f5',
    webPreferences: secureWebPreferences(opts.preload),
  });
  if (saved?.maximized) win.maximize();

  let shown = false;
  const show = () => {
    if (shown || win.isDestroyed()) return;
    shown = true;
    win.show();
  };
  win.once('ready-to-show', show);
  // A page that fails to load never becomes "ready to show"; show the window anyway.
  setTimeout(show, 5000).unref();

  let writing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  const capture = (): WindowState => ({ bounds: win.getNormalBounds(), maximized: win.isMaximized() });
  const save = (state: WindowState) => {
    writing = writing.then(() => saveWindowState(opts.stateDir, state)).catch((err: unknown) => console.warn(`[window] could not save its position: ${String(err)}`));
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      if (!win.isDestroyed()) save(capture());
    }, SAVE_DELAY_MS);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', later);
  win.on('unmaximize', later);
  win.on('close', () => {
    if (timer) clearTimeout(timer);
    timer = null;
    save(capture());
  });

  win.webContents.on('did-finish-load', () => opts.onLoaded?.(win));
  win.loadURL(opts.entryUrl).catch((err: unknown) => console.error(`[window] could not load ${opts.entryUrl}: ${String(err)}`));
  return { window: win, flush: () => writing };
}

/** One VM Connection window per VM; a second request brings the existing one forward. */
export function vmConnectionWindows(preload: string, onLoaded?: (win: BrowserWindow) => void) {
  const open = new Map<string, BrowserWindow>();
  return (vmId: string, url: string): BrowserWindow => {
    const existing = open.get(vmId);
    if (existing && !existing.isDestroyed()) {
      if (existing.isMinimized()) existing.restore();
      existing.focus();
      return existing;
    }
    const win = new BrowserWindow({ width: 1064, height: 860, title: 'Virtual Machine Connection', backgroundColor: '#000000', webPreferences: secureWebPreferences(preload) });
    open.set(vmId, win);
    win.on('closed', () => open.delete(vmId));
    win.webContents.on('did-finish-load', () => onLoaded?.(win));
    win.loadURL(url).catch((err: unknown) => console.error(`[window] could not load ${url}: ${String(err)}`));
    return win;
  };
}
