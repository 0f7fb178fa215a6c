import { useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { RecordingInspectionDto } from '../../../src-shared/contract/recording-commands';
import { useApp } from '../../app/app-context';
import { formatCount, formatDateTime, formatDuration } from '../../lib/format';
import { EmptyState, ErrorText, Panel } from '../../ui/Panel';
import { recordingOfSession } from '../sessions/sessions-store';

/** What a recording holds, per instrument, and the sessions that replayed it. */
export function RecordingDetails() {
  const { transport, focus, recordings, sessions } = useApp();
  const recordingId = useStore(focus, (state) => state.recordingId);
  const recording = useStore(recordings, (state) => state.items.find((item) => item.id === recordingId) ?? null);
  const sessionsById = useStore(sessions, (state) => state.byId);
  const [inspection, setInspection] = useState<RecordingInspectionDto | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setInspection(null);
    setError(null);
    if (recordingId === null) return;
    let current = true;
    void transport.invoke('recordings.inspect', { id: recordingId }).then((result) => {
      if (!current) return;
      if (result.ok) setInspection(result.value);
      else setError(result.error.message);
    });
    return () => {
      current = false;
    };
  }, [transport, recordingId, recording?.tradeCount]);

  const replays = useMemo(
    () => Object.values(sessionsById).filter((session) => recordingId !== null && recordingOfSession(sessions.getState(), session) === recordingId).sort((a, b) => b.createdAt - a.createdAt),
    [sessionsById, recordingId, sessions],
  );

  return (
    <Panel title="Recording" meta={recording?.name} className="panel-grow" testId="recording-details">
      {recording === null ? (
        <EmptyState>Pick a recording to see what it holds.</EmptyState>
      ) : (
        <div className="details">
          <dl className="facts">
            <dt>Source</dt>
            <dd className="mono ellipsis" title={recording.source}>
              {recording.source}
            </dd>
            <dt>From</dt>
            <dd className="mono">{formatDateTime(recording.firstTs)} UTC</dd>
            <dt>To</dt>
            <dd className="mono">{formatDateTime(recording.lastTs)} UTC</dd>
            <dt>Span</dt>
            <dd className="mono">{recording.firstTs !== null && recording.lastTs !== null ? formatDuration(recording.lastTs - recording.firstTs) : '—'}</dd>
            <dt>Trades</dt>
            <dd className="mono">{formatCount(recording.tradeCount)}</dd>
            <dt>Book updates</dt>
            <dd className="mono">{formatCount(recording.bookCount)}</dd>
          </dl>
          {error !== null ? <ErrorText>{error}</ErrorText> : null}
          {inspection !== null ? (
            <table className="table" data-testid="recording-instruments">
              <thead>
                <tr>
                  <th>Instrument</th>
                  <th className="num">Trades</th>
                  <th className="num">Book updates</th>
                </tr>
              </thead>
              <tbody>
                {inspection.instruments.map((row) => (
                  <tr key={row.instrumentId}>
                    <td className="mono">{row.instrumentId}</td>
                    <td className="num mono">{formatCount(row.trades.count)}</td>
                    <td className="num mono">{formatCount(row.books.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <div className="report-chart-title details-title">Replayed by</div>
          {replays.length === 0 ? (
            <EmptyState>No session has replayed it yet.</EmptyState>
          ) : (
            <ul className="plain-list">
              {replays.map((session) => (
                <li key={session.id} title={session.name}>
                  <span className={`badge badge-kind-${session.kind}`}>{session.kind}</span>
                  <span className="ellipsis plain-list-grow">{session.name}</span>
                  <span className="mono muted">{formatDateTime(session.createdAt)}</span>
                  <span className={`badge badge-status-${session.status}`}>{session.status}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Panel>
  );
}
