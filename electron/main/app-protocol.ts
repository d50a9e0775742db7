import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { contentTypeFor, resolveAppFile } from './app-files';
import { APP_HOST, APP_SCHEME } from './navigation';

/**
 * The packaged renderer is served from viridian://app/ rather than file://
 * (Electron security checklist: a file:// page may read any local file and
 * has an opaque origin). Must run before app 'ready'. corsEnabled: vite emits
 * `<script type="module" crossorigin>`, fetched in CORS mode, which Chromium
 * refuses for schemes not marked CORS-enabled; we send no CORS headers, so no
 * other origin can read our files.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);
}

const notFound = (): Response => new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });

/** Serves files of the built renderer (inside app.asar when packaged) with our CSP. */
export function serveAppFiles(rendererDir: string, csp: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || (request.method !== 'GET' && request.method !== 'HEAD')) return notFound();
    const file = resolveAppFile(rendererDir, url.pathname);
    if (!file) return notFound();
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return notFound();
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      headers: {
        'content-type': contentTypeFor(file),
        'content-security-policy': csp,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      },
    });
  });
}
