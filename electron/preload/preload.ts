import { contextBridge, ipcRenderer } from 'electron';
import { ENGINE_PORT_MESSAGE } from '../../core/contract/bridge';
import { IPC } from '../ipc-channels';
import { createBridge } from './bridge';

declare const __VIRIDIAN_VERSION__: string;

contextBridge.exposeInMainWorld('viridian', createBridge(ipcRenderer, __VIRIDIAN_VERSION__));

// A MessagePort cannot cross contextBridge; hand it to the page with
// window.postMessage, as Electron's MessagePort guide shows.
ipcRenderer.on(IPC.enginePort, (event) => {
  if (event.ports.length === 0) return;
  window.postMessage({ type: ENGINE_PORT_MESSAGE }, '*', event.ports);
});
