import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, isAllowedNavigation, isAllowedRequest, isValidVmId, vmConnectionIdFromUrl, vmConnectionUrl } from './navigation';

describe('isAllowedNavigation', () => {
  it('allows our packaged pages', () => {
    expect(isAllowedNavigation('viridian://app/index.html', APP_ORIGIN)).toBe(true);
    expect(isAllowedNavigation('viridian://app/index.html?view=vm-connection&vm=x#top', APP_ORIGIN)).toBe(true);
  });

  it('allows the dev server only on its own port', () => {
    const dev = 'http://localhost:5173';
    expect(isAllowedNavigation('http://localhost:5173/', dev)).toBe(true);
    expect(isAllowedNavigation('http://localhost:5174/', dev)).toBe(false);
    expect(isAllowedNavigation('https://localhost:5173/', dev)).toBe(false);
    expect(isAllowedNavigation('http://127.0.0.1:5173/', dev)).toBe(false);
  });

  it.each([
    'https://example.com/',
    'http://app/index.html',
    'viridian://evil/index.html',
    'viridian://app.evil.com/',
    'viridian://user:pw@app/index.html',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'about:blank',
    'not a url',
    '',
  ])('refuses %s', (url) => {
    expect(isAllowedNavigation(url, APP_ORIGIN)).toBe(false);
  });

  it('refuses everything when the app origin itself is malformed', () => {
    expect(isAllowedNavigation('viridian://app/', '')).toBe(false);
  });
});

describe('VM Connection URLs', () => {
  it('round-trips a VM id through the window URL', () => {
    const url = vmConnectionUrl('viridian://app/index.html', 'a b&c=d/é');
    expect(url.startsWith('viridian://app/index.html?view=vm-connection&vm=')).toBe(true);
    expect(vmConnectionIdFromUrl(url, APP_ORIGIN)).toBe('a b&c=d/é');
  });

  it('is null for other pages and other origins', () => {
    expect(vmConnectionIdFromUrl('viridian://app/index.html', APP_ORIGIN)).toBeNull();
    expect(vmConnectionIdFromUrl('https://example.com/?view=vm-connection&vm=x', APP_ORIGIN)).toBeNull();
    expect(vmConnectionIdFromUrl('viridian://app/?view=vm-connection&vm=', APP_ORIGIN)).toBeNull();
  });

  it('validates VM ids', () => {
    expect(isValidVmId('3f1c2b9e-0000-4000-8000-000000000000')).toBe(true);
    expect(isValidVmId('')).toBe(false);
    expect(isValidVmId('x'.repeat(301))).toBe(false);
    expect(isValidVmId('a\nb')).toBe(false);
    expect(isValidVmId(42)).toBe(false);
  });
});

describe('isAllowedRequest', () => {
  it('lets pages reach their own origin, WebSocket engines and in-page data', () => {
    for (const url of ['viridian://app/assets/x.js', 'ws://127.0.0.1:8446/api/ws', 'wss://host.example:8446/api/ws', 'data:image/png;base64,AA', 'blob:viridian://app/1234']) {
      expect(isAllowedRequest(url, APP_ORIGIN)).toBe(true);
    }
  });

  it('refuses remote and local-file content', () => {
    for (const url of ['https://cdn.example.com/lib.js', 'http://127.0.0.1:8446/', 'file:///etc/passwd', 'ftp://x/', 'nonsense']) {
      expect(isAllowedRequest(url, APP_ORIGIN)).toBe(false);
    }
  });
});
