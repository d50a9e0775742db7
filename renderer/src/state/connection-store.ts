import { createStore } from 'zustand/vanilla';
import type { ConnectionStatus } from '../engine/engine-connection';

export interface ConnectionData {
  status: ConnectionStatus;
  /** The shell's own reason (Electron), shown in the banner when set. */
  transport: 'electron' | 'websocket';
}

export const connectionStore = createStore<ConnectionData>()(() => ({
  status: { state: 'connecting' },
  transport: 'websocket',
}));
