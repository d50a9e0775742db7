/**
 * The Content-Security-Policy the shell sends with every page of ours, on top
 * of the renderer's own <meta> policy (both apply; the stricter wins). It
 * matches the meta policy and adds what only a header can say
 * (frame-ancestors). ws:/wss: stay open because the console can connect to
 * other hosts' engines over WebSocket.
 */
const PRODUCTION: Readonly<Record<string, string>> = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': "'self' 'unsafe-inline'",
  'img-src': "'self' data: blob:",
  'connect-src': "'self' ws: wss:",
  'object-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
};

/** vite's dev server injects an inline React Refresh preamble and talks HMR over a WebSocket. */
const DEVELOPMENT_EXTRA: Readonly<Record<string, string>> = {
  'script-src': "'self' 'unsafe-inline'",
};

export function contentSecurityPolicy(isDev: boolean): string {
  const policy = isDev ? { ...PRODUCTION, ...DEVELOPMENT_EXTRA } : PRODUCTION;
  return Object.entries(policy)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');
}
