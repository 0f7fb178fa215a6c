import type { Clock } from '../clock/clock';
import type { Account } from '../execution/accounting';
import type { CircuitBreaker } from '../execution/circuit-breaker';
import type { OrderManager } from '../execution/order-manager';
import type { Logger } from '../ops/logger';
import type { Venue, VenuePosition } from '../venues/venue';
import type { RiskManager } from './risk-manager';

export interface KillSwitchReport {
  /** Orders cancelled (or being cancelled) by this activation. */
  cancelledOrders: number;
  /** Close orders this activation submitted. */
  closeOrders: number;
  /** Positions already closing (reduce-only orders working) or flat: nothing new was sent for them. */
  alreadyClosing: number;
  /** Close orders refused (by risk or the order manager), with the reason. */
  failures: string[];
  /** Whether the venue's positions were read (else only the local book was flattened). */
  venuePositionsRead: boolean;
  ts: number;
}

export interface KillSwitchOptions {
  risk: RiskManager;
  orders: OrderManager;
  account: Account;
  clock: Clock;
  /** When given, the venue's positions are flattened too (opened outside the app, or unknown locally). */
  venue?: Venue;
  breaker?: CircuitBreaker;
  logger?: Logger;
  /**
   * Severity of this kill switch's own report (default critical). A session's kill switch engaged
   * by the engine-wide control reports as info: the control raises the one critical alert the
   * trader hears, with the totals over all sessions.
   */
  reportSeverity?: 'critical' | 'info';
}

/**
 * The kill switch (button, tray menu, hotkey): halts trading, cancels every working order and
 * flattens every position with reduce-only market orders. Idempotent: a second activation while
 * the first runs shares its result, and a later one sends nothing for positions whose close
 * orders are still working (the order manager sizes closes net of working reduce-only orders).
 * Trading stays HALTED until the trader sets it ACTIVE again.
 */
export class KillSwitch {
  private running: Promise<KillSwitchReport> | null = null;
  private activations = 0;

  constructor(private readonly options: KillSwitchOptions) {}

  get activationCount(): number {
    return this.activations;
  }

  engage(reason = 'kill_switch'): Promise<KillSwitchReport> {
    if (this.running !== null) return this.running;
    this.running = this.run(reason).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(reason: string): Promise<KillSwitchReport> {
    const { risk, orders, account, clock } = this.options;
    this.activations++;
    risk.haltForKillSwitch(reason);
    const report: KillSwitchReport = { cancelledOrders: 0, closeOrders: 0, alreadyClosing: 0, failures: [], venuePositionsRead: false, ts: clock.now() };

    const cancelled = await orders.cancelAll({ reason, keepReduceOnly: true });
    report.cancelledOrders = cancelled.length;

    const targets = new Map<string, { side: 'LONG' | 'SHORT'; quantity: string | null; markPrice: string | null; leverage: number }>();
    for (const position of account.openPositions()) {
      if (position.side === 'FLAT') continue;
      targets.set(position.instrumentId, { side: position.side, quantity: null, markPrice: position.markPrice?.toString() ?? null, leverage: position.leverage });
    }
    const venuePositions = await this.readVenuePositions();
    if (venuePositions !== null) {
      report.venuePositionsRead = true;
      for (const position of venuePositions) {
        if (position.side === 'FLAT' || !position.quantity.isPositive()) continue;
        const local = account.position(position.instrumentId);
        if (local === null || local.side !== position.side || !local.quantity.eq(position.quantity)) {
          // the close fill must net to zero in the local book too: take over the exchange's position first (as PositionSync.flatten does)
          account.adoptPosition({
            instrumentId: position.instrumentId, side: position.side, quantity: position.quantity, entryPrice: position.entryPrice ?? position.markPrice,
            leverage: position.leverage, margin: position.margin, ts: clock.now(),
          });
        }
        // the exchange's quantity is the truth; the local book only fills in what it cannot read
        targets.set(position.instrumentId, {
          side: position.side, quantity: position.quantity.toString(), markPrice: position.markPrice?.toString() ?? position.entryPrice?.toString() ?? null, leverage: position.leverage,
        });
      }
    }
    for (const [instrumentId, target] of targets) {
      const outcome = await orders.closePosition({
        instrumentId, side: target.side, reason, emergency: true, leverage: target.leverage,
        ...(target.quantity === null ? {} : { quantity: target.quantity }),
        ...(target.markPrice === null ? {} : { referencePrice: target.markPrice }),
      });
      if (outcome === null) report.alreadyClosing++;
      else if (outcome.accepted) report.closeOrders++;
      else report.failures.push(`${instrumentId}: ${outcome.denial.message}`);
    }
    risk.raise(this.options.reportSeverity ?? 'critical', 'kill_switch', `Kill switch engaged: ${report.cancelledOrders} order(s) cancelled, ${report.closeOrders} close order(s) sent; trading halted until resumed`, null, {
      ...report, failures: report.failures.join('; '),
    });
    this.options.logger?.warn('kill switch engaged', { ...report });
    return report;
  }

  private async readVenuePositions(): Promise<VenuePosition[] | null> {
    const { venue, breaker } = this.options;
    if (venue === undefined) return null;
    try {
      return breaker === undefined ? await venue.fetchPositions() : await breaker.execute(() => venue.fetchPositions());
    } catch (error) {
      this.options.logger?.warn('kill switch could not read venue positions; flattening the local book', { error: error instanceof Error ? error.message : String(error) });
      return null;
    }
  }
}
