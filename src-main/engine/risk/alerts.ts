import type { RiskAlertDto } from '../../../src-shared/contract/schemas';
import type { EventBus } from '../bus/types';
import type { Clock } from '../clock/clock';
import type { Logger } from '../ops/logger';

export interface AlertRaiserOptions {
  /** `source` of every alert, e.g. 'risk' or 'position-sync'. */
  source: string;
  clock: Pick<Clock, 'now'>;
  bus?: Pick<EventBus, 'publish'>;
  store?: { riskEvents: { insert(alert: RiskAlertDto): boolean } };
  logger?: Logger;
  /** Alert ids; the default is deterministic on the clock, so replays repeat exactly. */
  idFactory?: () => string;
}

/** Raises risk alerts: stored in risk_events first (the audit trail), then published as `risk_alert`. */
export class AlertRaiser {
  private readonly nextId: () => string;

  constructor(private readonly options: AlertRaiserOptions) {
    let seq = 0;
    this.nextId = options.idFactory ?? (() => `${options.source}-${options.clock.now()}-${++seq}`);
  }

  raise(severity: RiskAlertDto['severity'], code: string, message: string, instrumentId: string | null, details?: Record<string, unknown>): RiskAlertDto {
    const alert: RiskAlertDto = { id: this.nextId(), severity, source: this.options.source, code, message, instrumentId, ts: this.options.clock.now() };
    if (details !== undefined) alert.details = details;
    try {
      this.options.store?.riskEvents.insert(alert);
    } catch (error) {
      // an alert that cannot be stored must still reach the trader
      this.options.logger?.error('risk event could not be stored', { code, error: error instanceof Error ? error.message : String(error) });
    }
    this.options.bus?.publish('risk_alert', alert);
    return alert;
  }
}
