import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { CommandInput, CommandName, CommandResponse, SurgeApi } from '../../src-shared/contract/commands';
import type { EventEnvelope } from '../../src-shared/contract/events';
import type { Result } from '../../src-shared/contract/result';
import { PRELOAD_EVENT_CHANNEL as IPC_EVENT_CHANNEL, PRELOAD_INVOKE_CHANNEL as IPC_INVOKE_CHANNEL } from './ipc-channels';

/**
 * The renderer's only door to the engine: `window.surge` with exactly invoke and subscribe.
 * ipcRenderer itself never crosses the bridge (it would let the page send on any channel).
 * Sandboxed preloads cannot be ESM, so scripts/build-main.mjs bundles this file as CommonJS.
 */
const surge: SurgeApi = {
  invoke<N extends CommandName>(name: N, request: CommandInput<N>): Promise<Result<CommandResponse<N>>> {
    return ipcRenderer.invoke(IPC_INVOKE_CHANNEL, name, request) as Promise<Result<CommandResponse<N>>>;
  },
  subscribe(listener: (envelope: EventEnvelope) => void): () => void {
    // the IPC event object carries `sender` (ipcRenderer): only the envelope goes to the page
    const forward = (_event: IpcRendererEvent, envelope: EventEnvelope): void => listener(envelope);
    ipcRenderer.on(IPC_EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('surge', surge);
