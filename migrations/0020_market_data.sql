-- 0020_market_data: recorded market data, stored as chunked columnar blobs so a replay reads
-- thousands of ticks per row instead of one (ARCHITECTURE §11). Never edit once landed.
--
-- Blob encoding (little-endian, the byte order of every platform the app ships on):
--   trade_chunks, one row = up to N trades of one instrument, in time order:
--     ts        Float64Array[count]  event time, ms since the epoch (whole ms, exact in float64)
--     price     Float64Array[count]
--     quantity  Float64Array[count]  base units
--     side      Uint8Array[count]    aggressor: 0 = buy, 1 = sell
--   book_chunks, one row = up to N book updates of one instrument, in time order:
--     ts         Float64Array[count]
--     snapshot   Uint8Array[count]   1 = full snapshot (replaces the book), 0 = delta
--     bid_counts Uint32Array[count]  number of bid levels in update i
--     ask_counts Uint32Array[count]  number of ask levels in update i
--     levels     Float64Array[2 × level_count]  (price, quantity) pairs: update 0's bids then
--                its asks, then update 1's, …; quantity 0 in a delta removes the level
-- seq numbers a (recording, instrument)'s chunks in time order; chunks of one instrument never
-- overlap in time, so reading by seq is reading by time.

CREATE TABLE recordings (
  id          TEXT PRIMARY KEY NOT NULL,
  name        TEXT NOT NULL,
  source      TEXT NOT NULL,
  instruments TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(instruments) AND json_type(instruments) = 'array'),
  first_ts    INTEGER,
  last_ts     INTEGER,
  trade_count INTEGER NOT NULL DEFAULT 0 CHECK (trade_count >= 0),
  book_count  INTEGER NOT NULL DEFAULT 0 CHECK (book_count >= 0),
  created_at  INTEGER NOT NULL,
  CHECK (first_ts IS NULL OR last_ts IS NULL OR first_ts <= last_ts)
) STRICT;
CREATE INDEX recordings_by_created ON recordings (created_at);

CREATE TABLE trade_chunks (
  recording_id  TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
  instrument_id TEXT NOT NULL,
  seq           INTEGER NOT NULL CHECK (seq >= 0),
  first_ts      INTEGER NOT NULL,
  last_ts       INTEGER NOT NULL,
  count         INTEGER NOT NULL CHECK (count > 0),
  ts            BLOB NOT NULL,
  price         BLOB NOT NULL,
  quantity      BLOB NOT NULL,
  side          BLOB NOT NULL,
  CHECK (first_ts <= last_ts),
  CHECK (length(ts) = 8 * count AND length(price) = 8 * count AND length(quantity) = 8 * count AND length(side) = count),
  PRIMARY KEY (recording_id, instrument_id, seq)
) STRICT;

CREATE TABLE book_chunks (
  recording_id  TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
  instrument_id TEXT NOT NULL,
  seq           INTEGER NOT NULL CHECK (seq >= 0),
  first_ts      INTEGER NOT NULL,
  last_ts       INTEGER NOT NULL,
  count         INTEGER NOT NULL CHECK (count > 0),
  level_count   INTEGER NOT NULL CHECK (level_count >= 0),
  ts            BLOB NOT NULL,
  snapshot      BLOB NOT NULL,
  bid_counts    BLOB NOT NULL,
  ask_counts    BLOB NOT NULL,
  levels        BLOB NOT NULL,
  CHECK (first_ts <= last_ts),
  CHECK (length(ts) = 8 * count AND length(snapshot) = count AND length(bid_counts) = 4 * count
         AND length(ask_counts) = 4 * count AND length(levels) = 16 * level_count),
  PRIMARY KEY (recording_id, instrument_id, seq)
) STRICT;
