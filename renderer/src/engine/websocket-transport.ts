import type { Transport } from '../../../core/contract';

/** Opens a WebSocket and resolves once it is open, as an EngineClient transport. */
export function openWebSocketTransport(url: string, timeoutMs = 10_000): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let opened = false;
    const closeCbs: ((reason: string) => void)[] = [];
    const timer = setTimeout(() => {
      if (opened) return;
      ws.close();
      reject(new Error('The engine did not answer in time.'));
    }, timeoutMs);

    ws.addEventListener('open', () => {
      opened = true;
      clearTimeout(timer);
      resolve({
        send: (text) => ws.send(text),
        onMessage: (cb) =>
          ws.addEventListener('message', (e: MessageEvent) => {
            if (typeof e.data === 'string') cb(e.data);
          }),
        onClose: (cb) => closeCbs.push(cb),
        close: () => ws.close(),
      });
    });
    ws.addEventListener('close', (e: CloseEvent) => {
      clearTimeout(timer);
      const reason = e.reason || (e.code === 1006 ? 'the connection dropped' : `closed (${e.code})`);
      if (!opened) reject(new Error(reason));
      else for (const cb of closeCbs) cb(reason);
    });
  });
}
