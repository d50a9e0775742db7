import { toErrorInfo, type ViridianBridge } from '../../../core/contract';
import { consoleBatcher, consoleStore } from '../state/app-stores';
import { connectionStore } from '../state/connection-store';
import { loadSnapshot } from '../state/console-store';
import { syncSession } from '../state/session-sync';
import { showError } from '../state/ui-store';
import { attachHosts } from '../hosts/hosts-sync';
import { EngineConnection } from './engine-connection';
import { openBridgeTransport } from './message-port-transport';
import { takeToken, webSocketUrl } from './token';
import { openWebSocketTransport } from './websocket-transport';

declare global {
  interface Window {
    /** Present only inside the Electron shell (preload allowlist). */
    viridian?: ViridianBridge;
  }
}

export interface ConsoleConnection {
  connection: EngineConnection;
  /** Re-reads everything from the engine (View ▸ Refresh, F5). */
  refresh: () => void;
  bridge: ViridianBridge | null;
}

/**
 * Picks the transport (Electron MessagePort when the preload bridge exists,
 * else a WebSocket with the page's token) and keeps the store in sync
 * across reconnects.
 */
export function connectConsole(): ConsoleConnection {
  const bridge = window.viridian ?? null;
  let resync: () => void = () => undefined;
  const token = bridge === null ? takeToken({ location, history, storage: sessionStorage }) : null;
  connectionStore.setState({ transport: bridge === null ? 'websocket' : 'electron' });

  const connection = new EngineConnection({
    open: bridge !== null ? () => openBridgeTransport(bridge) : () => openWebSocketTransport(webSocketUrl(location.origin, token)),
    ...(bridge !== null ? { lifecycle: (cb: Parameters<ViridianBridge['onEngineLifecycle']>[0]) => bridge.onEngineLifecycle(cb) } : {}),
    onStatus: (status) =>
      connectionStore.setState((s) => ({ status, everConnected: s.everConnected || status.state === 'connected' })),
    onClient: (client) => {
      const session = syncSession(client, {
        snapshot: (snap) => {
          consoleBatcher.discard();
          loadSnapshot(consoleStore, snap);
        },
        events: (events) => consoleBatcher.push(events),
        failed: (err) => {
          if (!client.closed) showError(toErrorInfo(err), 'Load the virtual machines');
        },
      });
      // Remote servers (Connect to Server…) come through the same engine.
      const hosts = attachHosts(client);
      resync = () => {
        session.resync();
        hosts.refresh();
      };
      return () => {
        session.stop();
        hosts.stop();
        resync = () => undefined;
      };
    },
  });
  connection.start();
  return { connection, refresh: () => resync(), bridge };
}
