import type { PartialHandlers } from '../../../src-shared/contract/commands';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import type { AlertRecordDto } from '../../../src-shared/contract/ui-commands';
import type { Clock } from '../clock/clock';
import type { AlertDismissalRepository } from '../store/alert-dismissals';
import type { Store } from '../store/store';

/**
 * The trader's side of risk alerts: the recent list with what was already seen, acknowledging
 * (seen, stays listed) and dismissing (seen and hidden; the journal keeps it). Alerts live in
 * risk_events, so all of this survives a restart.
 */
export class AlertActions {
  constructor(
    private readonly store: Store,
    private readonly dismissals: AlertDismissalRepository,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  recent(limit: number): AlertRecordDto[] {
    const out: AlertRecordDto[] = [];
    for (const id of this.dismissals.visibleAlertIds(limit)) {
      const record = this.record(id);
      if (record !== null) out.push(record);
    }
    return out;
  }

  acknowledge(id: string): Result<AlertRecordDto> {
    if (this.store.riskEvents.get(id) === null) return err('not_found', `no alert ${id}`, ['request.id']);
    // acknowledging twice keeps the first time: the audit trail shows when it was first seen
    this.store.riskEvents.acknowledge(id, this.clock.now());
    return this.found(id);
  }

  dismiss(id: string): Result<AlertRecordDto> {
    if (this.store.riskEvents.get(id) === null) return err('not_found', `no alert ${id}`, ['request.id']);
    const now = this.clock.now();
    this.store.transaction(() => {
      this.store.riskEvents.acknowledge(id, now);
      this.dismissals.dismiss(id, now);
    });
    return this.found(id);
  }

  handlers(): PartialHandlers {
    return {
      'alerts.recent': async ({ limit }) => ok(this.recent(limit)),
      'alerts.acknowledge': async ({ id }) => this.acknowledge(id),
      'alerts.dismiss': async ({ id }) => this.dismiss(id),
    };
  }

  private found(id: string): Result<AlertRecordDto> {
    const record = this.record(id);
    return record === null ? err('not_found', `no alert ${id}`, ['request.id']) : ok(record);
  }

  private record(id: string): AlertRecordDto | null {
    const stored = this.store.riskEvents.get(id);
    if (stored === null) return null;
    return { ...stored, dismissedAt: this.dismissals.dismissedAt(id) };
  }
}
