/** Where the serve-mode token is kept for this tab: it survives reloads, not the tab. */
export const TOKEN_STORAGE_KEY = 'surge.serveToken';

export interface TokenEnvironment {
  location: Pick<Location, 'href'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem'>;
}

/**
 * Serve mode opens the page as `/?token=…`. The token moves into sessionStorage and out of the
 * address bar at once, so it does not end up in history, bookmarks or screenshots.
 */
export function takeServeToken(environment: TokenEnvironment): string | null {
  const url = new URL(environment.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null && fromUrl !== '') {
    environment.storage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    url.searchParams.delete('token');
    environment.history.replaceState(environment.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  const stored = environment.storage.getItem(TOKEN_STORAGE_KEY);
  return stored === null || stored === '' ? null : stored;
}

/** The serve host answers the WebSocket on the same host and port that served the page. */
export function serveSocketUrl(pageHref: string, token: string): string {
  const page = new URL(pageHref);
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${page.host}/ws?token=${encodeURIComponent(token)}`;
}
