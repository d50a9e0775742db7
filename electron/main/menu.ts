import { BrowserWindow, Menu } from 'electron';
import type { MenuCommand } from '../../core/contract/bridge';
import { IPC } from '../ipc-channels';
import { buildMenuTemplate } from './menu-template';

/** Installs the application menu; commands go to the window they were chosen in. */
export function installApplicationMenu(isDev: boolean, fallback: () => BrowserWindow | null): void {
  const send = (cmd: MenuCommand, target: unknown) => {
    const win = target instanceof BrowserWindow ? target : (BrowserWindow.getFocusedWindow() ?? fallback());
    if (win && !win.isDestroyed()) win.webContents.send(IPC.menuCommand, cmd);
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate({ platform: process.platform, isDev, send })));
}
