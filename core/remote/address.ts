import { ViridianError } from '../contract';
import { RemoteAddressSchema } from '../contract/protocol-migration';

/** "h:p" / "[v6]:p" → parts; lower-cased host, so the same server is found however it was typed. */
export function splitAddress(address: string): { host: string; port: number; normalized: string } {
  const ok = RemoteAddressSchema.safeParse(address);
  const m = ok.success ? /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address) : null;
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ViridianError('INVALID_INPUT', `"${address}" is not a server address.`, 'Give it as ADDR:PORT, e.g. 192.168.1.20:8443 or [::1]:8443, as the host printed it.');
  }
  const host = (m[1] ?? m[2] ?? '').toLowerCase();
  return { host, port, normalized: m[1] !== undefined ? `[${host}]:${port}` : `${host}:${port}` };
}

/** Host part for a URL (IPv6 in brackets). */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
