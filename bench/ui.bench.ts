// The trading screens under load, measured by Playwright in Chromium against serve mode.
//   ui_tick_to_pixel_p95_ms  with the engine replaying ~1,000 trades/s (a paper replay of the demo
//                            data at the speed that gives that rate), the time from the engine's
//                            publish of a market_data event (stamped by the UI bridge on the host's
//                            wall clock) to the animation frame in which the chart shows it (the
//                            renderer stamps it after lightweight-charts drew; same machine, same
//                            clock), p95 over every tick the chart drew. Baseline = p95 round trip
//                            of a WebSocket ping frame from the same page to the same server under
//                            the same load; ratio = baseline / value. Target value < 50 ms.
//   ui_fps                   requestAnimationFrame callbacks per second during that load.
//                            Baseline = the same page idle (nothing replaying); ratio = value /
//                            baseline. Target value ≥ 55.
//   serve_cold_start_ms      from spawning `node dist-main/serve.js` on a fresh data directory
//                            (first run: migrations, demo import, demo session) to the first frame
//                            that shows candles, median of 3; the browser is already open.
//                            Baseline = spawn-to-exit of `node -e ''` in this run; ratio =
//                            baseline / value. Target value < 2,000 ms.
// Needs `npm run build` first. Run: npx tsx bench/ui.bench.ts  (or npm run bench -- ui)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { repoRoot, startServe, type StartedServe } from '../tests/e2e/serve-process';
import { emit, median, report, type BenchRecord } from './harness';

const CHROMIUM = process.env.SURGE_E2E_CHROMIUM ?? '/usr/bin/chromium';
const TARGET_TICKS_PER_SECOND = 1_000;
const WARMUP_MS = 2_000;
const MEASURE_MS = 10_000;
const COLD_STARTS = 3;
const DEMO_CSV = path.join(repoRoot, 'resources', 'demo', 'btcusdt-trades-demo.csv');

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

/** Trade times (ms) of the demo CSV, in order. */
function demoTradeTimes(): number[] {
  const lines = readFileSync(DEMO_CSV, 'utf8').split('\n');
  const column = lines[0]!.split(',').indexOf('trade_time_ms');
  return lines.slice(1).filter((line) => line !== '').map((line) => Number(line.split(',')[column]));
}

/**
 * The demo data is bursty (about 35 trades/s for its first 200 s, over 100/s after), so one
 * speed for the whole file does not give a steady rate. The replay is measured over the data's
 * last part instead: the speed is chosen so that the trades in the measured stretch arrive at the
 * target rate, and the replay seeks to just before that stretch.
 */
function planReplay(times: readonly number[], targetPerSecond: number, measureMs: number, leadMs: number): { speed: number; seekTs: number; measureFromTs: number; measureToTs: number } {
  const lastTs = times[times.length - 1]!;
  const tailMs = 2_000; // host time left over at the end, so the window never runs off the data
  const plan = (speed: number) => {
    const measureToTs = lastTs - tailMs * speed;
    const measureFromTs = measureToTs - measureMs * speed;
    return { speed, seekTs: measureFromTs - leadMs * speed, measureFromTs, measureToTs };
  };
  const tradesIn = (from: number, to: number): number => times.filter((ts) => ts >= from && ts < to).length;
  // faster than this and the stretch (with its lead and tail) no longer fits in the data
  let high = (lastTs - times[0]!) / (measureMs + tailMs + leadMs);
  let low = high / 1_000;
  if (tradesIn(plan(high).measureFromTs, plan(high).measureToTs) / (measureMs / 1000) < targetPerSecond) {
    throw new Error(`the demo data is too short to replay ${targetPerSecond} trades/s for ${measureMs} ms`);
  }
  for (let step = 0; step < 40; step++) {
    const middle = (low + high) / 2;
    const candidate = plan(middle);
    if (tradesIn(candidate.measureFromTs, candidate.measureToTs) / (measureMs / 1000) < targetPerSecond) low = middle;
    else high = middle;
  }
  return plan(high);
}

/** A contract client on serve mode's WebSocket (the same protocol the renderer speaks). */
async function engineClient(info: StartedServe['info']): Promise<{ invoke(name: string, request: unknown): Promise<unknown>; close(): void }> {
  const socket = new WebSocket(`ws://127.0.0.1:${info.port}/ws?token=${encodeURIComponent(info.token)}`);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (result: { ok: boolean; value?: unknown; error?: { message: string } }) => void>();
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; id?: number; result?: { ok: boolean; value?: unknown; error?: { message: string } } };
    if (frame.type === 'result' && frame.id !== undefined) pending.get(frame.id)?.(frame.result!);
  });
  return {
    invoke: (name, request) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, (result) => {
          pending.delete(id);
          if (result.ok) resolve(result.value);
          else reject(new Error(`${name}: ${result.error?.message ?? 'failed'}`));
        });
        socket.send(JSON.stringify({ type: 'invoke', id, name, request }));
      }),
    close: () => socket.close(),
  };
}

/** Counts animation frames in the page for `ms`; returns frames per second. */
async function measureFps(page: Page, ms: number): Promise<number> {
  return page.evaluate(
    (duration) =>
      new Promise<number>((resolve) => {
        let frames = 0;
        let first = 0;
        const tick = (now: number): void => {
          if (first === 0) first = now;
          frames++;
          if (now - first < duration) requestAnimationFrame(tick);
          else resolve(((frames - 1) * 1000) / (now - first));
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
}

/** p95 round trip of ping frames on a fresh WebSocket from the page to the same server. */
async function pingRoundTripP95(page: Page, info: StartedServe['info'], count: number): Promise<number> {
  const samples = await page.evaluate(
    async ({ port, token, count: pings }) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}`);
      await new Promise((resolve, reject) => {
        socket.onopen = resolve;
        socket.onerror = reject;
      });
      const sentAt = new Map<number, number>();
      const out: number[] = [];
      await new Promise<void>((resolve) => {
        socket.onmessage = (event) => {
          const frame = JSON.parse(String(event.data)) as { type: string; id?: number };
          if (frame.type !== 'pong' || frame.id === undefined) return;
          out.push(performance.now() - sentAt.get(frame.id)!);
          if (out.length >= pings) resolve();
        };
        let id = 0;
        const send = (): void => {
          if (id >= pings) return;
          sentAt.set(++id, performance.now());
          socket.send(JSON.stringify({ type: 'ping', id }));
          setTimeout(send, 20);
        };
        send();
      });
      socket.close();
      return out;
    },
    { port: info.port, token: info.token, count },
  );
  return percentile(samples, 95);
}

/**
 * tsx compiles this file with esbuild's keepNames, which wraps named functions in a `__name`
 * helper; functions handed to page.evaluate run in the page, where the helper must exist too.
 */
async function benchPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.addInitScript({ content: 'globalThis.__name = (target) => target;' });
  return page;
}

async function nodeStartupMs(): Promise<number> {
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.once('exit', () => resolve());
    child.once('error', reject);
  });
  return Date.now() - started;
}

async function coldStart(browser: Browser): Promise<number> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'surge-bench-cold-'));
  const page = await benchPage(browser);
  await page.goto('about:blank');
  const spawnedAt = Date.now();
  const serve = await startServe(dataDir, { keychain: false });
  try {
    await page.goto(serve.info.url);
    const paintedAt = await page.waitForFunction(() => window.__surgeProbe?.firstCandlesPaintAt ?? null, undefined, { timeout: 30_000, polling: 'raf' });
    return Number(await paintedAt.jsonValue()) - spawnedAt;
  } finally {
    await page.close();
    await serve.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function tickToPixel(browser: Browser): Promise<{ p95: number; p50: number; samples: number; ticksPerSecond: number; fps: number; idleFps: number; pingP95: number }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'surge-bench-ticks-'));
  // no demo session: this run replays the demo data at the speed that gives the target rate
  writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ firstRun: { demo: false } }));
  const serve = await startServe(dataDir, { keychain: false });
  const client = await engineClient(serve.info);
  const page = await benchPage(browser);
  try {
    const recording = (await client.invoke('recordings.importCsv', { path: DEMO_CSV, instrumentId: 'BTC/USDT:USDT', name: 'bench' })) as { id: string; tradeCount: number; firstTs: number; lastTs: number };
    await page.goto(serve.info.url);
    await page.getByTestId('connection-state').and(page.locator('[data-state="open"]')).waitFor();
    const idleFps = await measureFps(page, 3_000);

    const replay = planReplay(demoTradeTimes(), TARGET_TICKS_PER_SECOND, MEASURE_MS, WARMUP_MS + 3_000);
    const speed = replay.speed;
    const strategy = (await client.invoke('strategies.list', {})) as Array<{ id: string; source: string; definition: unknown }>;
    const definitions = strategy.filter((entry) => entry.source === 'example' && (entry.id === 'dump-short' || entry.id === 'pump-long')).map((entry) => entry.definition);
    const session = (await client.invoke('sessions.start', { kind: 'paper', recordingId: recording.id, strategies: definitions, speed, capital: '10000' })) as { id: string };
    // fast-forward (unpaced) to just before the measured stretch
    await client.invoke('sessions.seek', { sessionId: session.id, ts: Math.round(replay.seekTs) });
    // the page follows the new session: its chart goes live
    await page.reload();
    await page.locator('[data-testid="trading-chart"][data-live="true"]').waitFor({ timeout: 10_000 });
    await page.waitForTimeout(WARMUP_MS);

    // the engine's own count of replayed events (setSpeed to the same speed changes nothing but answers with it)
    const processed = async (): Promise<number> => ((await client.invoke('sessions.setSpeed', { sessionId: session.id, speed })) as { processed: number }).processed;
    await page.evaluate(() => {
      if (window.__surgeProbe !== undefined) window.__surgeProbe.tickToPixelMs.length = 0;
    });
    const startProcessed = await processed();
    const startedAt = Date.now();
    const [fps, pingP95] = await Promise.all([measureFps(page, MEASURE_MS), pingRoundTripP95(page, serve.info, 200)]);
    const elapsed = (Date.now() - startedAt) / 1000;
    const ticksPerSecond = ((await processed()) - startProcessed) / elapsed;
    const samples = await page.evaluate(() => [...(window.__surgeProbe?.tickToPixelMs ?? [])]);
    if (samples.length < 50) throw new Error(`only ${samples.length} ticks reached the chart in ${MEASURE_MS} ms`);
    return { p95: percentile(samples, 95), p50: percentile(samples, 50), samples: samples.length, ticksPerSecond, fps, idleFps, pingP95 };
  } finally {
    client.close();
    await page.close();
    await serve.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!existsSync(path.join(repoRoot, 'dist-main', 'serve.js')) || !existsSync(path.join(repoRoot, 'dist-renderer', 'index.html'))) {
    throw new Error('serve mode is not built: run `npm run build` first');
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
  });
  try {
    const ticks = await tickToPixel(browser);
    const colds: number[] = [];
    for (let run = 0; run < COLD_STARTS; run++) colds.push(await coldStart(browser));
    const nodeStarts: number[] = [];
    for (let run = 0; run < COLD_STARTS; run++) nodeStarts.push(await nodeStartupMs());
    const cold = median(colds);
    const nodeStart = median(nodeStarts);

    const records: BenchRecord[] = [
      { name: 'ui_tick_to_pixel_p95_ms', value: ticks.p95, unit: 'ms', baseline: ticks.pingP95, ratio: ticks.pingP95 / ticks.p95 },
      { name: 'ui_fps', value: ticks.fps, unit: 'frames/s', baseline: ticks.idleFps, ratio: ticks.fps / ticks.idleFps },
      { name: 'serve_cold_start_ms', value: cold, unit: 'ms', baseline: nodeStart, ratio: nodeStart / cold },
    ];
    report(records[0]!, `p50 ${ticks.p50} ms over ${ticks.samples} drawn ticks; engine replaying ${Math.round(ticks.ticksPerSecond)} trades/s; baseline = WebSocket ping round trip p95; target < 50 ms`);
    report(records[1]!, `baseline = idle page; target >= 55`);
    report(records[2]!, `runs ${colds.join(', ')} ms; baseline = node -e '' start-up; target < 2000 ms`);
    emit(records);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
