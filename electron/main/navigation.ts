/**
 * Which URLs our windows may show. Pure functions so the rules are unit-tested;
 * main.ts wires them to `will-navigate`, `setWindowOpenHandler` and IPC sender checks.
 */

/** The scheme the packaged renderer is served from (registered as standard + secure). */
export const APP_SCHEME = 'viridian';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * True when `url` is one of our own pages: same scheme, host and port as
 * `appOrigin` (the vite dev server in development, viridian://app when
 * packaged). Compared field by field because Node reports `origin` "null"
 * for custom schemes.
 */
export function isAllowedNavigation(url: string, appOrigin: string): boolean {
  const u = parse(url);
  const app = parse(appOrigin);
  if (!u || !app) return false;
  if (u.username !== '' || u.password !== '') return false;
  return u.protocol === app.protocol && u.hostname === app.hostname && u.port === app.port;
}

/** VM ids are UUIDs today; VM names may be used too, so allow any short printable text. */
export function isValidVmId(vmId: unknown): vmId is string {
  // eslint-disable-next-line no-control-regex
  return typeof vmId === 'string' && vmId.length > 0 && vmId.length <= 300 && !/[\u0000-\u001f\u007f]/.test(vmId);
}

/** The page a VM Connection window shows: the console's own index with a view parameter. */
export function vmConnectionUrl(appEntryUrl: string, vmId: string): string {
  const u = new URL(appEntryUrl);
  u.search = new URLSearchParams({ view: 'vm-connection', vm: vmId }).toString();
  u.hash = '';
  return u.toString();
}

/** The VM id when `url` is our VM Connection page, else null (every other window.open is denied). */
export function vmConnectionIdFromUrl(url: string, appOrigin: string): string | null {
  if (!isAllowedNavigation(url, appOrigin)) return null;
  const u = parse(url);
  if (!u || u.searchParams.get('view') !== 'vm-connection') return null;
  const id = u.searchParams.get('vm');
  return isValidVmId(id) ? id : null;
}

/** Schemes a page of ours may fetch from besides its own origin: WebSockets to engines (this or other hosts) and in-page data. */
const OPEN_SCHEMES = new Set(['ws:', 'wss:', 'data:', 'blob:', 'devtools:']);

/**
 * No remote content: requests go to our own origin, or are WebSockets
 * (the console talks to other hosts' engines that way), or stay in the page.
 */
export function isAllowedRequest(url: string, appOrigin: string): boolean {
  if (isAllowedNavigation(url, appOrigin)) return true;
  const u = parse(url);
  return u !== null && OPEN_SCHEMES.has(u.protocol);
}
