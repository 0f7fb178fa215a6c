import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { PositionDto } from '../../../src-shared/contract/schemas';
import { useApp } from '../../app/app-context';
import { formatPriceNumber } from '../../lib/format';
import { EmptyState, ErrorText } from '../../ui/Panel';
import { marketKey } from '../market/market-store';
import { positionKey } from '../positions/positions-store';
import { ChartController, type ChartSummary, type PriceLineSpec } from './chart-controller';
import { TIMEFRAMES } from './chart-store';

const SECTIONS = ['S1', 'O1', 'Z1', 'ZE1', 'E1'] as const;

/** The lines drawn for an open position; values the engine does not know yet are left out. */
export function positionPriceLines(position: PositionDto | undefined): PriceLineSpec[] {
  if (position === undefined || position.side === 'FLAT') return [];
  const lines: PriceLineSpec[] = [];
  const add = (kind: PriceLineSpec['kind'], value: string | null): void => {
    const price = value === null ? Number.NaN : Number(value);
    if (Number.isFinite(price) && price > 0) lines.push({ kind, price });
  };
  add('entry', position.averageEntryPrice);
  add('stopLoss', position.stopLoss);
  add('takeProfit', position.takeProfit);
  add('liquidation', position.liquidationPrice);
  return lines;
}

export function TradingChart() {
  const { chart: chartStore, signals: signalsStore, focus, recordings, market, positions, ticks, sessions, ui } = useApp();
  const candles = useStore(chartStore, (state) => state.candles);
  const untilTs = useStore(chartStore, (state) => state.untilTs);
  const live = useStore(chartStore, (state) => state.live);
  const loadSeq = useStore(chartStore, (state) => state.loadSeq);
  const timeframe = useStore(chartStore, (state) => state.timeframe);
  const loading = useStore(chartStore, (state) => state.loading);
  const error = useStore(chartStore, (state) => state.error);
  const signals = useStore(signalsStore, (state) => state.items);
  const sessionId = useStore(focus, (state) => state.sessionId);
  const instrumentId = useStore(focus, (state) => state.instrumentId);
  const recordingId = useStore(focus, (state) => state.recordingId);
  const recordingName = useStore(recordings, (state) => state.items.find((item) => item.id === recordingId)?.name ?? null);
  const sessionName = useStore(sessions, (state) => (sessionId === null ? null : (state.byId[sessionId]?.name ?? null)));
  const sessionKind = useStore(sessions, (state) => (sessionId === null ? null : (state.byId[sessionId]?.kind ?? null)));
  const replayed = sessionKind === 'backtest' || sessionKind === 'paper';
  const lastTrade = useStore(market, (state) => (instrumentId === null ? undefined : state.lastTrade[marketKey(replayed ? sessionId : null, instrumentId)]));
  const position = useStore(positions, (state) => (sessionId === null || instrumentId === null ? undefined : state.byKey[positionKey({ sessionId, instrumentId })]));

  const containerRef = useRef<HTMLDivElement>(null);
  const controllerRef = useRef<ChartController | null>(null);
  const [summary, setSummary] = useState<ChartSummary | null>(null);
  const fitKey = useRef('');

  const shownSignals = useMemo(
    () => (sessionId === null ? [] : signals.filter((signal) => signal.sessionId === sessionId && signal.instrumentId === instrumentId)),
    [signals, sessionId, instrumentId],
  );
  const priceLines = useMemo(() => positionPriceLines(position), [position]);

  useEffect(() => {
    const container = containerRef.current;
    if (container === null) return;
    const controller = new ChartController(container, setSummary);
    controllerRef.current = controller;
    const unsubscribe = ticks.subscribe((data, publishedAt) => controller.onTick(data, publishedAt));
    return () => {
      unsubscribe();
      controllerRef.current = null;
      controller.dispose();
    };
  }, [ticks]);

  useEffect(() => {
    // a new source or timeframe fits the view; a resync of the same one keeps the trader's zoom
    const key = `${sessionId ?? ''}|${recordingId ?? ''}|${instrumentId ?? ''}|${timeframe}`;
    const fit = key !== fitKey.current && candles.length > 0;
    if (fit) fitKey.current = key;
    controllerRef.current?.setHistory({ instrumentId, replaySessionId: replayed ? sessionId : null, timeframe, candles, untilTs, live, fit });
    // loadSeq: a reload with an equal answer must still reset the live bars
  }, [candles, untilTs, live, timeframe, instrumentId, sessionId, recordingId, loadSeq, replayed]);

  useEffect(() => {
    controllerRef.current?.setSignals(shownSignals);
  }, [shownSignals]);

  useEffect(() => {
    controllerRef.current?.setPriceLines(priceLines);
  }, [priceLines]);

  const fitRequest = useStore(ui, (state) => state.chartFitRequest);
  useEffect(() => {
    if (fitRequest > 0) controllerRef.current?.fit();
  }, [fitRequest]);

  const counts = summary?.markers.counts;
  const bars = summary?.bars ?? 0;
  return (
    <section className="panel panel-chart">
      <header className="panel-header chart-header">
        <h2 className="panel-title chart-symbol" title={sessionName ?? recordingName ?? undefined}>
          {instrumentId ?? 'No instrument'}
        </h2>
        {live ? (
          <span className="badge badge-live" title="Bars grow from the replay's market data as it arrives" data-testid="chart-live">
            LIVE
          </span>
        ) : null}
        {lastTrade !== undefined ? (
          <span className={`chart-last mono ${lastTrade.side === 'buy' ? 'positive' : 'negative'}`} title="last trade">
            {formatPriceNumber(lastTrade.price)}
          </span>
        ) : null}
        <div className="chart-legend" aria-label="marker counts" title={`${bars} bars, times in UTC`}>
          {SECTIONS.map((section) => (
            <span key={section} className={`legend-item legend-${section.toLowerCase()}`}>
              {section} {counts?.[section] ?? 0}
            </span>
          ))}
        </div>
        <button type="button" className="button button-small chart-fit" onClick={() => ui.getState().fitChart()} title="Show every bar (f)" data-testid="chart-fit">
          Fit
        </button>
        <div className="panel-actions segmented segmented-small" role="radiogroup" aria-label="Timeframe ([ and ])">
          {TIMEFRAMES.map((option) => (
            <button
              key={option}
              type="button"
              role="radio"
              aria-checked={timeframe === option}
              className={`segment${timeframe === option ? ' is-active' : ''}`}
              onClick={() => void chartStore.getState().setTimeframe(option)}
              data-testid={`timeframe-${option}`}
            >
              {option}
            </button>
          ))}
        </div>
      </header>
      <div className="chart-stage">
        <div ref={containerRef} className="chart-canvas" data-testid="trading-chart" data-timeframe={timeframe} data-loading={loading ? 'true' : 'false'} data-live={live ? 'true' : 'false'} />
        {bars === 0 ? (
          <div className="chart-overlay">
            {error !== null ? (
              <ErrorText>{error}</ErrorText>
            ) : loading ? (
              <EmptyState>Loading candles…</EmptyState>
            ) : recordingId === null && sessionId !== null ? (
              // online sessions replay no recording, and the engine offers no candle history for them yet
              <EmptyState>No chart for live-feed sessions yet: the engine keeps no candle history for them.</EmptyState>
            ) : recordingId === null ? (
              <EmptyState>Import a recording or pick a session to see its chart.</EmptyState>
            ) : live ? (
              <EmptyState>Waiting for the replay’s first trades…</EmptyState>
            ) : (
              <EmptyState>No trades in this recording for {instrumentId}.</EmptyState>
            )}
          </div>
        ) : null}
      </div>
    </section>
  );
}
