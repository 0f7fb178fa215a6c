-- 0030_session_results: what the performance dashboard and the alert list need to survive a
-- restart. Never edit once landed; add a new numbered file instead.
-- Conventions as in 0010: money is exact decimal TEXT inside the JSON, timestamps INTEGER ms.

-- The outcome of a backtest or replayed paper session, written once when its replay ends:
-- metrics (closed-trade statistics and the fingerprint), the equity curve and the closed trades.
CREATE TABLE session_results (
  session_id   TEXT PRIMARY KEY NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  metrics      TEXT NOT NULL CHECK (json_valid(metrics) AND json_type(metrics) = 'object'),
  equity_curve TEXT NOT NULL CHECK (json_valid(equity_curve) AND json_type(equity_curve) = 'array'),
  trades       TEXT NOT NULL CHECK (json_valid(trades) AND json_type(trades) = 'array'),
  created_at   INTEGER NOT NULL
) STRICT;

-- Alerts the trader dismissed: hidden from the list, kept in risk_events for the audit trail.
CREATE TABLE alert_dismissals (
  alert_id     TEXT PRIMARY KEY NOT NULL REFERENCES risk_events (id) ON DELETE CASCADE,
  dismissed_at INTEGER NOT NULL
) STRICT;
