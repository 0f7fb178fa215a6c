import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import WebSocket from 'ws';
import { expect, openApp, repoRoot, screenshotsDir, test, type ServeInfo } from './fixtures';

/**
 * The trader's own actions on a running paper session: the stop-loss edited inline (saved, and
 * refused with the engine's reason next to the field), half the position closed, a working
 * order cancelled. The sessions are started, paused and moved with the command API (serve
 * mode's socket, as a script would) so the position and the working order hold still while the
 * screen acts on them; everything the trader does goes through the screen.
 */

interface Envelope {
  ok: boolean;
  value?: unknown;
  error?: { type: string; message: string; paths?: string[] };
}

/** Serve mode's command socket, opened as the page's own origin with its token. */
async function engineSocket(serve: ServeInfo): Promise<{ invoke<T>(name: string, request: unknown): Promise<T>; close(): void }> {
  const socket = new WebSocket(`ws://127.0.0.1:${serve.port}/ws?token=${serve.token}`, { origin: `http://127.0.0.1:${serve.port}` });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 1;
  const waiting = new Map<number, (result: Envelope) => void>();
  socket.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as { type: string; id?: number; result?: Envelope };
    if (frame.type === 'result' && frame.id !== undefined) waiting.get(frame.id)?.(frame.result!);
  });
  return {
    async invoke<T>(name: string, request: unknown): Promise<T> {
      const id = nextId++;
      const result = await new Promise<Envelope>((resolve) => {
        waiting.set(id, resolve);
        socket.send(JSON.stringify({ type: 'invoke', id, name, request }));
      });
      waiting.delete(id);
      if (!result.ok) throw new Error(`${name} failed: ${result.error?.type}: ${result.error?.message}`);
      return result.value as T;
    },
    close: () => socket.close(),
  };
}

type Engine = Awaited<ReturnType<typeof engineSocket>>;

interface Recording {
  id: string;
  name: string;
  firstTs: number | null;
  lastTs: number | null;
  instruments: string[];
}
interface ReplayState {
  paused: boolean;
  positionTs: number | null;
  seekTargetTs: number | null;
}
interface OrderRow {
  clientOrderId: string;
  status: string;
  type: string;
}

function exampleStrategy(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(repoRoot, 'resources', 'strategies', file), 'utf8')) as Record<string, unknown>;
}

/** The bundled demo recording (real BTCUSDT trades): the first-run session replays it. */
async function demoRecording(engine: Engine): Promise<Recording> {
  const recordings = await engine.invoke<Recording[]>('recordings.list', {});
  const btc = recordings.filter((recording) => recording.instruments.includes('BTC/USDT:USDT') && recording.firstTs !== null);
  const demo = btc.find((recording) => recording.name.startsWith('Demo')) ?? btc[0];
  if (demo === undefined) throw new Error(`no BTC recording among ${recordings.map((r) => r.name).join(', ')}`);
  return demo;
}

/** Starts a paper replay at 1× and pauses it at once: it then moves only when a test seeks. */
async function startPaused(engine: Engine, recording: Recording, strategy: Record<string, unknown>): Promise<string> {
  const session = await engine.invoke<{ id: string }>('sessions.start', { kind: 'paper', recordingId: recording.id, strategies: [strategy], speed: 1, capital: '25000' });
  await engine.invoke('sessions.pause', { sessionId: session.id });
  return session.id;
}

/** Moves a paused replay to ts and waits until it is there (it stays paused). */
async function seekPaused(engine: Engine, sessionId: string, ts: number): Promise<void> {
  await engine.invoke('sessions.seek', { sessionId, ts });
  await expect
    .poll(async () => {
      const state = await engine.invoke<ReplayState>('sessions.pause', { sessionId });
      return state.seekTargetTs === null && state.paused;
    }, { timeout: 30_000 })
    .toBe(true);
}

async function focusSession(page: Page, sessionId: string): Promise<void> {
  const row = page.locator(`[data-testid="session-row"][data-session-id="${sessionId}"]`);
  await expect(row).toBeVisible();
  await row.click();
  await expect(row).toHaveClass(/is-focused/);
}

test.describe('position and order actions', () => {
  test('edits the stop-loss inline, shows the engine refusing a wrong one next to the field, and closes half the position', async ({ page, serveUrl, serve }) => {
    const engine = await engineSocket(serve);
    try {
      const recording = await demoRecording(engine);
      // Dump Short is short from 94 s to 217 s into the data: stop at 120 s with the position open
      const sessionId = await startPaused(engine, recording, exampleStrategy('dump-short.json'));
      await seekPaused(engine, sessionId, recording.firstTs! + 120_000);

      await openApp(page, serveUrl);
      await focusSession(page, sessionId);
      const positions = page.getByTestId('positions-table');
      const position = positions.getByTestId('position-row').filter({ has: page.locator('.badge-side-short') }).first();
      await expect(position).toHaveAttribute('data-side', 'SHORT');
      await expect(position.getByTestId('margin-ratio')).toHaveText(/^\d+\.\d%$/);
      const size = Number((await position.getByTestId('position-size').textContent())!.replace(/,/g, ''));
      expect(size).toBeGreaterThan(1);
      const mark = Number((await position.getByTestId('position-mark').textContent())!.replace(/,/g, ''));
      expect(mark).toBeGreaterThan(0);

      // a short's stop-loss goes above the price: 0.5 % up is saved and comes back on the tick
      const stopLoss = position.getByTestId('position-sl');
      const valid = (Math.round(mark * 1.005 * 10) / 10).toFixed(1);
      await stopLoss.click();
      await stopLoss.fill(valid);
      await stopLoss.press('Enter');
      await expect(positions.getByTestId('position-sl-error')).toHaveCount(0);
      await expect.poll(async () => Number(await stopLoss.getAttribute('data-value'))).toBe(Number(valid));
      await expect(stopLoss).not.toBeFocused();
      await expect(page.getByTestId('trading-chart')).toHaveAttribute('data-price-lines', /stopLoss/);

      // below the price it would fire at once: the engine says why, next to the field, and keeps the old level
      const invalid = (Math.round(mark * 0.99 * 10) / 10).toFixed(1);
      await stopLoss.click();
      await stopLoss.fill(invalid);
      await stopLoss.press('Enter');
      // the message sits right under the SL / TP cells
      const refusal = positions.getByTestId('position-sl-error');
      await expect(refusal).toContainText("a short position's stop-loss must be above the last price");
      await expect(stopLoss).toHaveValue(invalid);
      await expect.poll(async () => Number(await stopLoss.getAttribute('data-value'))).toBe(Number(valid));
      await page.screenshot({ path: path.join(screenshotsDir, 'position-stop-loss.png') });
      // a typo is caught before anything is sent
      await stopLoss.fill('12a');
      await stopLoss.press('Enter');
      await expect(refusal).toContainText('is not a price');
      await stopLoss.press('Escape');
      await expect(refusal).toHaveCount(0);
      await expect.poll(async () => Number(await stopLoss.inputValue())).toBe(Number(valid));

      // half the position: a reduce-only market order for half, rounded down to the lot
      await position.getByTestId('position-close-half').click();
      const halfQty = Math.floor(size / 2);
      const closing = page.getByTestId('order-row').filter({ hasText: 'manual_close' }).first();
      await expect(closing).toBeVisible();
      await expect(closing).toContainText('BUY');
      await expect(closing).toContainText('RO');
      await expect(closing).toContainText(halfQty.toLocaleString('en-US'));
      // a paper market order fills at the next trade of the data: let the replay take one step
      await engine.invoke('sessions.resume', { sessionId });
      await expect(closing).toHaveAttribute('data-status', 'FILLED');
      await engine.invoke('sessions.pause', { sessionId });
      await expect(position.getByTestId('position-size')).toHaveText((size - halfQty).toLocaleString('en-US'));

      // closing everything asks first; Keep leaves the position alone
      await position.getByTestId('position-close-all').click();
      await expect(position.getByTestId('position-close-confirm')).toBeFocused();
      await expect(position.getByTestId('position-close-confirm')).toHaveText(`Close ${(size - halfQty).toLocaleString('en-US')}?`);
      await page.screenshot({ path: path.join(screenshotsDir, 'position-close.png') });
      await position.getByTestId('position-close-keep').click();
      await expect(position.getByTestId('position-close-confirm')).toHaveCount(0);
      await expect(position).toHaveAttribute('data-side', 'SHORT');
      await engine.invoke('sessions.stop', { sessionId });
    } finally {
      engine.close();
    }
  });

  test('cancels a working limit order from the order history', async ({ page, serveUrl, serve }) => {
    const engine = await engineSocket(serve);
    try {
      const recording = await demoRecording(engine);
      // Dump Short entering with a limit at the signal price: in a falling market it rests unfilled
      const strategy = exampleStrategy('dump-short.json');
      strategy['strategy_name'] = 'Dump Short (limit)';
      strategy['z1_entry'] = { ...(strategy['z1_entry'] as Record<string, unknown>), orderType: 'LIMIT' };
      const sessionId = await startPaused(engine, recording, strategy);

      // step through the data, paused between steps, until the limit entry is working
      let working: OrderRow | undefined;
      for (let ts = recording.firstTs! + 90_000; ts <= recording.lastTs! && working === undefined; ts += 1_000) {
        await seekPaused(engine, sessionId, ts);
        const orders = await engine.invoke<OrderRow[]>('orders.list', { sessionId });
        working = orders.find((order) => order.type === 'LIMIT' && (order.status === 'ACCEPTED' || order.status === 'PARTIALLY_FILLED'));
      }
      expect(working, 'a working limit entry somewhere in the demo data').toBeDefined();

      await openApp(page, serveUrl);
      await focusSession(page, sessionId);
      const row = page.locator(`[data-testid="order-row"][data-order-id="${working!.clientOrderId}"]`);
      await expect(row).toHaveAttribute('data-status', working!.status);
      await expect(row).toContainText('LIMIT');
      await page.screenshot({ path: path.join(screenshotsDir, 'order-working.png') });
      await row.getByTestId('order-cancel').click();
      await expect(row).toHaveAttribute('data-status', 'CANCELED');
      await expect(row.getByTestId('order-cancel')).toHaveCount(0);
      await page.screenshot({ path: path.join(screenshotsDir, 'order-cancelled.png') });
      const after = await engine.invoke<OrderRow[]>('orders.list', { sessionId });
      expect(after.find((order) => order.clientOrderId === working!.clientOrderId)?.status).toBe('CANCELED');
      await engine.invoke('sessions.stop', { sessionId });
    } finally {
      engine.close();
    }
  });
});
