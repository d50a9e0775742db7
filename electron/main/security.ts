import { app, type Session, type WebContents } from 'electron';
import { isAllowedNavigation, isAllowedRequest, vmConnectionIdFromUrl } from './navigation';

export interface SecurityOptions {
  /** Our pages' origin: the vite dev server in development, viridian://app when packaged. */
  appOrigin: string;
  csp: string;
  /** window.open of our own VM Connection URL becomes a properly configured window. */
  openVmConnection: (vmId: string) => void;
}

/**
 * Applied to every WebContents ever created (not just the ones we make), per
 * Electron's security checklist: no navigation away from our pages, no new
 * windows, no <webview>, no permissions except clipboard writes.
 */
export function hardenAllWebContents(opts: SecurityOptions): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, opts));
}

function hardenWebContents(contents: WebContents, opts: SecurityOptions): void {
  const guard = (event: { url: string; preventDefault: () => void }) => {
    if (!isAllowedNavigation(event.url, opts.appOrigin)) {
      event.preventDefault();
      console.warn(`[security] blocked navigation to ${event.url}`);
    }
  };
  contents.on('will-navigate', guard);
  contents.on('will-frame-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const vmId = vmConnectionIdFromUrl(url, opts.appOrigin);
    if (vmId !== null) setImmediate(() => opts.openVmConnection(vmId));
    else console.warn(`[security] blocked window.open(${url})`);
    return { action: 'deny' };
  });
}

/** No remote content, the CSP header on our pages (dev server included), and a permission policy of "no". */
export function secureSession(session: Session, opts: SecurityOptions): void {
  session.webRequest.onBeforeRequest((details, callback) => {
    const ok = isAllowedRequest(details.url, opts.appOrigin);
    if (!ok) console.warn(`[security] blocked request to ${details.url}`);
    callback({ cancel: !ok });
  });
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isAllowedNavigation(details.url, opts.appOrigin)) {
      callback({});
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(details.responseHeaders ?? {})) {
      if (k.toLowerCase() !== 'content-security-policy') headers[k] = v;
    }
    headers['Content-Security-Policy'] = [opts.csp];
    callback({ responseHeaders: headers });
  });
  const allowed = (permission: string, origin: string) => permission === 'clipboard-sanitized-write' && isAllowedNavigation(origin, opts.appOrigin);
  session.setPermissionRequestHandler((contents, permission, callback) => callback(allowed(permission, contents.getURL())));
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => allowed(permission, requestingOrigin));
}
