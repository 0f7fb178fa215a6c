import { describe, expect, test } from 'vitest';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import { ok } from '../../../src-shared/contract/result';
import type { RiskAlertDto } from '../../../src-shared/contract/schemas';
import { atLeast, createAlertsStore, mergeAlerts } from './alerts-store';

const alert = (id: string, severity: RiskAlertDto['severity'], ts: number): RiskAlertDto => ({ id, severity, source: 'ops', code: 'X', message: id, instrumentId: null, ts });

function store(answers: Record<string, unknown> = {}) {
  const api: SurgeApi = {
    invoke: (async (name: string) => ok(answers[name])) as SurgeApi['invoke'],
    subscribe: () => () => undefined,
  };
  return createAlertsStore(api, { maxAlerts: 10 });
}

describe('alerts store', () => {
  test('asks for the loudest new alert of a burst to be heard, and for none on a list load', async () => {
    const alerts = store({ 'alerts.recent': [{ ...alert('old', 'critical', 1), acknowledgedAt: null, dismissedAt: null }] });
    await alerts.getState().load();
    expect(alerts.getState().sound).toBeNull();
    alerts.getState().applyAlerts([alert('w', 'warning', 2), alert('c', 'critical', 3), alert('i', 'info', 4)]);
    expect(alerts.getState().sound).toMatchObject({ alertId: 'c', severity: 'critical' });
    const first = alerts.getState().sound!.seq;
    alerts.getState().applyAlerts([alert('c', 'critical', 3)]);
    expect(alerts.getState().sound!.seq).toBe(first); // a re-delivered alert is not news
    expect(alerts.getState().items.map((item) => item.id)).toEqual(['i', 'c', 'w', 'old']);
  });

  test('an acknowledgement sticks when the same alert is pushed again, and a dismissed alert leaves the list', async () => {
    const acknowledged = { ...alert('a', 'critical', 5), acknowledgedAt: 9, dismissedAt: null };
    const alerts = store({ 'alerts.acknowledge': acknowledged, 'alerts.dismiss': { ...acknowledged, dismissedAt: 10 } });
    alerts.getState().applyAlerts([alert('a', 'critical', 5)]);
    await alerts.getState().acknowledge('a');
    alerts.getState().applyAlerts([alert('a', 'critical', 5)]);
    expect(alerts.getState().items[0]!.acknowledgedAt).toBe(9);
    await alerts.getState().dismiss('a');
    expect(alerts.getState().items).toEqual([]);
  });

  test('orders severities and keeps the newest first', () => {
    expect(atLeast('critical', 'warning')).toBe(true);
    expect(atLeast('info', 'warning')).toBe(false);
    const merged = mergeAlerts([], [1, 3, 2].map((ts) => ({ ...alert(`a${ts}`, 'info', ts), acknowledgedAt: null, dismissedAt: null })), 2);
    expect(merged.map((item) => item.id)).toEqual(['a3', 'a2']);
  });
});
