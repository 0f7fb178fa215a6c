import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import type { EventPayload } from '../../../src-shared/contract';
import type { HealthReport } from '../../../src-shared/contract/schemas';
import type { ConnectionSnapshot, Transport } from '../../transport';

export interface ConnectionStoreState {
  host: Transport['kind'];
  link: ConnectionSnapshot;
  health: HealthReport | null;
  /** Why the last health check failed (no answer, engine error). */
  healthError: string | null;
  engine: EventPayload<'engine_state'> | null;
  refreshHealth(): Promise<void>;
  applyEngineState(state: EventPayload<'engine_state'>): void;
}

export type ConnectionStore = StoreApi<ConnectionStoreState>;

export function createConnectionStore(api: SurgeApi, transport: Pick<Transport, 'kind' | 'connection'>): ConnectionStore {
  const store = createStore<ConnectionStoreState>()((set) => ({
    host: transport.kind,
    link: transport.connection.current(),
    health: null,
    healthError: null,
    engine: null,
    async refreshHealth() {
      const result = await api.invoke('engine.health', {});
      if (result.ok) set({ health: result.value, healthError: null });
      else set({ healthError: result.error.message });
    },
    applyEngineState(engine) {
      set({ engine });
    },
  }));
  transport.connection.watch((link) => store.setState({ link }));
  return store;
}
