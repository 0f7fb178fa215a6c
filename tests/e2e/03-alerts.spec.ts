import { expect, openApp, test } from './fixtures';

/** An Alertmanager notification (webhook payload version 4) with one firing alert. */
function notification(severity: string, fingerprint: string) {
  const now = new Date().toISOString();
  return {
    version: '4',
    groupKey: '{}:{alertname="LiquidationDistanceCritical"}',
    status: 'firing',
    receiver: 'surge-app',
    groupLabels: { alertname: 'LiquidationDistanceCritical' },
    commonLabels: { alertname: 'LiquidationDistanceCritical', severity },
    commonAnnotations: {},
    externalURL: 'http://127.0.0.1:9093',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'LiquidationDistanceCritical', severity, instrument: 'BTC/USDT:USDT' },
        annotations: { summary: 'BTC/USDT:USDT is 9 % from liquidation' },
        startsAt: now,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://127.0.0.1:9090/graph',
        fingerprint,
      },
    ],
  };
}

test.describe('risk alerts', () => {
  test('a critical alert plays its sound, can be acknowledged and dismissed, and that survives a reload', async ({ page, serveUrl, serve }) => {
    await openApp(page, serveUrl);
    // a browser tab plays sound only after the trader has interacted with it once
    await page.getByTestId('nav-trade').click();
    const posted = await fetch(`http://127.0.0.1:${serve.port}/api/alerts/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serve.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(notification('critical', `e2e-${Date.now()}`)),
    });
    expect(posted.status).toBe(200);

    const alert = page.getByTestId('alert-row').filter({ hasText: 'is 9 % from liquidation' }).first();
    await expect(alert).toHaveAttribute('data-severity', 'critical');
    await expect(alert).toHaveAttribute('data-acknowledged', 'false');
    // the critical sound really played: the audio element has a played range
    await expect
      .poll(() => page.getByTestId('alert-sound-critical').evaluate((audio: HTMLAudioElement) => (audio.played.length > 0 ? audio.dataset['alertId'] ?? 'played' : null)))
      .not.toBeNull();
    await expect(page.getByTestId('sound-blocked')).toHaveCount(0);

    await alert.getByTestId('alert-acknowledge').click();
    await expect(alert).toHaveAttribute('data-acknowledged', 'true');
    await page.reload();
    const reloaded = page.getByTestId('alert-row').filter({ hasText: 'is 9 % from liquidation' }).first();
    await expect(reloaded).toHaveAttribute('data-acknowledged', 'true');
    await reloaded.getByTestId('alert-dismiss').click();
    await expect(page.getByTestId('alert-row').filter({ hasText: 'is 9 % from liquidation' })).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId('alerts-panel')).toBeVisible();
    await expect(page.getByTestId('alert-row').filter({ hasText: 'is 9 % from liquidation' })).toHaveCount(0);
  });

  test('refuses a webhook call without the token', async ({ serve }) => {
    const refused = await fetch(`http://127.0.0.1:${serve.port}/api/alerts/webhook`, { method: 'POST', body: JSON.stringify(notification('critical', 'x')) });
    expect(refused.status).toBe(401);
  });
});
