import { createContext, useContext, type ReactNode } from 'react';
import type { AppState } from './app-state';

const AppStateContext = createContext<AppState | null>(null);

export function AppStateProvider({ value, children }: { value: AppState; children: ReactNode }) {
  return <AppStateContext.Provider value={value}>{children}</AppStateContext.Provider>;
}

/** The window's stores; features read them through zustand's useStore with a selector. */
export function useApp(): AppState {
  const app = useContext(AppStateContext);
  if (app === null) throw new Error('useApp() used outside <AppStateProvider>');
  return app;
}
