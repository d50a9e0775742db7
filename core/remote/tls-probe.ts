import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { ViridianError } from '../contract';
import type { TlsPin } from '../host/ws-client';

/**
 * Does the server at host:port speak TLS, and with which certificate? A plain
 * HTTP server answers a ClientHello with garbage or a 400, which is a TLS
 * protocol error here: that means "no TLS". A refused or silent connection is
 * an error either way.
 */
export function probeTls(host: string, port: number, timeoutMs = 5000): Promise<TlsPin | null> {
  return new Promise((done, fail) => {
    const socket = connect({ host, port, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) });
    const timer = setTimeout(() => {
      socket.destroy();
      fail(new ViridianError('TIMEOUT', `The server ${host}:${port} did not answer within ${timeoutMs / 1000} s.`, 'Check the address and that `viridian host --listen` runs there and is reachable (firewall).'));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const peer = socket.getPeerCertificate(false);
      socket.end();
      if (!peer || !peer.raw) {
        fail(new ViridianError('PROTOCOL', `The server ${host}:${port} offered TLS without a certificate.`));
        return;
      }
      const cert = new X509Certificate(peer.raw);
      done({ certPem: cert.toString(), fingerprint256: cert.fingerprint256 });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      if (err.code === 'ECONNREFUSED' || err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
        fail(unreachable(host, port, err));
      } else {
        done(null);
      }
    });
  });
}

export function unreachable(host: string, port: number, err: NodeJS.ErrnoException): ViridianError {
  const why = err.code === 'ECONNREFUSED' ? 'refused the connection' : err.code === 'ENOTFOUND' ? 'has a name no one resolves' : `is unreachable (${err.code ?? err.message})`;
  return new ViridianError('PROTOCOL', `The server ${host}:${port} ${why}.`, 'Check that `viridian host --listen ADDR:PORT` runs there, on that address and port.');
}

/** "AB:CD:…" for display and comparison. */
export function colonHex(hex: string): string {
  const plain = hex.replace(/[:\s]/g, '').toUpperCase();
  return plain.match(/.{2}/g)?.join(':') ?? plain;
}
