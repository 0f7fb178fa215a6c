// End to end alerting (issue 6, step 5): serve mode's kernel and host in this process, a real
// Prometheus scraping it with the repo's alert rules, a real Alertmanager with the repo's routing
// delivering back into the app's webhook. The critical state comes from a simulated live
// session: the kernel trades against the MEXC simulator (tests/mexc-sim), a strategy opens a
// LONG on BTC, and the simulator's price falls towards the liquidation price until position
// sync marks the position below 15 % of its distance to liquidation. The test asserts that
// position sync raises its own liquidation_critical alert, that MarginRatioLow fires in
// Prometheus, that Alertmanager delivers it to the app (and to PagerDuty, here a loopback
// stand-in), and that the app raises it as a risk_alert on its event stream.
//
// Everything listens on 127.0.0.1 (the simulator included). The processes are killed and the temp dirs removed in
// afterAll, whatever happened; an exit hook kills them too if the worker dies first.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EventEnvelope } from '../../src-shared/contract/events';
import type { LiveSessionDto } from '../../src-shared/contract/live-commands';
import type { PositionDto, RiskAlertDto } from '../../src-shared/contract/schemas';
import { Decimal } from '../../src-shared/domain/decimal';
import type { Subscription } from '../../src-main/engine/bus/types';
import { createMexcStream } from '../../src-main/engine/data/mexc-stream';
import { createKernel } from '../../src-main/engine/kernel';
import { createLogger, memorySink } from '../../src-main/engine/ops/logger';
import { CcxtVenue } from '../../src-main/engine/venues/ccxt-venue';
import { startServeHost, type ServeHost } from '../../src-main/serve/server';
import { MemorySecretStore } from '../fixtures/memory-secret-store';
import { enterOnFirstTrade } from '../fixtures/online-strategy';
import { startMexcSimulator, type MexcSimulator } from '../mexc-sim';
import { monitoringDir, repoRoot, tool } from './monitoring-tools';

const prometheusTool = tool('prometheus', ['prometheus'], 'prometheus');
const alertmanagerTool = tool('alertmanager', ['alertmanager', 'prometheus-alertmanager'], 'prometheus-alertmanager');
const skip = prometheusTool.skip || alertmanagerTool.skip;

const INSTRUMENT = 'BTC/USDT:USDT';
const SIM_SYMBOL = 'BTC_USDT';
const API_KEY = 'mx0vgl-alerting-e2e-key';
const API_SECRET = 'alerting-e2e-secret-0123456789abcdef';
/** Position sync's period here: the default 10 s would make the test wait for it. */
const POSITION_SYNC_INTERVAL_MS = 1_000;
/** Where the price is moved: this share of the way from the liquidation price to the entry is left. */
const TARGET_DISTANCE = '0.1';
const PAGERDUTY_ROUTING_KEY = 'e2e-routing-key-0123456789abcdef';
const resultsDir = path.join(repoRoot, 'test-results');
const POLL_TIMEOUT_MS = 40_000;

type Kernel = Awaited<ReturnType<typeof createKernel>>;

interface Harness {
  root: string;
  sim: MexcSimulator;
  kernel: Kernel;
  serve: ServeHost;
  prometheusUrl: string;
  alertmanagerUrl: string;
  children: ChildProcess[];
  output: Map<string, string[]>;
  events: EventEnvelope[];
  /** Every position_updated straight from the bus (the UI stream coalesces them per frame). */
  positions: PositionDto[];
  pagerduty: { server: http.Server; requests: Array<Record<string, unknown>> };
  unsubscribe: () => void;
  positionSubscription: Subscription;
}

let harness: Partial<Harness> = {};
const children = new Set<ChildProcess>();
// if the worker is torn down before afterAll runs, no Prometheus or Alertmanager may outlive it
const killChildrenOnExit = (): void => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};
process.once('exit', killChildrenOnExit);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function replaceOnce(text: string, search: string, replacement: string, what: string): string {
  const count = text.split(search).length - 1;
  if (count !== 1) throw new Error(`expected "${search}" exactly once in ${what}, found ${count}: the repo file changed, update this test`);
  return text.replace(search, replacement);
}

function startProcess(name: string, binary: string, args: string[], cwd: string, output: Map<string, string[]>): ChildProcess {
  const lines: string[] = [];
  output.set(name, lines);
  const child = spawn(binary, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.once('exit', () => children.delete(child));
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function describeOutput(): string {
  return [...(harness.output ?? new Map<string, string[]>())].map(([name, lines]) => `--- ${name} ---\n${lines.slice(-40).join('\n')}`).join('\n');
}

async function waitFor<T>(what: string, probe: () => Promise<T | null> | T | null, timeoutMs = POLL_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError !== null ? ` (last error: ${String(lastError)})` : ''}\n${describeOutput()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  value: string;
}

describe.skipIf(skip)('alerting end to end: engine → Prometheus → Alertmanager → app', () => {
  beforeAll(async () => {
    const prometheus = prometheusTool.require();
    const alertmanager = alertmanagerTool.require();
    const root = mkdtempSync(path.join(os.tmpdir(), 'surge-alerting-e2e-'));
    const output = new Map<string, string[]>();
    harness = { root, output, children: [], events: [], positions: [] };

    // the exchange: MEXC's contract API on loopback; the kernel's market stream and venue point at it
    const sim = await startMexcSimulator({ apiKey: API_KEY, secret: API_SECRET });
    harness.sim = sim;
    const urls = sim.ccxtUrls();
    const dataDir = path.join(root, 'data');
    const staticDir = path.join(root, 'www');
    mkdirSync(dataDir);
    mkdirSync(staticDir);
    writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ positionSync: { intervalMs: POSITION_SYNC_INTERVAL_MS } }));
    const kernel = await createKernel({ dataDir, migrationsDir: path.join(repoRoot, 'migrations'), resourcesDir: path.join(repoRoot, 'resources'), logSink: memorySink() }, {
      secretStore: new MemorySecretStore(),
      openMarketStream: () => createMexcStream({ urls }),
      openExchangeVenue: (keys, { clock, settings }) => new CcxtVenue({
        exchangeId: 'mexc', credentials: { apiKey: keys.apiKey, secret: keys.apiSecret }, urls, clock, logger: createLogger('venues/mexc', memorySink()),
        rateLimitPerSecond: settings.rateLimits.venueRequestsPerSecond, timeoutMs: 2_000,
      }),
    });
    harness.kernel = kernel;
    await kernel.start();
    const keys = await kernel.host.invoke('credentials.set', { exchange: 'mexc', apiKey: API_KEY, apiSecret: API_SECRET });
    if (!keys.ok) throw new Error(keys.error.message);
    harness.positionSubscription = kernel.bus.subscribe('position_updated', (position) => void harness.positions!.push(position), 'alerting-e2e');
    const webhookToken = randomBytes(24).toString('hex');
    const serve = await startServeHost({ host: kernel.host, port: 0, staticDir, alertWebhookToken: webhookToken, logger: createLogger('serve', memorySink()) });
    harness.serve = serve;
    harness.unsubscribe = kernel.host.subscribeEvents((envelope) => harness.events!.push(envelope));

    // PagerDuty's Events API on loopback: the test must never reach the internet
    const requests: Array<Record<string, unknown>> = [];
    const pagerdutyServer = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        requests.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
        res.writeHead(202, { 'Content-Type': 'application/json' });
        res.end('{"status":"success","message":"Event processed"}');
      });
    });
    await new Promise<void>((resolve) => pagerdutyServer.listen(0, '127.0.0.1', resolve));
    harness.pagerduty = { server: pagerdutyServer, requests };
    const pagerdutyPort = (pagerdutyServer.address() as AddressInfo).port;

    // Alertmanager: the repo's config with the app's real port, a short group_wait, and
    // PagerDuty pointed at the stand-in; secrets in files beside it, as run-alertmanager.sh does
    const alertmanagerDir = path.join(root, 'alertmanager');
    mkdirSync(path.join(alertmanagerDir, 'secrets'), { recursive: true });
    writeFileSync(path.join(alertmanagerDir, 'secrets', 'alert_webhook_token'), webhookToken, { mode: 0o600 });
    writeFileSync(path.join(alertmanagerDir, 'secrets', 'pagerduty_routing_key'), PAGERDUTY_ROUTING_KEY, { mode: 0o600 });
    let alertmanagerConfig = readFileSync(path.join(monitoringDir, 'alertmanager.yml'), 'utf8');
    alertmanagerConfig = replaceOnce(alertmanagerConfig, 'url: http://127.0.0.1:4780/api/alerts/webhook', `url: http://127.0.0.1:${serve.port}/api/alerts/webhook`, 'alertmanager.yml');
    alertmanagerConfig = replaceOnce(alertmanagerConfig, 'group_wait: 10s', 'group_wait: 1s', 'alertmanager.yml');
    alertmanagerConfig = replaceOnce(
      alertmanagerConfig,
      '- routing_key_file: secrets/pagerduty_routing_key\n',
      `- routing_key_file: secrets/pagerduty_routing_key\n        url: http://127.0.0.1:${pagerdutyPort}/v2/enqueue\n`,
      'alertmanager.yml',
    );
    writeFileSync(path.join(alertmanagerDir, 'alertmanager.yml'), alertmanagerConfig);
    const alertmanagerPort = await freePort();
    startProcess(
      'alertmanager',
      alertmanager,
      ['--config.file=alertmanager.yml', '--storage.path=data', `--web.listen-address=127.0.0.1:${alertmanagerPort}`, '--cluster.listen-address=', '--log.level=info'],
      alertmanagerDir,
      output,
    );
    harness.alertmanagerUrl = `http://127.0.0.1:${alertmanagerPort}`;

    // Prometheus: the repo's rules, except that MarginRatioLow's `for: 30s` becomes 2s so this
    // test takes seconds, not half a minute; scraping the app and evaluating every second
    const prometheusDir = path.join(root, 'prometheus');
    mkdirSync(prometheusDir);
    const rules = readFileSync(path.join(monitoringDir, 'alerts.yml'), 'utf8');
    writeFileSync(
      path.join(prometheusDir, 'alerts.yml'),
      replaceOnce(rules, 'expr: margin_ratio_percent < 15\n        for: 30s\n', 'expr: margin_ratio_percent < 15\n        for: 2s\n', 'alerts.yml'),
    );
    copyFileSync(path.join(monitoringDir, 'alerts.yml'), path.join(prometheusDir, 'alerts.original.yml'));
    const prometheusPort = await freePort();
    writeFileSync(
      path.join(prometheusDir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        '  - alerts.yml',
        'alerting:',
        '  alertmanagers:',
        '    - static_configs:',
        `        - targets: ['127.0.0.1:${alertmanagerPort}']`,
        'scrape_configs:',
        '  - job_name: surge-serve',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${serve.port}']`,
        '',
      ].join('\n'),
    );
    startProcess(
      'prometheus',
      prometheus,
      ['--config.file=prometheus.yml', '--storage.tsdb.path=data', `--web.listen-address=127.0.0.1:${prometheusPort}`, '--log.level=info'],
      prometheusDir,
      output,
    );
    harness.prometheusUrl = `http://127.0.0.1:${prometheusPort}`;

    await waitFor('Alertmanager to be ready', async () => ((await fetch(`${harness.alertmanagerUrl}/-/ready`)).ok ? true : null));
    await waitFor('Prometheus to be ready', async () => ((await fetch(`${harness.prometheusUrl}/-/ready`)).ok ? true : null));
  }, 60_000);

  afterAll(async () => {
    harness.unsubscribe?.();
    if (harness.positionSubscription !== undefined) harness.kernel?.bus.unsubscribe(harness.positionSubscription);
    await Promise.all([...children].map((child) => stopProcess(child)));
    if (harness.pagerduty !== undefined) await new Promise<void>((resolve) => harness.pagerduty!.server.close(() => resolve()));
    await harness.serve?.close();
    await harness.kernel?.stop();
    await harness.sim?.close();
    if (harness.root !== undefined) rmSync(harness.root, { recursive: true, force: true });
    process.removeListener('exit', killChildrenOnExit);
    expect(children.size).toBe(0);
  }, 30_000);

  test('a live position near liquidation fires MarginRatioLow in Prometheus, Alertmanager delivers it, and the app raises a critical risk alert', async () => {
    const { kernel, sim, prometheusUrl } = harness as Harness;

    // Prometheus sees the app healthy before anything goes wrong
    await waitFor('Prometheus to scrape the app', async () => {
      const targets = (await getJson(`${prometheusUrl}/api/v1/targets`)) as { data: { activeTargets: Array<{ health: string }> } };
      return targets.data.activeTargets[0]?.health === 'up' ? true : null;
    });

    // a live session from the contract, as the UI starts it: reconciled with the exchange, then armed
    const started = await kernel.host.invoke('sessions.startOnline', { kind: 'live', symbols: [INSTRUMENT], strategies: [enterOnFirstTrade()], capital: '1000' });
    if (!started.ok) throw new Error(started.error.message);
    const live = started.value as LiveSessionDto;
    expect(live.phase).toBe('ready');
    const armed = await kernel.host.invoke('sessions.arm', { sessionId: live.session.id, confirm: true });
    expect(armed).toMatchObject({ ok: true, value: { phase: 'armed' } });
    await waitFor('the trade stream to be subscribed', () => (sim.ws.subscriptions().some((sub) => sub.includes(`deal:${SIM_SYMBOL}`)) ? true : null));

    // the strategy enters LONG on the first trade it sees; the market order fills at the simulator
    let printed = 0;
    const opened = await waitFor('the strategy to open a LONG at the exchange', () => {
      const position = sim.position(SIM_SYMBOL, 'long');
      if (position !== undefined && kernel.online.session(live.session.id)?.stack.account.position(INSTRUMENT as never)?.side === 'LONG') return position;
      sim.trade(SIM_SYMBOL, 60_000 + printed, 1, 'buy', Date.now() + printed);
      printed++;
      return null;
    });
    expect(sim.requestsTo('order/create')).toHaveLength(1);
    expect(opened).toMatchObject({ holdVol: '2', leverage: 3, liquidated: false });

    // the mark falls to 10 % of the way from the liquidation price to the entry (the position's
    // own figures from the exchange, so the target follows the fill price and the leverage)
    const entry = Decimal.of(opened.holdAvgPrice);
    const liquidation = Decimal.of(opened.liquidatePrice);
    const mark = liquidation.add(entry.sub(liquidation).mul(TARGET_DISTANCE, 'half-even')).roundToStep('0.5', 'ceil');
    const expectedGauge = Number(mark.sub(liquidation).mul(100).div(entry.sub(liquidation), 'half-even').toFixed(4));
    expect(expectedGauge).toBeLessThan(15);
    // the mark (MEXC's fair price) moves without a public trade: a printed trade would mark the
    // account first (TradingStack.onTrade), and position sync publishes a position only when its
    // mark changed, so the gauge would stay where the fill left it (a gap reported to execution/)
    sim.setPrice(SIM_SYMBOL, mark.toString());

    // position sync marks the position from the exchange and publishes it with the gauge …
    const synced = await waitFor('position sync to publish the marked position', () =>
      harness.positions!.find((p) => p.sessionId === live.session.id && p.markPrice !== null && Decimal.of(p.markPrice).eq(mark)) ?? null);
    expect(synced).toMatchObject({ instrumentId: INSTRUMENT, side: 'LONG', quantity: '2', liquidationPrice: liquidation.toString(), marginRatioPercent: expectedGauge });

    // … and raises its own critical alert, once, before Prometheus has even noticed
    const fromSync = await waitFor('position sync to raise liquidation_critical', () => {
      const envelope = harness.events!.find((e) => e.topic === 'risk_alert' && (e.payload as RiskAlertDto).source === 'position-sync' && (e.payload as RiskAlertDto).code === 'liquidation_critical');
      return envelope === undefined ? null : (envelope.payload as RiskAlertDto);
    });
    expect(fromSync).toMatchObject({ severity: 'critical', instrumentId: INSTRUMENT });
    expect(fromSync.message).toContain(`${expectedGauge.toFixed(1)}% of the distance to liquidation left (below 15%)`);

    const firing = await waitFor('MarginRatioLow to fire in Prometheus', async () => {
      const body = (await getJson(`${prometheusUrl}/api/v1/alerts`)) as { data: { alerts: PrometheusAlert[] } };
      const alert = body.data.alerts.find((a) => a.labels['alertname'] === 'MarginRatioLow' && a.state === 'firing');
      if (alert === undefined) return null;
      mkdirSync(resultsDir, { recursive: true });
      writeFileSync(path.join(resultsDir, 'prometheus-alerts.json'), `${JSON.stringify(body, null, 2)}\n`);
      return alert;
    });
    const summary = `Margin ratio of ${INSTRUMENT} is ${expectedGauge.toFixed(1)}%`;
    expect(firing.labels).toMatchObject({ alertname: 'MarginRatioLow', severity: 'critical', instrument: INSTRUMENT, job: 'surge-serve' });
    expect(Number(firing.value)).toBe(expectedGauge);
    expect(firing.annotations['summary']).toBe(summary);

    const raised = await waitFor('the app to raise the alert on its event stream', () => {
      const envelope = harness.events!.find((e) => e.topic === 'risk_alert' && (e.payload as RiskAlertDto).source === 'alertmanager');
      return envelope === undefined ? null : (envelope.payload as RiskAlertDto);
    });
    expect(raised).toMatchObject({ severity: 'critical', source: 'alertmanager', code: 'MarginRatioLow', message: summary, instrumentId: INSTRUMENT });

    // the critical route also paged, with the key from the secrets file
    const page = await waitFor('Alertmanager to page PagerDuty', () => harness.pagerduty!.requests[0] ?? null);
    expect(page).toMatchObject({ routing_key: PAGERDUTY_ROUTING_KEY, event_action: 'trigger', payload: { severity: 'critical' } });
    expect(JSON.stringify(page)).toContain('MarginRatioLow');

    // both alerts reached the app's journal like every other risk alert
    const journal = await kernel.host.invoke('alerts.list', { limit: 20 });
    if (!journal.ok) throw new Error(journal.error.message);
    const journalled = journal.value as RiskAlertDto[];
    expect(journalled.some((a) => a.code === 'MarginRatioLow' && a.source === 'alertmanager')).toBe(true);
    expect(journalled.some((a) => a.code === 'liquidation_critical' && a.source === 'position-sync')).toBe(true);

    // the same metric series the rule read is what /metrics serves
    const metrics = await (await fetch(`${harness.serve!.url}/metrics`)).text();
    expect(metrics).toContain(`margin_ratio_percent{instrument="${INSTRUMENT}"} ${expectedGauge}`);
    // and the position is still open at the exchange: near liquidation, not past it
    expect(sim.position(SIM_SYMBOL, 'long')).toMatchObject({ holdVol: '2', liquidated: false });

    await saveAlertsPageScreenshot(prometheusUrl);
  }, 90_000);
});

/** Optional evidence for people: Prometheus' /alerts page, when a Chromium is at hand. */
async function saveAlertsPageScreenshot(prometheusUrl: string): Promise<void> {
  const executablePath = process.env['SURGE_E2E_CHROMIUM'] ?? '/usr/bin/chromium';
  let browser: Browser | null = null;
  try {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Debian builds Prometheus without the React UI; its classic UI serves the same page
    const response = await page.goto(`${prometheusUrl}/alerts`, { waitUntil: 'networkidle', timeout: 15_000 });
    if (response?.status() === 404) await page.goto(`${prometheusUrl}/classic/alerts`, { waitUntil: 'networkidle', timeout: 15_000 });
    // each rule is listed collapsed; open the firing one so its labels and value show
    await page.getByText('MarginRatioLow', { exact: false }).first().click({ timeout: 5_000 }).catch(() => {});
    await page.screenshot({ path: path.join(resultsDir, 'prometheus-alerts.png'), fullPage: true });
  } catch (error) {
    console.warn(`prometheus-alerts.png not saved (optional): ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await browser?.close();
  }
}
