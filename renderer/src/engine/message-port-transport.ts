import { ENGINE_PORT_MESSAGE, type Transport, type ViridianBridge } from '../../../core/contract';

/** Wraps the MessagePort the preload hands over as a text transport. */
export function messagePortTransport(port: MessagePort): Transport {
  const closeCbs: ((reason: string) => void)[] = [];
  let closed = false;
  const fireClose = (reason: string): void => {
    if (closed) return;
    closed = true;
    for (const cb of closeCbs) cb(reason);
  };
  // Chromium fires 'close' on an entangled port whose other end went away (newer versions only).
  port.addEventListener('close', () => fireClose('the engine closed the connection'));
  return {
    send: (text) => port.postMessage(text),
    onMessage: (cb) => {
      port.addEventListener('message', (e: MessageEvent) => {
        if (typeof e.data === 'string') cb(e.data);
      });
      port.start();
    },
    onClose: (cb) => closeCbs.push(cb),
    close: () => {
      port.close();
      fireClose('closed by client');
    },
  };
}

/** Asks the preload for a fresh engine port and waits for it to arrive. */
export function openBridgeTransport(bridge: ViridianBridge, win: Window = window, timeoutMs = 10_000): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const onMessage = (e: MessageEvent): void => {
      if (e.source !== win) return; // only the preload (same window) hands over ports
      const data: unknown = e.data;
      if (typeof data !== 'object' || data === null || (data as { type?: unknown }).type !== ENGINE_PORT_MESSAGE) return;
      const port = e.ports[0];
      if (port === undefined) return;
      cleanup();
      resolve(messagePortTransport(port));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error('The application shell did not hand over an engine connection.'));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      win.removeEventListener('message', onMessage);
    };
    win.addEventListener('message', onMessage);
    bridge.requestEnginePort();
  });
}
