import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';
import { takeToken, webSocketUrl } from './token';

function env(href: string) {
  const store = new Map<string, string>();
  const replaced: string[] = [];
  return {
    env: {
      location: { href },
      history: { state: null, replaceState: (_s: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)) },
      storage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) },
    },
    store,
    replaced,
  };
}

describe('token', () => {
  it('takes ?token= from the address, stores it and removes it from the address bar', () => {
    const e = env('http://127.0.0.1:8080/?token=abc&x=1#h');
    expect(takeToken(e.env)).toBe('abc');
    expect(e.replaced).toEqual(['/?x=1#h']);
    expect(e.store.get('viridian.token')).toBe('abc');
  });

  it('falls back to the stored token after a reload', () => {
    const e = env('http://127.0.0.1:8080/');
    e.store.set('viridian.token', 'kept');
    expect(takeToken(e.env)).toBe('kept');
    expect(e.replaced).toEqual([]);
  });

  it('builds the WebSocket address from the page origin', () => {
    expect(webSocketUrl('http://127.0.0.1:8080', 'a b')).toBe('ws://127.0.0.1:8080/api/ws?token=a%20b');
    expect(webSocketUrl('https://h', null)).toBe('wss://h/api/ws');
  });

  it('backs off quickly at first, then caps', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
});
