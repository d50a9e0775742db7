import type { PeerCertificate } from 'node:tls';
import { WebSocket } from 'ws';
import { MAX_FRAME_BYTES, ViridianError, type Transport } from '../contract';
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX } from './web-server';

export interface WebSocketConnectOptions {
  /** Extra CA for a host with a self-signed certificate. */
  ca?: string | Buffer;
  /**
   * Trust exactly this certificate (a self-signed host's, pinned by the SHA-256
   * the user saw): it is the only CA, and the host name check becomes a
   * fingerprint check, so the token is never sent to anyone else.
   */
  pin?: TlsPin;
  /** Sent as Origin (browsers do; tools normally do not). */
  origin?: string;
  timeoutMs?: number;
}

export interface TlsPin {
  certPem: string;
  /** Colon hex, as Node's X509Certificate.fingerprint256. */
  fingerprint256: string;
}

/** TLS options that accept only the pinned certificate (for https and wss requests). */
export function pinnedTlsOptions(pin: TlsPin): { ca: string; checkServerIdentity: (host: string, cert: PeerCertificate) => Error | undefined } {
  const want = pin.fingerprint256.replace(/:/g, '').toUpperCase();
  return {
    ca: pin.certPem,
    checkServerIdentity: (_host, cert) =>
      cert.fingerprint256.replace(/:/g, '').toUpperCase() === want ? undefined : new Error(`the certificate's fingerprint ${cert.fingerprint256} is not the pinned ${pin.fingerprint256}`),
  };
}

/** Accepts the console URL (http://h:p/), or the socket URL (ws://h:p/api/ws). */
export function toWebSocketUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ViridianError('INVALID_INPUT', `"${url}" is not a URL.`, 'Give the host as ws://HOST:PORT/api/ws or http://HOST:PORT/.');
  }
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  else if (u.protocol !== 'ws:' && u.protocol !== 'wss:') {
    throw new ViridianError('INVALID_INPUT', `"${url}" is not an http(s) or ws(s) URL.`, 'Give the host as ws://HOST:PORT/api/ws.');
  }
  if (u.pathname === '/' || u.pathname === '') u.pathname = WS_PATH;
  // The token travels in the subprotocol, never in a URL that ends up in logs.
  u.searchParams.delete('token');
  return u.toString();
}

/** A Transport to a Viridian host's WebSocket API. */
export function connectWebSocket(url: string, token: string, opts: WebSocketConnectOptions = {}): Promise<Transport> {
  const target = toWebSocketUrl(url);
  return new Promise((done, fail) => {
    const ws = new WebSocket(target, [WS_PROTOCOL, `${WS_TOKEN_PROTOCOL_PREFIX}${token}`], {
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      handshakeTimeout: opts.timeoutMs ?? 10_000,
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
      // ws types checkServerIdentity after an old API; it is handed to tls.connect as is.
      ...((opts.pin !== undefined ? pinnedTlsOptions(opts.pin) : {}) as object),
      ...(opts.origin !== undefined ? { origin: opts.origin } : {}),
    });
    const early = (err: Error) => {
      ws.terminate();
      fail(new ViridianError('PROTOCOL', `Could not connect to ${target}: ${err.message}`, 'Check that the host runs with --listen and that the address is right.'));
    };
    ws.once('error', early);
    ws.once('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
      ws.off('error', early);
      ws.on('error', () => {});
      if (status === 401) fail(new ViridianError('UNAUTHORIZED', `The host at ${target} refused the token.`, 'Use the token from the host\'s data directory (host-token), as printed by `viridian host` on its first run.'));
      else if (status === 403) fail(new ViridianError('UNAUTHORIZED', `The host at ${target} refused the connection (HTTP 403).`, 'Connect through a loopback address or without a foreign Origin.'));
      else fail(new ViridianError('PROTOCOL', `The host at ${target} answered HTTP ${status} instead of opening a WebSocket.`, 'Check the address: the API is at /api/ws.'));
    });
    ws.once('open', () => {
      ws.off('error', early);
      done(wsTransport(ws));
    });
  });
}

function wsTransport(ws: WebSocket): Transport {
  const messageListeners: ((text: string) => void)[] = [];
  const closeListeners: ((reason: string) => void)[] = [];
  let closedReason: string | null = null;
  const finish = (reason: string) => {
    if (closedReason !== null) return;
    closedReason = reason;
    for (const l of closeListeners) l(reason);
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
    for (const l of messageListeners) l(text);
  });
  ws.on('error', (err) => finish(err.message));
  ws.on('close', (code, reason) => finish(reason.length > 0 ? reason.toString('utf8') : `connection closed (${code})`));
  return {
    send(text) {
      if (ws.readyState !== WebSocket.OPEN) throw new Error(closedReason ?? 'the connection is not open');
      ws.send(text);
    },
    onMessage(cb) {
      messageListeners.push(cb);
    },
    onClose(cb) {
      if (closedReason !== null) cb(closedReason);
      else closeListeners.push(cb);
    },
    close() {
      finish('closed by client');
      ws.terminate();
    },
  };
}
