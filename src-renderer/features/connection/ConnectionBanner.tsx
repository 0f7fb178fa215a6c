import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../../app/app-context';

/** Shown while the link to the engine is down; counts down to the next reconnect attempt. */
export function ConnectionBanner() {
  const { connection } = useApp();
  const link = useStore(connection, (state) => state.link);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (link.state !== 'lost') return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [link.state]);

  if (link.state !== 'lost' && link.state !== 'closed') return null;
  if (link.state === 'closed') {
    return (
      <div className="banner banner-error" role="alert" data-testid="connection-banner">
        The connection to the engine was closed. Reload the page to reconnect.
      </div>
    );
  }
  const seconds = link.nextRetryAt === null ? 0 : Math.max(0, Math.ceil((link.nextRetryAt - now) / 1000));
  return (
    <div className="banner banner-error" role="alert" data-testid="connection-banner">
      <strong>Connection to the engine lost.</strong>{' '}
      {seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting…'} (attempt {link.attempt}).
      {link.queued > 0 ? ` ${link.queued} command${link.queued === 1 ? '' : 's'} waiting to be sent.` : ''} Nothing you asked for is dropped; a command fails with a clear error if
      the engine stays unreachable.
    </div>
  );
}
