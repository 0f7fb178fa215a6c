import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import criticalSound from '../../../resources/sounds/critical.wav?url';
import infoSound from '../../../resources/sounds/info.wav?url';
import warningSound from '../../../resources/sounds/warning.wav?url';
import { useApp } from '../../app/app-context';
import { atLeast, type SeverityName } from './alerts-store';

const SOUND_URL: Record<SeverityName, string> = { critical: criticalSound, warning: warningSound, info: infoSound };
const SEVERITIES: readonly SeverityName[] = ['critical', 'warning', 'info'];

/**
 * Plays the sound of a new alert (resources/sounds, bundled with the renderer). Settings decide
 * whether and from which severity; the trader can mute this window. A browser tab may refuse
 * to play before the page was clicked once: the refusal is shown, not swallowed.
 */
export function AlertSounds() {
  const { alerts, ui, settingsStore } = useApp();
  const request = useStore(alerts, (state) => state.sound);
  const muted = useStore(ui, (state) => state.soundMuted);
  const enabled = useStore(settingsStore, (state) => state.settings?.alerts.sound ?? true);
  const minimum = useStore(settingsStore, (state) => state.settings?.alerts.soundMinSeverity ?? 'warning');
  const players = useRef<Partial<Record<SeverityName, HTMLAudioElement | null>>>({});
  const [blocked, setBlocked] = useState<string | null>(null);
  const played = useRef(0);

  useEffect(() => {
    if (request === null || request.seq === played.current) return;
    played.current = request.seq;
    if (muted || !enabled || !atLeast(request.severity, minimum)) return;
    const player = players.current[request.severity];
    if (player === null || player === undefined) return;
    player.currentTime = 0;
    player.dataset['alertId'] = request.alertId;
    player.play().then(
      () => setBlocked(null),
      (error: unknown) => setBlocked(error instanceof Error ? error.message : String(error)),
    );
  }, [request, muted, enabled, minimum]);

  return (
    <div className="alert-sounds">
      {SEVERITIES.map((severity) => (
        <audio
          key={severity}
          ref={(element) => {
            players.current[severity] = element;
          }}
          src={SOUND_URL[severity]}
          preload="auto"
          data-testid={`alert-sound-${severity}`}
        />
      ))}
      {blocked !== null ? (
        <button type="button" className="banner banner-warning sound-blocked" onClick={() => setBlocked(null)} data-testid="sound-blocked" title={blocked}>
          The browser blocked an alert sound. Click anywhere in the page once so alerts can be heard.
        </button>
      ) : null}
    </div>
  );
}
