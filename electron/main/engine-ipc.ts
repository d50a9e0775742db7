import { BrowserWindow, ipcMain, MessageChannelMain, type IpcMainEvent, type MessagePortMain } from 'electron';
import type { EngineLifecycle } from '../../core/contract/bridge';
import { IPC } from '../ipc-channels';
import type { EngineProcess } from './engine-process';
import { isAllowedNavigation, isValidVmId } from './navigation';

export interface EngineIpcOptions {
  engine: EngineProcess<MessagePortMain>;
  appOrigin: string;
  openVmConnection: (vmId: string) => void;
}

/** Only our own top-level pages may ask for anything (a stray frame never gets an engine port). */
function fromOurPage(event: IpcMainEvent, appOrigin: string): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAllowedNavigation(frame.url, appOrigin);
}

/**
 * Each request gets a fresh MessageChannel: one end goes to the engine (held
 * until it is ready, so a window asking during a restart is served by the
 * new engine), the other to the window. After a restart the windows hear
 * 'up' and ask again, so every window ends up with a new port.
 */
export function registerEngineIpc(opts: EngineIpcOptions): void {
  ipcMain.on(IPC.requestEnginePort, (event) => {
    if (!fromOurPage(event, opts.appOrigin)) return;
    const { port1, port2 } = new MessageChannelMain();
    opts.engine.connect(port1);
    event.sender.postMessage(IPC.enginePort, null, [port2]);
  });
  ipcMain.on(IPC.openVmConnection, (event, vmId: unknown) => {
    if (!fromOurPage(event, opts.appOrigin) || !isValidVmId(vmId)) return;
    opts.openVmConnection(vmId);
  });
}

export function sendLifecycle(win: BrowserWindow, state: EngineLifecycle): void {
  if (!win.isDestroyed()) win.webContents.send(IPC.engineLifecycle, state);
}

export function broadcastLifecycle(state: EngineLifecycle): void {
  for (const win of BrowserWindow.getAllWindows()) sendLifecycle(win, state);
}
