import type { Logger } from '../engine/ops/logger';

/**
 * Auto-update through electron-updater, only in a packaged app (never in development: there is
 * no signed build to compare with). The feed is the `publish` URL baked in at build time
 * (electron-builder.yml, SURGE_UPDATE_URL). An update downloads in the background and installs
 * when the app quits; the trader is told when it is ready.
 */
export async function startAutoUpdate(options: { isPackaged: boolean; logger: Logger; onReady: (version: string) => void }): Promise<void> {
  if (!options.isPackaged) return;
  // loaded only here, so development start-up does not pay for it
  const { autoUpdater } = await import('electron-updater');
  autoUpdater.logger = {
    info: (message?: unknown) => options.logger.info(`updater: ${String(message)}`),
    warn: (message?: unknown) => options.logger.warn(`updater: ${String(message)}`),
    error: (message?: unknown) => options.logger.error(`updater: ${String(message)}`),
    debug: (message: string) => options.logger.debug(`updater: ${message}`),
  };
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.on('update-downloaded', (info) => options.onReady(info.version));
  try {
    await autoUpdater.checkForUpdates();
  } catch (error) {
    // offline, or a build without an update feed: the app works on without updates
    options.logger.warn('update check failed', { error: error instanceof Error ? error.message : String(error) });
  }
}
