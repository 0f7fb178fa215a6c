import { app, BrowserWindow, dialog, ipcMain, powerMonitor, session } from 'electron';
import log from 'electron-log/main';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKernel } from '../engine/kernel';
import type { EngineKernel } from '../engine/host';
import { createLogger } from '../engine/ops/logger';
import { appPathsFromRoot } from '../serve/app-paths';
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
let startup: Promise<void> | null = null;
let quitState: 'running' | 'stopping' | 'stopped' = 'running';

const moduleDir = path.dirname(fileURLToPath(import.meta.url));
const preloadPath = path.join(moduleDir, 'preload.cjs');

function showMainWindow(): void {
  if (mainWindow === null || mainWindow.isDestroyed()) {
    mainWindow = createMainWindow({ preloadPath });
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
    loadRenderer(mainWindow).catch((error: unknown) => logger.error('renderer failed to load', { error }));
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
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
  });
  kernel = created;
  await created.start();
  disposeIpc = registerIpcHandlers(ipcMain, created.host, () => BrowserWindow.getAllWindows().map((window) => window.webContents), {
    onRefused: (reason, url) => logger.warn(reason, { url }),
  });

  powerMonitor.on('suspend', () => logger.info('system suspending'));
  powerMonitor.on('resume', () => {
    // TODO(execution): ask the engine to reconnect feeds and reconcile orders/positions once a command exists for it
    logger.info('system resumed');
  });

  showMainWindow();
  logger.info('started', { userData: app.getPath('userData'), version: app.getVersion() });
}

async function stop(): Promise<void> {
  await startup?.catch(() => {});
  disposeIpc?.();
  disposeIpc = null;
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
    quitState = 'stopping';
    stop()
      .catch((error: unknown) => logger.error('engine stop failed', { error }))
      .finally(() => {
        quitState = 'stopped';
        app.quit();
      });
  });

  app.on('window-all-closed', () => {
    // TODO(tray): keep running in the tray once it exists; macOS keeps apps alive by convention
    if (process.platform !== 'darwin') app.quit();
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
