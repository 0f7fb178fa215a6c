import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { EventPayload, Topic } from '../../../src-shared/contract/events';
import type { RiskAlertDto } from '../../../src-shared/contract/schemas';
import { RiskAlertDto as RiskAlertSchema } from '../../../src-shared/contract/schemas';
import { SimulatedClock } from '../clock/clock';
import { AlertWebhookService } from './alert-webhook';
import { createLogger, memorySink } from './logger';

const NOW = 1_718_000_000_000;

function setup(maxTracked?: number) {
  const published: RiskAlertDto[] = [];
  const sink = memorySink();
  let nextId = 0;
  const service = new AlertWebhookService({
    clock: new SimulatedClock(NOW),
    logger: createLogger('ops/alert-webhook', sink),
    publish: <T extends Topic>(topic: T, payload: EventPayload<T>) => {
      if (topic === 'risk_alert') published.push(payload as RiskAlertDto);
    },
    idFactory: () => `alert-${++nextId}`,
    ...(maxTracked !== undefined ? { maxTracked } : {}),
  });
  return { service, published, sink };
}

interface AlertInput {
  status?: 'firing' | 'resolved';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  fingerprint?: string;
}

/** The shape Alertmanager 0.25 posts to a webhook_config receiver. */
function notification(alerts: AlertInput[], overrides: Record<string, unknown> = {}) {
  return {
    receiver: 'surge-app',
    status: alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved',
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: a.labels ?? { alertname: 'MarginRatioLow', severity: 'critical', instrument: 'BTC/USDT:USDT', job: 'surge' },
      annotations: a.annotations ?? { summary: 'Margin ratio of BTC/USDT:USDT is 10%', description: 'Below 15% for 30s: add margin or reduce the position.' },
      startsAt: a.startsAt ?? '2024-06-10T06:13:20.000Z',
      endsAt: a.status === 'resolved' ? '2024-06-10T06:20:00.000Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://127.0.0.1:9090/graph?g0.expr=margin_ratio_percent+%3C+15',
      fingerprint: a.fingerprint ?? '9a3f1c0d2b7e4a11',
    })),
    groupLabels: { alertname: 'MarginRatioLow' },
    commonLabels: { alertname: 'MarginRatioLow' },
    commonAnnotations: {},
    externalURL: 'http://127.0.0.1:9093',
    version: '4',
    groupKey: '{}:{alertname="MarginRatioLow"}',
    truncatedAlerts: 0,
    ...overrides,
  };
}

describe('AlertWebhookService', () => {
  test('turns a firing alert into a risk alert: severity from its label, code from its name, message from its summary', async () => {
    const { service, published } = setup();
    const result = await service.ingest(notification([{}]));
    expect(result).toEqual({ ok: true, value: { accepted: 1, raised: 1, resolved: 0 } });
    expect(published).toEqual([
      {
        id: 'alert-1',
        severity: 'critical',
        source: 'alertmanager',
        code: 'MarginRatioLow',
        message: 'Margin ratio of BTC/USDT:USDT is 10%',
        instrumentId: 'BTC/USDT:USDT',
        details: {
          fingerprint: '9a3f1c0d2b7e4a11',
          startsAt: '2024-06-10T06:13:20.000Z',
          labels: { alertname: 'MarginRatioLow', severity: 'critical', instrument: 'BTC/USDT:USDT', job: 'surge' },
          description: 'Below 15% for 30s: add margin or reduce the position.',
          generatorURL: 'http://127.0.0.1:9090/graph?g0.expr=margin_ratio_percent+%3C+15',
          receiver: 'surge-app',
        },
        ts: NOW,
      },
    ]);
    // what it publishes is a valid event for the contract
    expect(RiskAlertSchema.safeParse(published[0]).success).toBe(true);
  });

  test('falls back to the description, then the alert name, and takes the instrument from a symbol label', async () => {
    const { service, published } = setup();
    await service.ingest(notification([
      { fingerprint: 'a', labels: { alertname: 'FeedStale', severity: 'warning', symbol: 'ETH/USDT:USDT' }, annotations: { description: 'no ticks for 12s' } },
      { fingerprint: 'b', labels: { alertname: 'NoOrderFills', severity: 'warning' }, annotations: {} },
    ]));
    expect(published.map((a) => [a.code, a.message, a.instrumentId])).toEqual([
      ['FeedStale', 'no ticks for 12s', 'ETH/USDT:USDT'],
      ['NoOrderFills', 'NoOrderFills', null],
    ]);
  });

  test('an alert without a known severity arrives as a warning', async () => {
    const { service, published } = setup();
    await service.ingest(notification([{ fingerprint: 'a', labels: { alertname: 'Custom', severity: 'page' } }, { fingerprint: 'b', labels: { alertname: 'Bare' } }]));
    expect(published.map((a) => a.severity)).toEqual(['warning', 'warning']);
  });

  test('raises one occurrence once, however often Alertmanager re-sends it, and again after it resolved', async () => {
    const { service, published, sink } = setup();
    await service.ingest(notification([{}]));
    const repeat = await service.ingest(notification([{}]));
    expect(repeat).toEqual({ ok: true, value: { accepted: 1, raised: 0, resolved: 0 } });
    const resolved = await service.ingest(notification([{ status: 'resolved' }]));
    expect(resolved).toEqual({ ok: true, value: { accepted: 1, raised: 0, resolved: 1 } });
    expect(sink.records.some((r) => r.message === 'Alertmanager alert resolved' && r.fields['alertname'] === 'MarginRatioLow')).toBe(true);
    await service.ingest(notification([{ startsAt: '2024-06-10T07:00:00.000Z' }]));
    expect(published.map((a) => a.id)).toEqual(['alert-1', 'alert-2']);
  });

  test('remembers only the newest firing alerts', async () => {
    const { service, published } = setup(2);
    for (const fingerprint of ['a', 'b', 'c', 'a']) await service.ingest(notification([{ fingerprint }]));
    // 'a' was forgotten when 'c' arrived, so its re-send is raised again — the price of the bound
    expect(published).toHaveLength(4);
  });

  test.each([
    ['a version other than 4', { version: '3' }, 'payload.version'],
    ['alerts that are not a list', { alerts: 'MarginRatioLow' }, 'payload.alerts'],
    ['an alert without a name', { alerts: [{ status: 'firing', labels: { severity: 'critical' }, annotations: {}, startsAt: '', endsAt: '', generatorURL: '', fingerprint: 'x' }] }, 'payload.alerts[0].labels.alertname'],
    ['an alert with an unknown status', { alerts: [{ status: 'pending', labels: { alertname: 'X' }, annotations: {}, startsAt: '', endsAt: '', generatorURL: '', fingerprint: 'x' }] }, 'payload.alerts[0].status'],
    ['a label that is not text', { alerts: [{ status: 'firing', labels: { alertname: 'X', severity: 2 }, annotations: {}, startsAt: '', endsAt: '', generatorURL: '', fingerprint: 'x' }] }, 'payload.alerts[0].labels.severity'],
  ])('refuses %s, naming the path, and publishes nothing', async (_what, overrides, path) => {
    const { service, published } = setup();
    const result = await service.ingest(notification([{}, { fingerprint: 'second' }], overrides));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.type).toBe('validation');
      expect(result.error.paths).toContain(path);
    }
    expect(published).toEqual([]);
  });

  test('refuses more alerts in one notification than Alertmanager would send', async () => {
    const { service, published } = setup();
    const many = Array.from({ length: 1_001 }, (_, i) => ({ fingerprint: `f${i}` }));
    const result = await service.ingest(notification(many));
    expect(result.ok).toBe(false);
    expect(published).toEqual([]);
  });

  test('a very long summary is shortened for the tray, the full text stays in the details', async () => {
    const { service, published } = setup();
    await service.ingest(notification([{ annotations: { summary: 'x'.repeat(2_000) } }]));
    expect(published[0]!.message).toHaveLength(500);
    expect(published[0]!.message.endsWith('…')).toBe(true);
  });

  test('never throws and never publishes on arbitrary input', async () => {
    const { service, published } = setup();
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (input) => {
        const result = await service.ingest(input);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 300, seed: 20240613 },
    );
    expect(published).toEqual([]);
  });
});
