// monitoring/: the Prometheus config, alert rules and their unit tests, the Alertmanager config and
// the Grafana dashboards are checked with the real tools (promtool, amtool) and against the app's
// own metrics registry, so a renamed metric breaks this test instead of a dashboard in silence.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { InProcessEventBus } from '../../src-main/engine/bus/event-bus';
import { SimulatedClock } from '../../src-main/engine/clock/clock';
import { ALERT_WEBHOOK_PATH } from '../../src-main/engine/ops/alert-webhook';
import { EngineMetrics } from '../../src-main/engine/ops/metrics';
import { exportedSeriesNames, monitoringDir, PROMETHEUS_SYNTHETIC_SERIES, promqlMetricNames, readAlertRules, repoRoot, tool } from './monitoring-tools';

const promtool = tool('promtool', ['promtool'], 'prometheus');
const amtool = tool('amtool', ['amtool'], 'prometheus-alertmanager');

function run(binary: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(binary, args, { cwd: repoRoot, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const REQUIRED_ALERTS = {
  MarginRatioLow: 'critical',
  DailyLossLimitExceeded: 'critical',
  CircuitBreakerOpen: 'critical',
  OrderSubmissionLatencyHigh: 'warning',
  NoOrderFills: 'warning',
  HighErrorRate: 'warning',
  PositionSyncFailure: 'critical',
  FeedStale: 'warning',
} as const;

const rules = readAlertRules(path.join(monitoringDir, 'alerts.yml'));
const dashboardsDir = path.join(monitoringDir, 'grafana', 'dashboards');
const DASHBOARD_FILES = ['exchange-integration.json', 'risk.json', 'strategy-performance.json', 'system-health.json', 'trading-overview.json'];

interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Array<{ expr?: string; datasource?: { uid?: string } }>;
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: Array<{ query?: { query?: string } | string; definition?: string }> };
  annotations?: { list: Array<{ expr?: string }> };
}

const dashboards = DASHBOARD_FILES.map((file) => ({ file, dashboard: JSON.parse(readFileSync(path.join(dashboardsDir, file), 'utf8')) as Dashboard }));

/** Every PromQL expression of a dashboard: panel targets, annotations, and label_values() in variables. */
function dashboardExpressions(dashboard: Dashboard): string[] {
  const expressions: string[] = [];
  for (const panel of dashboard.panels) for (const target of panel.targets ?? []) if (target.expr !== undefined) expressions.push(target.expr);
  for (const annotation of dashboard.annotations?.list ?? []) if (annotation.expr !== undefined) expressions.push(annotation.expr);
  for (const variable of dashboard.templating?.list ?? []) {
    const labelValues = /label_values\((\w+)/.exec(variable.definition ?? '');
    if (labelValues !== null) expressions.push(labelValues[1]!);
  }
  return expressions;
}

async function appSeriesNames(): Promise<Set<string>> {
  const clock = new SimulatedClock(0);
  const metrics = new EngineMetrics({ bus: new InProcessEventBus({ clock, retryDelaysMs: [], maxDeadLetters: 1 }), clock, feedStalenessMs: 10_000 });
  try {
    return exportedSeriesNames((await metrics.render()).body);
  } finally {
    metrics.stop();
  }
}

describe('alert rules', () => {
  test('has every required alert with its severity and a `for` only where the issue asks for one', () => {
    const bySeverity = Object.fromEntries(rules.map((rule) => [rule.alert, rule.severity]));
    expect(bySeverity).toMatchObject(REQUIRED_ALERTS);
    const forClauses = Object.fromEntries(rules.map((rule) => [rule.alert, rule.for]));
    expect(forClauses).toMatchObject({ MarginRatioLow: '30s', DailyLossLimitExceeded: '1m', CircuitBreakerOpen: '2m', OrderSubmissionLatencyHigh: '5m', HighErrorRate: '5m', PositionSyncFailure: null });
  });

  test('latency is judged on the p95 of the histogram buckets, not on an average', () => {
    const latency = rules.find((rule) => rule.alert === 'OrderSubmissionLatencyHigh')!;
    expect(latency.expr).toMatch(/^histogram_quantile\(0\.95, sum by \([^)]*\ble\b[^)]*\) \(rate\(order_submission_latency_seconds_bucket\[5m\]\)\)\) > 5$/);
  });

  test('every rule has a unit test case where it fires and one where it stays silent', () => {
    const lines = readFileSync(path.join(monitoringDir, 'alerts.test.yml'), 'utf8').split('\n');
    const fires = new Set<string>();
    const silent = new Set<string>();
    for (let i = 0; i < lines.length; i++) {
      const named = /^\s*alertname:\s*(\S+)/.exec(lines[i]!);
      if (named === null) continue;
      const expected = lines.slice(i + 1).find((line) => /^\s*exp_alerts:/.test(line)) ?? '';
      (/exp_alerts:\s*\[\]/.test(expected) ? silent : fires).add(named[1]!);
    }
    for (const rule of rules) {
      expect(fires, `${rule.alert} needs a firing case`).toContain(rule.alert);
      expect(silent, `${rule.alert} needs a silent case`).toContain(rule.alert);
    }
  });

  describe.skipIf(promtool.skip)('with promtool', () => {
    test('promtool check config accepts monitoring/prometheus.yml', () => {
      const { status, output } = run(promtool.require(), ['check', 'config', 'monitoring/prometheus.yml']);
      expect(output).toContain('SUCCESS');
      expect(status, output).toBe(0);
    });

    test('promtool check rules accepts monitoring/alerts.yml', () => {
      const { status, output } = run(promtool.require(), ['check', 'rules', 'monitoring/alerts.yml']);
      expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
      expect(status, output).toBe(0);
    });

    test('promtool test rules passes every case in monitoring/alerts.test.yml', () => {
      const { status, output } = run(promtool.require(), ['test', 'rules', 'monitoring/alerts.test.yml']);
      expect(output).toContain('SUCCESS');
      expect(status, output).toBe(0);
    });

    test('every dashboard query is valid PromQL', () => {
      // promtool has no expression checker, so each query becomes a recording rule it must accept
      const dir = mkdtempSync(path.join(os.tmpdir(), 'surge-dashboard-promql-'));
      try {
        const expressions = dashboards.flatMap(({ dashboard }) => dashboardExpressions(dashboard));
        const yaml = ['groups:', '  - name: dashboards', '    rules:'];
        expressions.forEach((expression, index) => {
          const concrete = expression.replaceAll('$__rate_interval', '1m').replaceAll('$job', '.*');
          yaml.push(`      - record: dashboard:query_${index}`, `        expr: ${JSON.stringify(concrete)}`);
        });
        writeFileSync(path.join(dir, 'dashboards.rules.yml'), `${yaml.join('\n')}\n`);
        const { status, output } = run(promtool.require(), ['check', 'rules', path.join(dir, 'dashboards.rules.yml')]);
        expect(output).toContain(`SUCCESS: ${expressions.length} rules found`);
        expect(status, output).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe('Alertmanager config', () => {
  const config = readFileSync(path.join(monitoringDir, 'alertmanager.yml'), 'utf8');

  test('keeps its secrets out of the file: the PagerDuty key and the webhook token are read from files', () => {
    expect(config).toMatch(/^\s*(- )?routing_key_file:\s*secrets\/pagerduty_routing_key\s*$/m);
    expect(config).toMatch(/^\s*credentials_file:\s*secrets\/alert_webhook_token\s*$/m);
    expect(config).not.toMatch(/^\s*(- )?(routing_key|service_key|credentials|bearer_token):/m);
  });

  test("posts to the app's webhook on loopback", () => {
    const urls = [...config.matchAll(/^\s*- url:\s*(\S+)\s*$/gm)].map((match) => new URL(match[1]!));
    expect(urls).toHaveLength(1);
    expect(urls[0]!.hostname).toBe('127.0.0.1');
    expect(urls[0]!.pathname).toBe(ALERT_WEBHOOK_PATH);
  });

  describe.skipIf(amtool.skip)('with amtool', () => {
    test('amtool check-config accepts monitoring/alertmanager.yml', () => {
      const { status, output } = run(amtool.require(), ['check-config', 'monitoring/alertmanager.yml']);
      expect(output).toContain('SUCCESS');
      expect(status, output).toBe(0);
    });

    test.each([
      ['critical', 'pagerduty,surge-app'],
      ['warning', 'surge-app'],
      ['info', 'surge-app'],
    ])('routes a %s alert to %s', (severity, receivers) => {
      const { status, output } = run(amtool.require(), ['config', 'routes', 'test', '--config.file=monitoring/alertmanager.yml', `severity=${severity}`, 'alertname=Example']);
      expect(status, output).toBe(0);
      expect(output.split('\n')[0]).toBe(receivers);
    });
  });
});

describe('Grafana', () => {
  test('has the five dashboards, each with a unique uid and queries on every panel', () => {
    expect(readdirSync(dashboardsDir).filter((file) => file.endsWith('.json')).sort()).toEqual(DASHBOARD_FILES);
    const uids = dashboards.map(({ dashboard }) => dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const { file, dashboard } of dashboards) {
      const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
      expect(panels.length, file).toBeGreaterThanOrEqual(6);
      for (const panel of panels) {
        expect(panel.targets?.some((target) => (target.expr ?? '').trim() !== ''), `${file}: ${panel.title}`).toBe(true);
      }
    }
  });

  test('every panel uses the provisioned datasource', () => {
    const provisioning = readFileSync(path.join(monitoringDir, 'grafana', 'provisioning', 'datasources', 'surge-prometheus.yml'), 'utf8');
    const uid = /^\s*uid:\s*(\S+)\s*$/m.exec(provisioning)?.[1];
    expect(uid).toBe('surge-prometheus');
    for (const { file, dashboard } of dashboards) {
      for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
        expect(panel.datasource?.uid, `${file}: ${panel.title}`).toBe(uid);
        for (const target of panel.targets ?? []) expect(target.datasource?.uid ?? uid, `${file}: ${panel.title}`).toBe(uid);
      }
    }
  });

  test('the dashboard provider points at a folder that the provisioning documents', () => {
    const provider = readFileSync(path.join(monitoringDir, 'grafana', 'provisioning', 'dashboards', 'surge-dashboards.yml'), 'utf8');
    expect(provider).toMatch(/^\s*type:\s*file\s*$/m);
    expect(provider).toMatch(/^\s*path:\s*\$\{SURGE_GRAFANA_DASHBOARDS\}\s*$/m);
  });
});

describe('metric names', () => {
  test('reads metric names out of PromQL and leaves functions, labels and keywords alone', () => {
    expect(promqlMetricNames('histogram_quantile(0.95, sum by (job, le) (rate(order_submission_latency_seconds_bucket{job=~"$job"}[$__rate_interval]))) > 5').sort()).toEqual([
      'order_submission_latency_seconds_bucket',
    ]);
    expect(promqlMetricNames('sum by (job) (rate(a_total[5m])) / sum by (job) (rate(b_total[5m])) > 0.1 and on (job) c > 0').sort()).toEqual(['a_total', 'b_total', 'c']);
    expect(promqlMetricNames('time() - position_sync_last_success_timestamp > 60')).toEqual(['position_sync_last_success_timestamp']);
    expect(promqlMetricNames('count(ALERTS{alertstate="firing"}) or vector(0)')).toEqual(['ALERTS']);
  });

  test('every metric named in the alert rules and the dashboards is exported by the app', async () => {
    const exported = await appSeriesNames();
    const referenced = new Map<string, string>();
    for (const rule of rules) for (const name of promqlMetricNames(rule.expr)) referenced.set(name, `alerts.yml ${rule.alert}`);
    for (const { file, dashboard } of dashboards) for (const expression of dashboardExpressions(dashboard)) for (const name of promqlMetricNames(expression)) referenced.set(name, file);
    // the check must see the names it is meant to guard
    expect([...referenced.keys()]).toEqual(expect.arrayContaining(['margin_ratio_percent', 'order_submission_latency_seconds_bucket', 'feed_staleness_seconds', 'process_resident_memory_bytes']));
    const missing = [...referenced].filter(([name]) => !exported.has(name) && !PROMETHEUS_SYNTHETIC_SERIES.has(name)).map(([name, where]) => `${name} (${where})`);
    expect(missing).toEqual([]);
  });

  test('the app exports every metric ARCHITECTURE §12 names', async () => {
    const exported = await appSeriesNames();
    for (const name of [
      'orders_submitted_total', 'orders_filled_total', 'orders_failed_total', 'order_submission_latency_seconds_bucket', 'positions_open_total', 'unrealized_pnl_usd',
      'margin_ratio_percent', 'risk_alerts_total', 'daily_loss_percent', 'event_bus_messages_total', 'circuit_breaker_state', 'position_sync_last_success_timestamp',
      'feed_staleness_seconds', 'process_cpu_seconds_total',
    ]) expect(exported, name).toContain(name);
  });
});
