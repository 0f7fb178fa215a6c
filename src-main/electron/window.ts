import { app, BrowserWindow, net, protocol, shell, type Session, type WebContents } from 'electron';
import { pathToFileURL } from 'node:url';
import { contentSecurityPolicy, contentTypeFor, isRealPathInside, resolveStaticPath } from '../serve/static-files';
import { APP_ENTRY_URL, APP_HOST, APP_SCHEME, isAllowedExternalUrl, isAppUrl } from './app-origin';

/**
 * Window security in one place (ARCHITECTURE §13): the renderer comes from the app's own
 * files over `app://surge/`, with a strict CSP on every response; Node stays out of the
 * renderer; navigation, new windows, webviews and permission requests are all refused.
 */

export const WINDOW_BACKGROUND = '#0b0e11';

/**
 * Must run before app 'ready': Chromium fixes scheme privileges at start-up. `standard` gives
 * the scheme real origins and relative URLs, `secure` a secure context; `corsEnabled` is what
 * `<script type="module" crossorigin>` (Vite's output) needs to load. Our responses carry no
 * Access-Control-Allow-Origin, so no other origin can read them.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
  ]);
}

const APP_CSP = contentSecurityPolicy();
const SECURITY_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' } as const;

/**
 * Serves rendererDir (dist-renderer/, possibly inside app.asar) as `app://surge/`. The CSP
 * travels as a response header: header CSP cannot be removed by anything in the page, and
 * file:// responses have no headers to put it in.
 */
export function serveRenderer(rendererDir: string, target: Session): void {
  target.protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return textResponse(404, 'not found');
    if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'method not allowed');
    const resolved = resolveStaticPath(rendererDir, url.pathname);
    if (resolved.kind === 'refused' || !(await isRealPathInside(rendererDir, resolved.filePath))) {
      return textResponse(resolved.kind === 'file' && resolved.isIndex ? 503 : 404, resolved.kind === 'file' && resolved.isIndex ? 'renderer not built: run `npm run build`' : 'not found');
    }
    let file: Response;
    try {
      file = await net.fetch(pathToFileURL(resolved.filePath).toString());
    } catch {
      return textResponse(404, 'not found');
    }
    if (!file.ok) return textResponse(404, 'not found');
    return new Response(file.body, {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': contentTypeFor(resolved.filePath), 'Content-Security-Policy': APP_CSP },
    });
  });
}

function textResponse(status: number, body: string): Response {
  return new Response(body, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** No page may use the camera, notifications, geolocation, HID, clipboard-read…: the engine does that work. */
export function denyAllPermissions(target: Session): void {
  target.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  target.setPermissionCheckHandler(() => false);
  target.setDevicePermissionHandler(() => false);
}

export interface NavigationGuardOptions {
  externalLinkHosts?: readonly string[];
  onBlocked?: (what: string, url: string) => void;
}

/**
 * Applied to every webContents the app ever creates (via 'web-contents-created'), so a
 * window added later cannot forget it. Allowed external https links go to the system browser.
 */
export function guardWebContents(contents: WebContents, options: NavigationGuardOptions = {}): void {
  const onBlocked = options.onBlocked ?? (() => {});
  // the app never leaves its own page: a listed https link goes to the system browser instead
  const refuse = (what: string, url: string): void => {
    if (!isAllowedExternalUrl(url, options.externalLinkHosts)) {
      onBlocked(what, url);
      return;
    }
    shell.openExternal(url).catch((error: unknown) => onBlocked(`${what} (openExternal failed: ${String(error)})`, url));
  };
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    refuse('navigation', url);
  });
  contents.on('will-frame-navigate', (event) => {
    // the main frame is handled by will-navigate above; this covers iframes
    if (!event.isMainFrame && !isAppUrl(event.url)) {
      event.preventDefault();
      onBlocked('frame navigation', event.url);
    }
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) {
      event.preventDefault();
      onBlocked('redirect', url);
    }
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    onBlocked('webview', '');
  });
  contents.setWindowOpenHandler(({ url }) => {
    refuse('window.open', url);
    return { action: 'deny' };
  });
}

/** Installs the guards app-wide; call once, before any window exists. */
export function hardenApp(options: NavigationGuardOptions = {}): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, options));
}

export interface MainWindowOptions {
  preloadPath: string;
  width?: number;
  height?: number;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: options.width ?? 1440,
    height: options.height ?? 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: WINDOW_BACKGROUND,
    title: 'Surge Workstation',
    autoHideMenuBar: true,
    // written out here, at the one place a window is made, so a reader and Electronegativity's
    // static checks both see every security setting where it takes effect
    webPreferences: {
      preload: options.preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // a middle click would otherwise try to open a link in a new window (refused anyway by the window.open handler)
      disableBlinkFeatures: 'Auxclick',
    },
  });
  // shown once painted: no white flash before the dark UI
  window.once('ready-to-show', () => window.show());
  return window;
}

export function loadRenderer(window: BrowserWindow): Promise<void> {
  return window.loadURL(APP_ENTRY_URL);
}
