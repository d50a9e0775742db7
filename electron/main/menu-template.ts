import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../core/contract/bridge';

export interface MenuOptions {
  platform: NodeJS.Platform;
  /** Development build: adds Toggle Developer Tools. */
  isDev: boolean;
  /** Delivers a command to the window the click came from (or the focused one). */
  send: (cmd: MenuCommand, target: unknown) => void;
}

/**
 * Menu accelerators fire while the page has focus (they are not global
 * shortcuts). Action accelerators use Ctrl+Shift so they never take the
 * editing keys (Ctrl+A/C/V/X/Z/Y) or Reload (Ctrl+R) from the page.
 */
export const COMMAND_ITEMS: Readonly<Record<MenuCommand, { label: string; accelerator?: string }>> = {
  'new-vm': { label: '&Virtual Machine…', accelerator: 'CmdOrCtrl+N' },
  'new-disk': { label: '&Hard Disk…' },
  'connect-server': { label: '&Connect to Server…' },
  'action-connect': { label: 'Co&nnect…' },
  'action-settings': { label: 'Se&ttings…', accelerator: 'CmdOrCtrl+Shift+G' },
  'action-start': { label: '&Start', accelerator: 'CmdOrCtrl+Shift+S' },
  'action-turnOff': { label: 'T&urn Off…', accelerator: 'CmdOrCtrl+Shift+T' },
  'action-shutDown': { label: 'Shut &Down…', accelerator: 'CmdOrCtrl+Shift+D' },
  'action-save': { label: 'Sa&ve', accelerator: 'CmdOrCtrl+Shift+A' },
  'action-pause': { label: '&Pause', accelerator: 'CmdOrCtrl+Shift+P' },
  'action-resume': { label: 'R&esume', accelerator: 'CmdOrCtrl+Shift+R' },
  'action-reset': { label: '&Reset', accelerator: 'CmdOrCtrl+Shift+E' },
  'action-rename': { label: 'Rena&me…', accelerator: 'F2' },
  'action-delete': { label: 'De&lete…' },
  'toggle-actions-pane': { label: '&Action Pane' },
  refresh: { label: '&Refresh', accelerator: 'F5' },
  about: { label: '&About Viridian' },
};

/** Keys the page (and Chromium's own text editing) must keep. */
export const RESERVED_ACCELERATORS = ['CmdOrCtrl+A', 'CmdOrCtrl+C', 'CmdOrCtrl+V', 'CmdOrCtrl+X', 'CmdOrCtrl+Z', 'CmdOrCtrl+Y', 'CmdOrCtrl+Shift+Z', 'CmdOrCtrl+F', 'CmdOrCtrl+W'];

/** The Hyper-V Manager-style application menu; each command item sends its MenuCommand. */
export function buildMenuTemplate(opts: MenuOptions): MenuItemConstructorOptions[] {
  const mac = opts.platform === 'darwin';
  const cmd = (command: MenuCommand): MenuItemConstructorOptions => {
    const spec = COMMAND_ITEMS[command];
    return {
      id: command,
      label: mac ? spec.label.replace(/&/g, '') : spec.label,
      ...(spec.accelerator ? { accelerator: spec.accelerator } : {}),
      // The window the menu belongs to (Windows/Linux) or the focused one (macOS).
      click: (_item, window) => opts.send(command, window),
    };
  };
  const sep: MenuItemConstructorOptions = { type: 'separator' };

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: '&New', submenu: [cmd('new-vm'), cmd('new-disk')] },
      cmd('connect-server'),
      ...(mac ? [] : [sep, { role: 'quit', label: 'E&xit' } satisfies MenuItemConstructorOptions]),
    ],
  };
  const action: MenuItemConstructorOptions = {
    label: '&Action',
    submenu: [
      cmd('action-connect'),
      cmd('action-settings'),
      sep,
      cmd('action-start'),
      cmd('action-turnOff'),
      cmd('action-shutDown'),
      cmd('action-save'),
      cmd('action-pause'),
      cmd('action-resume'),
      cmd('action-reset'),
      sep,
      cmd('action-rename'),
      cmd('action-delete'),
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      cmd('toggle-actions-pane'),
      sep,
      cmd('refresh'),
      { role: 'reload' },
      ...(opts.isDev ? [{ role: 'toggleDevTools' } satisfies MenuItemConstructorOptions] : []),
      sep,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      sep,
      { role: 'togglefullscreen' },
    ],
  };
  const help: MenuItemConstructorOptions = { label: '&Help', role: 'help', submenu: mac ? [] : [cmd('about')] };

  if (!mac) return [file, action, view, help];
  // macOS: About and Quit live in the app menu; Edit is needed for copy/paste to work at all.
  const appMenu: MenuItemConstructorOptions = {
    label: 'Viridian',
    submenu: [cmd('about'), sep, { role: 'services' }, sep, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, sep, { role: 'quit' }],
  };
  return [appMenu, file, { role: 'editMenu' }, action, view, { role: 'windowMenu' }, help];
}
