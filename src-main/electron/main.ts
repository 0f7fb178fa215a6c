import { app, BrowserWindow, dialog, ipcMain, powerMonitor, session } from 'electron';
import log from 'electron-log/main';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKernel } from '../engine/kernel';
import type { EngineKernel } from '../engine/host';
import { createLogger } from '../engine/ops/logger';
import { startMetricsServer, type MetricsServer } from '../engine/ops/metrics-server';
import { appPathsFromRoot } from '../serve/app-paths';
import { startAutoUpdate } from './auto-update';
import { DesktopIntegration, testHooksEnabled } from './desktop-integration';
import { registerIpcHandlers } from './ipc-main-adapter';
import { electronLogSink } from './log-sink';
import { createMainWindow, denyAllPermissions, hardenApp, loadRenderer, registerAppScheme, serveRenderer } from './window';

/**
 * The desktop shell: hosts the engine in the main process and adapts it to Electron.
 * Everything that decides anything lives in the engine; this file only wires and orders.
 */

// tests and portable setups point the app at a throwaway folder; must happen before 'ready'
const dataDirOverride = process.env['SURGE_DATA_DIR'];
if (dataDirOverride !== undefined && dataDirOverride !== '') app.setPath('userData', path.resolve(dataDirOverride));

log.transports.file.resolvePathFn = () => path.join(app.getPath('logs'), 'main.log');
const logSink = electronLogSink(log);
const logger = createLogger('electron/main', logSink);

registerAppScheme();
// before any webContents exists, so none escapes the navigation and window.open guards
hardenApp({ onBlocked: (what, url) => logger.warn(`blocked ${what}`, { url }) });

let kernel: EngineKernel | null = null;
let mainWindow: BrowserWindow | null = null;
let disposeIpc: (() => void) | null = null;
let metricsServer: MetricsServer | null = null;
let startup: Promise<void> | null = null;
let quitState: 'running' | 'stopping' | 'stopped' = 'running';
let desktop: DesktopIntegration | null = null;
// set once the trader answered "quit anyway" (or the OS is shutting down): before-quit asks no more
let quitConfirmed = false;

const moduleDir = path.dirname(fileURLToPath(import.meta.url));
const preloadPath = path.join(moduleDir, 'preload.cjs');

function showMainWindow(): BrowserWindow {
  if (mainWindow === null || mainWindow.isDestroyed()) {
    const created = createMainWindow({ preloadPath });
    mainWindow = created;
    created.on('closed', () => {
      mainWindow = null;
    });
    // Windows is logging off or shutting down: no question can be answered now
    created.on('session-end', () => {
      quitConfirmed = true;
    });
    loadRenderer(created).catch((error: unknown) => logger.error('renderer failed to load', { error }));
    return created;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
  return mainWindow;
}

function quitNow(): void {
  quitConfirmed = true;
  app.quit();
}

async function start(): Promise<void> {
  const paths = appPathsFromRoot(app.getAppPath());
  denyAllPermissions(session.defaultSession);
  serveRenderer(paths.staticDir, session.defaultSession);

  const created = await createKernel({
    dataDir: app.getPath('userData'),
    migrationsDir: paths.migrationsDir,
    resourcesDir: paths.resourcesDir,
    logSink,
  }, { firstRunDemo: true });
  kernel = created;
  await created.start();
  if (created.settings.metrics.enabled) {
    // opt-in: a scrape endpoint is one more listening socket, even on loopback
    metricsServer = await startMetricsServer({ host: created.host, port: created.settings.metrics.port, logger: logger.child('metrics') }).catch((error: unknown) => {
      logger.error('metrics endpoint not started', { port: created.settings.metrics.port, error });
      return null;
    });
    if (metricsServer !== null) logger.info('metrics endpoint listening', { url: metricsServer.url });
  }
  disposeIpc = registerIpcHandlers(ipcMain, created.host, () => BrowserWindow.getAllWindows().map((window) => window.webContents), {
    onRefused: (reason, url) => logger.warn(reason, { url }),
  });

  desktop = new DesktopIntegration({
    host: created.host,
    settings: created.settings,
    resourcesDir: paths.resourcesDir,
    logger: logger.child('shell'),
    showMainWindow,
    mainWindow: () => mainWindow,
    quit: quitNow,
  });
  await desktop.start();
  if (testHooksEnabled()) (globalThis as Record<string, unknown>)['__surgeShell'] = desktop.testHooks();

  powerMonitor.on('suspend', () => logger.info('system suspending'));
  powerMonitor.on('resume', () => {
    logger.info('system resumed');
    // the engine reconnects feeds and reconciles with the venue (engine.resume)
    desktop?.onSystemResume();
  });
  // the OS is ending the session: no question can be answered now
  powerMonitor.on('shutdown', () => {
    quitConfirmed = true;
  });

  showMainWindow();
  logger.info('started', { userData: app.getPath('userData'), version: app.getVersion() });
  startAutoUpdate({
    isPackaged: app.isPackaged,
    logger: logger.child('updater'),
    onReady: (version) => {
      logger.info('update downloaded; it installs when the app quits', { version });
      desktop?.notifyUpdateReady(version);
    },
  }).catch((error: unknown) => logger.error('auto-update failed', { error }));
}

async function stop(): Promise<void> {
  await startup?.catch(() => {});
  desktop?.dispose();
  desktop = null;
  disposeIpc?.();
  disposeIpc = null;
  await metricsServer?.close();
  metricsServer = null;
  await kernel?.stop();
  kernel = null;
}

if (!app.requestSingleInstanceLock()) {
  // another instance owns the database; it gets focused through 'second-instance'
  app.quit();
} else {
  app.on('second-instance', () => {
    if (app.isReady() && kernel !== null) showMainWindow();
  });

  app.on('before-quit', (event) => {
    if (quitState === 'stopped') return;
    // the engine must flush and release before the process goes: hold the quit until it has
    event.preventDefault();
    if (quitState === 'stopping') return;
    if (!quitConfirmed && desktop !== null) {
      // Cmd+Q, the dock or the taskbar ask like the tray's Quit: only when positions are open
      desktop.shell.requestQuit().catch((error: unknown) => logger.error('quit check failed', { error }));
      return;
    }
    quitState = 'stopping';
    stop()
      .catch((error: unknown) => logger.error('engine stop failed', { error }))
      .finally(() => {
        quitState = 'stopped';
        app.quit();
      });
  });

  app.on('window-all-closed', () => {
    // with a tray icon the engine keeps trading and alerting with no window open; macOS keeps apps alive by convention
    if (desktop?.hasTray === true || process.platform === 'darwin') return;
    app.quit();
  });

  app.on('activate', () => {
    if (kernel !== null) showMainWindow();
  });

  startup = app.whenReady().then(start);
  startup.catch((error: unknown) => {
    logger.error('start-up failed', { error });
    dialog.showErrorBox('Surge Workstation could not start', error instanceof Error ? error.message : String(error));
    app.exit(1);
  });
}

process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: reason }));
