import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import type { LiveSessionDto } from '../../src-shared/contract/live-commands';
import type { Result } from '../../src-shared/contract/result';
import type { OrderDto, PositionDto } from '../../src-shared/contract/schemas';
import { SERVE_READY_MARKER, type ServeReady } from '../../src-main/serve/cli-args';
import { enterOnFirstTrade } from '../fixtures/online-strategy';
import { repoRoot } from '../fixtures/paths';
import { startMexcSimulator, type MexcSimulator } from '../mexc-sim';

// Issue #4 item 9: serve mode is killed with SIGKILL while a live session (on the MEXC
// simulator) holds a position and a working order; it is restarted on the same data directory,
// and the session, its orders and positions resume — reconciled, nothing lost, nothing sent twice.
// The engine runs in a child process (crash/serve-engine.ts: serve mode's own start-up with the
// simulator's URLs and keys); the simulator runs here, so it outlives the crash.

const API_KEY = 'mx0vgl-crash-test-key';
const SECRET = 'crash-test-secret-0123456789abcdef';
const BTC = 'BTC/USDT:USDT';
const ETH = 'ETH/USDT:USDT';
const ENGINE_SCRIPT = path.join(repoRoot, 'tests', 'integration', 'crash', 'serve-engine.ts');
const READY_TIMEOUT_MS = 30_000;

/**
 * A market entry on BTC (fills at once: a position) and a limit entry on ETH (rests: a working
 * order), each with a stop-loss 10 % under the entry. MEXC holds no such order: the engine
 * keeps the level, so it must come back from the journal after the crash.
 */
const entry = (orderType: 'MARKET' | 'LIMIT'): Record<string, unknown> => ({
  ...(enterOnFirstTrade().z1_entry as Record<string, unknown>), orderType, stopLoss: { enabled: true, offsetPercent: 10 },
});
const strategies = [
  { ...enterOnFirstTrade('Crash Market Entry'), global_limits: { max_concurrent_signals: 1, cooldown_minutes: 0, max_daily_trades: 2, allowed_symbols: [BTC] }, z1_entry: entry('MARKET') },
  { ...enterOnFirstTrade('Crash Limit Entry'), global_limits: { max_concurrent_signals: 1, cooldown_minutes: 0, max_daily_trades: 1, allowed_symbols: [ETH] }, z1_entry: entry('LIMIT') },
];

/** Short intervals so a restart settles within a second or two (the defaults are for a real exchange). */
const SETTINGS = {
  firstRun: { demo: false },
  orderManager: { statusPollIntervalMs: 200 },
  positionSync: { intervalMs: 500 },
  feed: { stalenessMs: 30_000 },
};

interface Engine {
  child: ChildProcess;
  ready: ServeReady;
  client: ServeClient;
  /** The child's last stderr lines, for a failure message. */
  log: string[];
}

let sim: MexcSimulator | null = null;
let dataDir = '';
const engines: Engine[] = [];

afterEach(async () => {
  for (const engine of engines.splice(0)) {
    engine.client.close();
    await kill(engine.child);
  }
  await sim?.close();
  sim = null;
  if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
  dataDir = '';
});

describe('serve mode killed with SIGKILL during a live session', () => {
  test('resumes the session on restart: positions, the working order, stop-losses and strategy states are back, a fill made while it was down counts once, nothing is sent twice', async () => {
    sim = await startMexcSimulator({ apiKey: API_KEY, secret: SECRET });
    const s = sim;
    s.setPrice('ETH_USDT', 100); // 15 USDT of notional buys 15 ETH contracts of 0.01 at 100
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'surge-crash-'));
    writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify(SETTINGS, null, 2));

    // ---- first run: a live session with a position (BTC) and a resting limit order (ETH)
    const first = await startEngine(s);
    const started = unwrap(await first.client.invoke<LiveSessionDto>('sessions.startOnline', { kind: 'live', symbols: [BTC, ETH], strategies, capital: '1000' }));
    expect(started.phase).toBe('ready');
    const sessionId = started.session.id;
    expect(unwrap(await first.client.invoke<LiveSessionDto>('sessions.arm', { sessionId, confirm: true }))).toMatchObject({ phase: 'armed', session: { status: 'running' } });
    await waitFor(() => subscribed(s, 'deal:BTC_USDT') && subscribed(s, 'deal:ETH_USDT'), 'trade streams subscribed', first);

    s.trade('BTC_USDT', 60_000, 1, 'buy');
    await waitFor(() => s.position('BTC_USDT', 'long')?.holdVol === '2', 'BTC market entry filled at the exchange', first);
    // the entry fires at 100; the market is at 101 before the order arrives, so the limit rests
    s.trade('ETH_USDT', 100, 1, 'buy');
    s.setPrice('ETH_USDT', 101);
    await waitFor(() => s.orders('ETH_USDT').length === 1, 'ETH limit order at the exchange', first);
    const resting = s.orders('ETH_USDT')[0]!;
    expect(resting).toMatchObject({ state: 2, price: '100', vol: '15', dealVol: '0' });

    // the journal on disk has both orders (the limit acknowledged) and the position
    await waitFor(() => {
      const journal = readJournal(dataDir, sessionId);
      return journal.orders.some((o) => o.instrument_id === BTC && o.status === 'FILLED')
        && journal.orders.some((o) => o.instrument_id === ETH && o.status === 'ACCEPTED')
        && journal.positions.some((p) => p.instrument_id === BTC && p.side === 'LONG' && p.quantity === '2' && p.stop_loss === '54000');
    }, 'orders and position journalled', first);

    // ---- the crash
    process.kill(first.child.pid!, 'SIGKILL');
    await exited(first.child);
    const beforeRestart = readJournal(dataDir, sessionId);
    expect(beforeRestart.orders.map((o) => [o.instrument_id, o.status, o.filled_quantity])).toEqual([
      [BTC, 'FILLED', '2'],
      [ETH, 'ACCEPTED', '0'],
    ]);
    expect(beforeRestart.positions).toEqual([{ instrument_id: BTC, side: 'LONG', quantity: '2', stop_loss: '54000' }]);
    expect(beforeRestart.sessionStatus).toBe('running');
    const ethOrderId = beforeRestart.orders[1]!.client_order_id;
    expect(resting.externalOid).toBe(ethOrderId);

    // while the engine is down, the market trades 5 of the 15 contracts against the resting order
    s.externalFill(ethOrderId, 5);
    expect(s.position('ETH_USDT', 'long')?.holdVol).toBe('5');

    // ---- restart on the same data directory
    const second = await startEngine(s);
    const resumed = unwrap(await second.client.invoke<LiveSessionDto>('sessions.online', { sessionId }));
    expect(resumed).toMatchObject({ phase: 'armed', differences: [], session: { id: sessionId, status: 'running' } });

    const afterOrders = unwrap(await second.client.invoke<OrderDto[]>('orders.list', { sessionId, limit: 50 }));
    expect(byInstrument(afterOrders)).toEqual({
      [BTC]: expect.objectContaining({ clientOrderId: beforeRestart.orders[0]!.client_order_id, status: 'FILLED', filledQuantity: '2' }),
      [ETH]: expect.objectContaining({ clientOrderId: ethOrderId, status: 'PARTIALLY_FILLED', filledQuantity: '5', price: '100' }),
    });
    const afterPositions = unwrap(await second.client.invoke<PositionDto[]>('positions.list', { sessionId }));
    expect(byInstrument(afterPositions)).toEqual({
      [BTC]: expect.objectContaining({ side: 'LONG', quantity: '2', stopLoss: '54000' }),
      // the fill made while the engine was down took the entry's stop-loss offset: 10 % under 100
      [ETH]: expect.objectContaining({ side: 'LONG', quantity: '5', averageEntryPrice: '100', stopLoss: '90' }),
    });

    // the resumed order is tracked live: the rest of it fills at the exchange and is accounted once
    s.trade('ETH_USDT', 99, 1, 'sell');
    await waitFor(() => s.order(ethOrderId)?.state === 3, 'ETH order filled at the exchange', second);
    await waitFor(() => readJournal(dataDir, sessionId).orders.some((o) => o.client_order_id === ethOrderId && o.status === 'FILLED'), 'rest of the ETH fill journalled', second);

    // the stop-loss the engine keeps for BTC came back from the journal: a trade under it closes the position
    s.trade('BTC_USDT', 53_000, 1, 'sell');
    await waitFor(() => s.positions('BTC_USDT').length === 0, 'BTC closed by its restored stop-loss at the exchange', second);
    await waitFor(() => !readJournal(dataDir, sessionId).positions.some((p) => p.instrument_id === BTC), 'BTC close journalled', second);
    // the strategy that opened it before the crash heard it closed, and makes its second (last) entry of the day
    s.trade('BTC_USDT', 53_000, 1, 'buy');
    await waitFor(() => readJournal(dataDir, sessionId).positions.some((p) => p.instrument_id === BTC && p.quantity === '2' && p.stop_loss === '47700'), 'BTC entered again', second);
    s.trade('BTC_USDT', 47_000, 1, 'sell');
    await waitFor(() => s.positions('BTC_USDT').length === 0, 'BTC closed by its new stop-loss at the exchange', second);
    await waitFor(() => !readJournal(dataDir, sessionId).positions.some((p) => p.instrument_id === BTC), 'second BTC close journalled', second);

    // more trades on both symbols enter nothing: ETH is held, and BTC made its two entries of the day (one before the crash)
    for (let i = 0; i < 3; i++) {
      s.trade('BTC_USDT', 47_010 + i, 1, 'buy');
      s.trade('ETH_USDT', 99 + i, 1, 'buy');
      await sleep(100);
    }
    await sleep(600); // a position-sync round and a few order polls

    const end = readJournal(dataDir, sessionId);
    expect(end.orders.map((o) => [o.instrument_id, o.reason, o.status, o.filled_quantity])).toEqual([
      [BTC, 'entry', 'FILLED', '2'],
      [ETH, 'entry', 'FILLED', '15'],
      [BTC, 'stop_loss', 'FILLED', '2'],
      [BTC, 'entry', 'FILLED', '2'],
      [BTC, 'stop_loss', 'FILLED', '2'],
    ]);
    expect(end.orders.slice(0, 2).map((o) => o.client_order_id)).toEqual(beforeRestart.orders.map((o) => o.client_order_id));
    // each fill once: 5 made while the engine was down, 10 after the restart
    expect(end.fills.filter((f) => f.client_order_id === ethOrderId).map((f) => f.last_qty).sort()).toEqual(['10', '5']);
    expect(end.fills.filter((f) => f.client_order_id !== ethOrderId).map((f) => f.last_qty)).toEqual(['2', '2', '2', '2']);
    expect(end.positions.map((p) => [p.instrument_id, p.side, p.quantity, p.stop_loss])).toEqual([[ETH, 'LONG', '15', '90']]);
    expect(s.positions().map((p) => [p.symbol, p.side, p.holdVol])).toEqual([['ETH_USDT', 'long', '15']]);

    // no order sent twice, none lost: each journalled client order id reached order/create exactly once
    const created = s.requestsTo('order/create').map((r) => (JSON.parse(r.body) as { externalOid: string }).externalOid);
    expect(created.sort()).toEqual(end.orders.map((o) => o.client_order_id).sort());

    // the signal history goes on where it stopped: the resumed run's signals are journalled beside the first run's
    const signalsOf = (instrumentId: string): string[] => end.signals.filter((sig) => sig.instrument_id === instrumentId).map((sig) => `${sig.section} ${sig.reason}`);
    expect(signalsOf(BTC)).toEqual(['S1 signal_detected', 'Z1 entry_requested', 'Z1 entry_accepted', 'S1 signal_detected', 'Z1 entry_requested', 'Z1 entry_accepted']);
    // the last one after the restart, when recovery accounted the fill made while the engine was down
    expect(signalsOf(ETH)).toEqual(['S1 signal_detected', 'Z1 entry_requested', 'Z1 entry_accepted']);
    // and nothing was alarming about it: no mismatch, no unknown order, no failed recovery
    expect(unwrap(await second.client.invoke<unknown[]>('alerts.list', { limit: 50 }))).toEqual([]);

    const final = unwrap(await second.client.invoke<LiveSessionDto>('sessions.online', { sessionId }));
    expect(final).toMatchObject({ phase: 'armed', differences: [], session: { status: 'running' } });
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// The engine child process

async function startEngine(s: MexcSimulator): Promise<Engine> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENGINE_SCRIPT], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      SURGE_CRASH_DATA_DIR: dataDir,
      SURGE_CRASH_SIM: JSON.stringify({ urls: s.ccxtUrls(), apiKey: API_KEY, apiSecret: SECRET }),
    },
  });
  const log: string[] = [];
  const keep = (line: string): void => {
    log.push(line);
    if (log.length > 200) log.shift();
  };
  let stderrRest = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (stderrRest + chunk).split('\n');
    stderrRest = lines.pop() ?? '';
    lines.forEach(keep);
  });
  const ready = await new Promise<ServeReady>((resolve, reject) => {
    let stdoutRest = '';
    const timer = setTimeout(() => fail(new Error(`the engine did not print ${SERVE_READY_MARKER} within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    const onExit = (code: number | null): void => fail(new Error(`the engine exited (${code}) before it was ready`));
    function fail(error: Error): void {
      clearTimeout(timer);
      child.off('exit', onExit);
      reject(new Error(`${error.message}\n${log.slice(-40).join('\n')}`));
    }
    child.once('exit', onExit);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (stdoutRest + chunk).split('\n');
      stdoutRest = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith(`${SERVE_READY_MARKER} `)) continue;
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(JSON.parse(line.slice(SERVE_READY_MARKER.length + 1)) as ServeReady);
      }
    });
  }).catch(async (error: unknown) => {
    await kill(child);
    throw error;
  });
  const client = await ServeClient.connect(ready);
  const engine: Engine = { child, ready, client, log };
  engines.push(engine);
  return engine;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await exited(child);
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await once(child, 'exit');
}

/** The serve WebSocket protocol (src-shared/contract/wire.ts), invokes only. */
class ServeClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (result: Result<unknown>) => void; reject: (error: Error) => void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; id?: number; result?: Result<unknown>; message?: string };
      if (frame.type !== 'result' || frame.id === undefined) return;
      this.pending.get(frame.id)?.resolve(frame.result!);
      this.pending.delete(frame.id);
    });
    socket.on('close', () => {
      for (const { reject } of this.pending.values()) reject(new Error('the serve socket closed'));
      this.pending.clear();
    });
  }

  static async connect(ready: ServeReady): Promise<ServeClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${ready.port}/ws?token=${ready.token}`);
    await once(socket, 'open');
    return new ServeClient(socket);
  }

  invoke<T>(name: string, request: unknown): Promise<Result<T>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (result: Result<unknown>) => void, reject });
      this.socket.send(JSON.stringify({ type: 'invoke', id, name, request }));
    });
  }

  close(): void {
    this.socket.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// The journal, read straight from the SQLite file

interface JournalOrder { client_order_id: string; instrument_id: string; reason: string | null; status: string; filled_quantity: string }
interface JournalPosition { instrument_id: string; side: string; quantity: string; stop_loss: string | null }
interface JournalSignal { id: string; instrument_id: string; section: string; reason: string }
interface JournalFill { client_order_id: string; fill_id: string; last_qty: string }

function readJournal(dir: string, sessionId: string): { sessionStatus: string | null; orders: JournalOrder[]; positions: JournalPosition[]; fills: JournalFill[]; signals: JournalSignal[] } {
  const db = new Database(path.join(dir, 'surge.db'), { readonly: true, fileMustExist: true });
  try {
    const session = db.prepare('SELECT status FROM sessions WHERE id = ?').get(sessionId) as { status: string } | undefined;
    return {
      sessionStatus: session?.status ?? null,
      orders: db.prepare('SELECT client_order_id, instrument_id, reason, status, filled_quantity FROM orders WHERE session_id = ? ORDER BY created_at, client_order_id').all(sessionId) as JournalOrder[],
      positions: db.prepare("SELECT instrument_id, side, quantity, stop_loss FROM positions WHERE session_id = ? AND side != 'FLAT' ORDER BY instrument_id").all(sessionId) as JournalPosition[],
      fills: db.prepare('SELECT client_order_id, fill_id, last_qty FROM fills WHERE session_id = ? ORDER BY ts_event, fill_id').all(sessionId) as JournalFill[],
      signals: db.prepare('SELECT id, instrument_id, section, reason FROM signal_history WHERE session_id = ? ORDER BY ts, rowid').all(sessionId) as JournalSignal[],
    };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------

function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.type}: ${result.error.message}`);
  return result.value;
}

function byInstrument<T extends { instrumentId: string }>(rows: T[]): Record<string, T> {
  return Object.fromEntries(rows.map((row) => [row.instrumentId, row]));
}

const subscribed = (s: MexcSimulator, topic: string): boolean => s.ws.subscriptions().some((topics) => topics.includes(topic));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean, what: string, engine: Engine, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms\n${engine.log.slice(-40).join('\n')}`);
    await sleep(25);
  }
}
