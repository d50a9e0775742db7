import { createStore } from 'zustand/vanilla';
import type { ConnectionStatus } from '../engine/engine-connection';

export interface ConnectionData {
  status: ConnectionStatus;
  transport: 'electron' | 'websocket';
  /** A connection worked once in this page: a later drop is not a token problem. */
  everConnected: boolean;
}

export const connectionStore = createStore<ConnectionData>()(() => ({
  status: { state: 'connecting' },
  transport: 'websocket',
  everConnected: false,
}));
