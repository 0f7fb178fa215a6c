// Incremental indicator update cost.
//   indicator_update_ns.<variant>  nanoseconds per market event for one indicator variant alone in
//                    an InstrumentIndicators: onTrade (or onBook) plus reading its value, as the
//                    strategy layer does on every tick. Trade indicators replay the real Binance
//                    USD-M BTCUSDT trades looped 47× with shifted timestamps (1,001,711 trades,
//                    ~4.5 h of event time, so 300–600 s windows are full for almost all of it);
//                    book indicators replay the real BTCUSDT book ticker looped 16× (1,057,424
//                    one-level books). baseline = ns/event of PRICE (the trivial last-price
//                    update) on the same stream in the same run; ratio = value / baseline, i.e.
//                    how many trivial updates one update costs (lower is better).
//   indicator_update_ns.ALL_TRADE  every trade variant below together in one set, per trade.
// Interleaved rounds after a full warm-up pass of each; the median of 5 rounds is reported.
// Run: npx tsx bench/indicators.bench.ts   (or npm run bench -- indicators)
import { InstrumentIndicators, type BookLevel } from '../src-main/engine/indicators/registry';
import { loadBookTicker, loadTrades, type Trade } from '../src-main/engine/indicators/testing/market-data';
import { emit, forceGc, median, report, type BenchRecord } from './harness';

const MIN_EVENTS = 1_000_000;
const ROUNDS = 5;

const trades: readonly Trade[] = loadTrades();
const tradeLoops = Math.ceil(MIN_EVENTS / trades.length);
const tradePeriod = trades[trades.length - 1]!.ts - trades[0]!.ts + 1000;

const bookTicker = loadBookTicker();
const books = bookTicker.map((top) => ({
  ts: top.ts,
  bids: [[top.bidPrice, top.bidQuantity]] as BookLevel[],
  asks: [[top.askPrice, top.askQuantity]] as BookLevel[],
}));
const bookLoops = Math.ceil(MIN_EVENTS / books.length);
const bookPeriod = books[books.length - 1]!.ts - books[0]!.ts + 1000;

/** Feeds the whole looped trade stream; returns ns per trade. The checksum keeps value() from being optimised away. */
function replayTrades(variantIds: readonly string[], loops: number): number {
  const indicators = new InstrumentIndicators(variantIds);
  const read = variantIds[0]!;
  let checksum = 0;
  const started = process.hrtime.bigint();
  for (let loop = 0; loop < loops; loop++) {
    const shift = loop * tradePeriod;
    for (let i = 0; i < trades.length; i++) {
      const trade = trades[i]!;
      indicators.onTrade(trade.ts + shift, trade.price, trade.quantity, trade.side);
      if (variantIds.length === 1) {
        const value = indicators.value(read);
        if (value !== null) checksum += value;
      } else {
        for (const id of variantIds) {
          const value = indicators.value(id);
          if (value !== null) checksum += value;
        }
      }
    }
  }
  const elapsed = Number(process.hrtime.bigint() - started);
  if (Number.isNaN(checksum)) throw new Error('NaN indicator value');
  return elapsed / (loops * trades.length);
}

function replayBooks(variantId: string, loops: number): number {
  const indicators = new InstrumentIndicators([variantId]);
  let checksum = 0;
  const started = process.hrtime.bigint();
  for (let loop = 0; loop < loops; loop++) {
    const shift = loop * bookPeriod;
    for (let i = 0; i < books.length; i++) {
      const book = books[i]!;
      indicators.onBook(book.ts + shift, book.bids, book.asks);
      const value = indicators.value(variantId);
      if (value !== null) checksum += value;
    }
  }
  const elapsed = Number(process.hrtime.bigint() - started);
  if (Number.isNaN(checksum)) throw new Error('NaN indicator value');
  return elapsed / (loops * books.length);
}

const tradeVariants = [
  'PRICE',
  'TWPA(10,0)',
  'TWPA(60,30)',
  'TWPA_RATIO',
  'PUMP_MAGNITUDE_PCT',
  'PRICE_VELOCITY',
  'VELOCITY_CASCADE',
  'MOMENTUM_REVERSAL_INDEX',
  'PRICE_MOMENTUM',
  'VOLUME_SURGE_RATIO',
  'VWAP',
  'VWAP(60)',
  'RSI',
  'EMA',
  'SMA',
];
const bookVariants = ['PRICE', 'SPREAD_PCT', 'BID_ASK_IMBALANCE', 'LIQUIDITY_DRAIN_INDEX'];

type Contender = { name: string; run: (loops: number) => number; loops: number; stream: 'trade' | 'book' };
const contenders: Contender[] = [
  ...tradeVariants.map((id): Contender => ({ name: id, run: (loops) => replayTrades([id], loops), loops: tradeLoops, stream: 'trade' })),
  { name: 'ALL_TRADE', run: (loops) => replayTrades(tradeVariants, loops), loops: tradeLoops, stream: 'trade' },
  ...bookVariants.map((id): Contender => ({ name: id, run: (loops) => replayBooks(id, loops), loops: bookLoops, stream: 'book' })),
];

// A full pass each first: every class reaches its optimised tier before anything is timed.
for (const contender of contenders) contender.run(contender.loops);
const samples = contenders.map(() => [] as number[]);
for (let round = 0; round < ROUNDS; round++) {
  contenders.forEach((contender, i) => {
    forceGc();
    samples[i]!.push(contender.run(contender.loops));
  });
}
const nsPerEvent = samples.map(median);

const baselineFor = (stream: 'trade' | 'book'): number => nsPerEvent[contenders.findIndex((c) => c.stream === stream && c.name === 'PRICE')]!;
const records: BenchRecord[] = [];
contenders.forEach((contender, i) => {
  if (contender.name === 'PRICE' && contender.stream === 'book') return;
  const baseline = baselineFor(contender.stream);
  const record: BenchRecord = {
    name: `indicator_update_ns.${contender.name}`,
    value: nsPerEvent[i]!,
    unit: contender.stream === 'trade' ? 'ns/tick' : 'ns/book',
    baseline,
    ratio: nsPerEvent[i]! / baseline,
  };
  records.push(record);
  const events = contender.loops * (contender.stream === 'trade' ? trades.length : books.length);
  report(record, `${events.toLocaleString('en-US')} ${contender.stream === 'trade' ? 'trades' : 'books'}; baseline PRICE on the same stream`);
});
emit(records);
