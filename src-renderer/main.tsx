import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, MissingToken } from './app/App';
import { AppStateProvider } from './app/app-context';
import { createAppState } from './app/app-state';
import { startSync } from './app/sync';
import { browserFrameScheduler } from './lib/frame-scheduler';
import { createTransport, MissingTokenError, type Transport } from './transport';
import './app/styles.css';

const rootElement = document.getElementById('root');
if (rootElement === null) throw new Error('index.html has no #root element');
const root = createRoot(rootElement);

let transport: Transport | null = null;
try {
  transport = createTransport({ onProtocolError: (message) => console.warn('[surge transport]', message) });
} catch (error) {
  if (!(error instanceof MissingTokenError)) throw error;
  root.render(<MissingToken message={error.message} />);
}

if (transport !== null) {
  const app = createAppState(transport);
  const stopSync = startSync(app, browserFrameScheduler(), {
    setInterval: (callback, ms) => window.setInterval(callback, ms),
    clearInterval: (handle) => window.clearInterval(handle as number),
  });
  const link = transport;
  window.addEventListener('pagehide', () => {
    stopSync();
    link.close();
  });
  root.render(
    <StrictMode>
      <AppStateProvider value={app}>
        <App />
      </AppStateProvider>
    </StrictMode>,
  );
}
