/**
 * The renderer's origin in the desktop app. It is served over a privileged `app://` scheme
 * instead of file:// so that it has a real origin of its own (file:// pages can read other
 * local files), response headers (the CSP travels with index.html), and absolute asset URLs.
 *
 * No Electron import here: the IPC adapter's sender check uses it and is unit-tested in Node.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'surge';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** True only for a URL of our own renderer build. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Hosts whose https links may be handed to the system browser (exchange pages, chart credits). */
export const DEFAULT_EXTERNAL_LINK_HOSTS: readonly string[] = ['www.mexc.com', 'mexc.com', 'futures.mexc.com', 'www.tradingview.com'];

/** Only plain https to a listed host, with no credentials in the URL, leaves the app. */
export function isAllowedExternalUrl(url: string, allowedHosts: readonly string[] = DEFAULT_EXTERNAL_LINK_HOSTS): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' && parsed.port === '' && allowedHosts.includes(parsed.hostname);
  } catch {
    return false;
  }
}
