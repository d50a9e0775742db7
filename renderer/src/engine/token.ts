const STORAGE_KEY = 'viridian.token';

export interface TokenEnv {
  location: Pick<Location, 'href'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem'>;
}

/**
 * The host prints a URL with `?token=`. Take it once, keep it for reloads in
 * sessionStorage (gone when the tab closes), and clear it from the address
 * bar so it does not end up in history, screenshots or shared links.
 */
export function takeToken(env: TokenEnv): string | null {
  const url = new URL(env.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null && fromUrl !== '') {
    env.storage.setItem(STORAGE_KEY, fromUrl);
    url.searchParams.delete('token');
    env.history.replaceState(env.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return env.storage.getItem(STORAGE_KEY);
}

export function webSocketUrl(origin: string, token: string | null): string {
  const base = `${origin.replace(/^http/, 'ws')}/api/ws`;
  return token === null ? base : `${base}?token=${encodeURIComponent(token)}`;
}
