import type { ViridianBridge } from '../../../core/contract';

const VM_ID = /^[0-9a-f-]{36}$/i;

/**
 * The VM whose connection this page shows, or null for the console itself:
 * the desktop app opens `?view=vm-connection&vm=ID` in its own window, the
 * browser console a tab at `#/connect/ID`.
 */
export function vmConnectionTarget(href: string): string | null {
  const url = new URL(href);
  if (url.searchParams.get('view') === 'vm-connection') {
    const id = url.searchParams.get('vm');
    return id !== null && VM_ID.test(id) ? id : null;
  }
  const m = /^#\/connect\/([0-9a-f-]{36})$/i.exec(url.hash);
  return m?.[1] ?? null;
}

export interface OpenEnv {
  bridge: ViridianBridge | null;
  origin: string;
  /** The page's access token (browser console), carried to the new tab once. */
  token: string | null;
  open: (url: string, target: string) => unknown;
}

/** Opens the VM Connection window (desktop) or tab (browser) for a VM. */
export function openVmConnection(vmId: string, env: OpenEnv): void {
  if (env.bridge !== null) {
    env.bridge.openVmConnection(vmId);
    return;
  }
  const query = env.token !== null ? `?token=${encodeURIComponent(env.token)}` : '';
  // One tab per VM: opening it again brings the same tab back.
  env.open(`${env.origin}/${query}#/connect/${vmId}`, `viridian-vm-${vmId}`);
}

/** The same, with this page's real environment. */
export function openVmConnectionHere(vmId: string): void {
  openVmConnection(vmId, {
    bridge: window.viridian ?? null,
    origin: location.origin,
    token: sessionStorage.getItem('viridian.token'),
    open: (url, target) => window.open(url, target),
  });
}

/** Where the console WebSocket for a ticket is: the engine's loopback endpoint in the desktop app, the page's own host in a browser. */
export function consoleSocketUrl(ticket: { path: string; url: string }, page: { protocol: string; host: string }): string {
  if (page.protocol === 'http:' || page.protocol === 'https:') return `${page.protocol === 'https:' ? 'wss' : 'ws'}://${page.host}${ticket.path}`;
  return ticket.url;
}
