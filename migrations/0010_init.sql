-- 0010_init: the trading journal — everything the engine needs to resume after a crash.
-- Never edit once landed; add a new numbered file instead.
-- Conventions: money, prices and quantities are exact decimal TEXT ("61234.5"), never REAL;
-- timestamps are INTEGER milliseconds since the epoch from the engine's Clock; JSON is TEXT.
-- A decimal column is checked to hold digits and at most one point (a '-' where it may be signed),
-- so a float written by mistake ('1e-7', 'NaN') is refused at the door.

CREATE TABLE sessions (
  id              TEXT PRIMARY KEY NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('collect', 'backtest', 'paper', 'live')),
  status          TEXT NOT NULL CHECK (status IN ('created', 'running', 'paused', 'stopped', 'completed', 'failed')),
  name            TEXT NOT NULL,
  instruments     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(instruments) AND json_type(instruments) = 'array'),
  strategy_ids    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(strategy_ids) AND json_type(strategy_ids) = 'array'),
  -- the recording a backtest / offline paper session replays; NULL for live streams
  data_session_id TEXT,
  config          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
  started_at      INTEGER,
  ended_at        INTEGER,
  progress        REAL CHECK (progress IS NULL OR (progress >= 0 AND progress <= 1)),
  error           TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_created ON sessions (created_at);

CREATE TABLE orders (
  client_order_id    TEXT PRIMARY KEY NOT NULL,
  venue_order_id     TEXT,
  session_id         TEXT,
  instrument_id      TEXT NOT NULL,
  strategy_id        TEXT,
  side               TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
  type               TEXT NOT NULL CHECK (type IN ('MARKET', 'LIMIT', 'STOP_MARKET')),
  quantity           TEXT NOT NULL CHECK (quantity GLOB '*[0-9]*' AND quantity NOT GLOB '*[^0-9.]*' AND quantity NOT GLOB '*.*.*'),
  price              TEXT CHECK (price IS NULL OR (price GLOB '*[0-9]*' AND price NOT GLOB '*[^0-9.]*' AND price NOT GLOB '*.*.*')),
  trigger_price      TEXT CHECK (trigger_price IS NULL OR (trigger_price GLOB '*[0-9]*' AND trigger_price NOT GLOB '*[^0-9.]*' AND trigger_price NOT GLOB '*.*.*')),
  time_in_force      TEXT NOT NULL CHECK (time_in_force IN ('GTC', 'IOC', 'FOK', 'POST_ONLY')),
  reduce_only        INTEGER NOT NULL CHECK (reduce_only IN (0, 1)),
  leverage           INTEGER NOT NULL CHECK (leverage >= 1),
  status             TEXT NOT NULL CHECK (status IN ('INITIALIZED', 'DENIED', 'SUBMITTED', 'ACCEPTED', 'REJECTED', 'PARTIALLY_FILLED', 'FILLED', 'PENDING_CANCEL', 'CANCELED', 'EXPIRED')),
  filled_quantity    TEXT NOT NULL DEFAULT '0' CHECK (filled_quantity GLOB '*[0-9]*' AND filled_quantity NOT GLOB '*[^0-9.]*' AND filled_quantity NOT GLOB '*.*.*'),
  average_fill_price TEXT CHECK (average_fill_price IS NULL OR (average_fill_price GLOB '*[0-9]*' AND average_fill_price NOT GLOB '*[^0-9.]*' AND average_fill_price NOT GLOB '*.*.*')),
  reason             TEXT,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_by_session ON orders (session_id, created_at);
-- venue ids are unique only per venue account (paper venues count from 1 per session), so not UNIQUE
CREATE INDEX orders_by_venue_order_id ON orders (venue_order_id) WHERE venue_order_id IS NOT NULL;
-- the open set is what crash recovery and reconciliation read first; keep it cheap
CREATE INDEX orders_open ON orders (created_at)
  WHERE status IN ('INITIALIZED', 'SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'PENDING_CANCEL');

-- A venue's fill ids are unique only within that venue (the paper venue counts per session), so a
-- fill is identified by its order and its id; re-delivery of the same fill is a no-op.
CREATE TABLE fills (
  client_order_id     TEXT NOT NULL REFERENCES orders (client_order_id),
  fill_id             TEXT NOT NULL,
  venue_order_id      TEXT,
  session_id          TEXT,
  instrument_id       TEXT NOT NULL,
  side                TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
  last_qty            TEXT NOT NULL CHECK (last_qty GLOB '*[0-9]*' AND last_qty NOT GLOB '*[^0-9.]*' AND last_qty NOT GLOB '*.*.*'),
  last_px             TEXT NOT NULL CHECK (last_px GLOB '*[0-9]*' AND last_px NOT GLOB '*[^0-9.]*' AND last_px NOT GLOB '*.*.*'),
  liquidity_side      TEXT NOT NULL CHECK (liquidity_side IN ('MAKER', 'TAKER')),
  -- negative for maker rebates
  commission          TEXT NOT NULL CHECK (commission GLOB '*[0-9]*' AND commission NOT GLOB '*[^0-9.-]*' AND commission NOT GLOB '*.*.*' AND commission NOT GLOB '?*-*'),
  commission_currency TEXT NOT NULL,
  ts_event            INTEGER NOT NULL,
  PRIMARY KEY (client_order_id, fill_id)
) STRICT;
CREATE INDEX fills_by_session ON fills (session_id, ts_event);

-- session_id '' is the account-level book (live positions not tied to one session): a PRIMARY KEY
-- column holding NULL would not be unique, so NULL is stored as ''.
CREATE TABLE positions (
  session_id           TEXT NOT NULL DEFAULT '',
  instrument_id        TEXT NOT NULL,
  side                 TEXT NOT NULL CHECK (side IN ('LONG', 'SHORT', 'FLAT')),
  quantity             TEXT NOT NULL CHECK (quantity GLOB '*[0-9]*' AND quantity NOT GLOB '*[^0-9.]*' AND quantity NOT GLOB '*.*.*'),
  average_entry_price  TEXT CHECK (average_entry_price IS NULL OR (average_entry_price GLOB '*[0-9]*' AND average_entry_price NOT GLOB '*[^0-9.]*' AND average_entry_price NOT GLOB '*.*.*')),
  mark_price           TEXT CHECK (mark_price IS NULL OR (mark_price GLOB '*[0-9]*' AND mark_price NOT GLOB '*[^0-9.]*' AND mark_price NOT GLOB '*.*.*')),
  realized_pnl         TEXT NOT NULL CHECK (realized_pnl GLOB '*[0-9]*' AND realized_pnl NOT GLOB '*[^0-9.-]*' AND realized_pnl NOT GLOB '*.*.*' AND realized_pnl NOT GLOB '?*-*'),
  unrealized_pnl       TEXT NOT NULL CHECK (unrealized_pnl GLOB '*[0-9]*' AND unrealized_pnl NOT GLOB '*[^0-9.-]*' AND unrealized_pnl NOT GLOB '*.*.*' AND unrealized_pnl NOT GLOB '?*-*'),
  commissions          TEXT NOT NULL CHECK (commissions GLOB '*[0-9]*' AND commissions NOT GLOB '*[^0-9.-]*' AND commissions NOT GLOB '*.*.*' AND commissions NOT GLOB '?*-*'),
  leverage             INTEGER NOT NULL CHECK (leverage >= 1),
  margin_ratio_percent REAL,
  liquidation_price    TEXT CHECK (liquidation_price IS NULL OR (liquidation_price GLOB '*[0-9]*' AND liquidation_price NOT GLOB '*[^0-9.]*' AND liquidation_price NOT GLOB '*.*.*')),
  stop_loss            TEXT CHECK (stop_loss IS NULL OR (stop_loss GLOB '*[0-9]*' AND stop_loss NOT GLOB '*[^0-9.]*' AND stop_loss NOT GLOB '*.*.*')),
  take_profit          TEXT CHECK (take_profit IS NULL OR (take_profit GLOB '*[0-9]*' AND take_profit NOT GLOB '*[^0-9.]*' AND take_profit NOT GLOB '*.*.*')),
  opened_at            INTEGER,
  updated_at           INTEGER NOT NULL,
  PRIMARY KEY (session_id, instrument_id)
) STRICT;

CREATE TABLE signal_history (
  id               TEXT PRIMARY KEY NOT NULL,
  session_id       TEXT,
  strategy_id      TEXT NOT NULL,
  instrument_id    TEXT NOT NULL,
  section          TEXT NOT NULL CHECK (section IN ('S1', 'O1', 'Z1', 'ZE1', 'E1')),
  state            TEXT NOT NULL CHECK (state IN ('MONITORING', 'SIGNAL_DETECTED', 'SIGNAL_CANCELLED', 'ENTRY_EVALUATION', 'POSITION_ACTIVE', 'EXITED', 'COOLDOWN')),
  direction        TEXT NOT NULL CHECK (direction IN ('LONG', 'SHORT')),
  -- a float64 reading for display, not money
  price            REAL,
  indicator_values TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(indicator_values) AND json_type(indicator_values) = 'object'),
  reason           TEXT,
  ts               INTEGER NOT NULL
) STRICT;
CREATE INDEX signal_history_by_session ON signal_history (session_id, ts);
CREATE INDEX signal_history_by_ts ON signal_history (ts);

CREATE TABLE risk_events (
  id              TEXT PRIMARY KEY NOT NULL,
  severity        TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  source          TEXT NOT NULL,
  code            TEXT NOT NULL,
  message         TEXT NOT NULL,
  instrument_id   TEXT,
  details         TEXT CHECK (details IS NULL OR (json_valid(details) AND json_type(details) = 'object')),
  ts              INTEGER NOT NULL,
  acknowledged_at INTEGER
) STRICT;
CREATE INDEX risk_events_by_ts ON risk_events (ts);
CREATE INDEX risk_events_unacknowledged ON risk_events (ts) WHERE acknowledged_at IS NULL;

CREATE TABLE strategies (
  id         TEXT PRIMARY KEY NOT NULL,
  name       TEXT NOT NULL,
  definition TEXT NOT NULL CHECK (json_valid(definition) AND json_type(definition) = 'object'),
  enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- One row the deep health check rewrites: proves the file still accepts writes (disk full,
-- read-only mount, lock held elsewhere), which a read cannot.
CREATE TABLE health_probe (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  written_at INTEGER NOT NULL
) STRICT;
