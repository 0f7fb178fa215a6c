import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { EventEnvelope } from '../../src-shared/contract/events';
import { err, type Result } from '../../src-shared/contract/result';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../src-shared/contract/wire';
import type { EngineHost } from '../engine/host';
import { isAppUrl } from './app-origin';

export interface IpcAdapterOptions {
  /** Which frame URLs may call the engine; default: our own `app://` renderer only. */
  isTrustedUrl?: (url: string) => boolean;
  /** Refused senders are reported here (logged by the shell). */
  onRefused?: (reason: string, url: string | null) => void;
}

/** Every window that should receive pushed events; closed ones are skipped. */
export type WebContentsProvider = () => Iterable<WebContents>;

/**
 * The main-process half of the typed IPC bridge. Generic: one invoke channel, one event
 * channel; the command name and request go to the engine untouched, and the engine parses
 * them with the contract. The only check made here is who is asking.
 * Returns a dispose that removes the handler and the event subscription.
 */
export function registerIpcHandlers(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  host: EngineHost,
  webContentsProvider: WebContentsProvider,
  options: IpcAdapterOptions = {},
): () => void {
  const isTrustedUrl = options.isTrustedUrl ?? isAppUrl;
  const onRefused = options.onRefused ?? (() => {});

  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event: IpcMainInvokeEvent, name: unknown, request: unknown): Promise<Result<unknown>> => {
    // a frame that navigated away (or was destroyed) is no longer ours to trust
    const url = event.senderFrame?.url ?? null;
    if (url === null || !isTrustedUrl(url)) {
      onRefused('IPC from an untrusted frame', url);
      return err('unauthorized', 'this frame may not call the engine');
    }
    if (typeof name !== 'string') return err('validation', 'command name must be a string', ['name']);
    try {
      return await host.invoke(name, request);
    } catch (error) {
      // the engine returns failures as data; this only guards against a broken engine
      return err('internal', `${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });

  const unsubscribe = host.subscribeEvents((envelope: EventEnvelope) => {
    for (const contents of webContentsProvider()) {
      if (contents.isDestroyed() || !isTrustedUrl(contents.getURL())) continue;
      contents.send(IPC_EVENT_CHANNEL, envelope);
    }
  });

  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
  };
}
