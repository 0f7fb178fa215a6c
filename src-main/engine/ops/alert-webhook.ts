import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { EventPayload, Topic } from '../../../src-shared/contract/events';
import { parse } from '../../../src-shared/contract/parse';
import { ok, type Result } from '../../../src-shared/contract/result';
import { Severity, type RiskAlertDto } from '../../../src-shared/contract/schemas';
import type { Clock } from '../clock/clock';
import type { Logger } from './logger';

/** Where Alertmanager's webhook receiver posts (monitoring/alertmanager.yml). */
export const ALERT_WEBHOOK_PATH = '/api/alerts/webhook';

const text = z.string().max(8_192);
const labelSet = z.record(z.string().max(256), text);

/** One alert in an Alertmanager webhook notification (payload version 4). */
export const AlertmanagerAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: z.object({ alertname: z.string().min(1).max(256) }).catchall(text),
  annotations: labelSet,
  startsAt: z.string().max(64),
  endsAt: z.string().max(64),
  generatorURL: z.string().max(4_096),
  fingerprint: z.string().min(1).max(128),
});

/**
 * Alertmanager's webhook body, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
 * Not strict: Alertmanager may add fields in later versions, and what is not read is not trusted.
 */
export const AlertmanagerWebhookSchema = z.object({
  version: z.literal('4'),
  groupKey: z.string().max(8_192),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(256),
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet,
  externalURL: z.string().max(4_096),
  // Alertmanager's max_alerts; one notification never needs more, and the bound caps the work
  alerts: z.array(AlertmanagerAlertSchema).max(1_000),
});
export type AlertmanagerWebhook = z.output<typeof AlertmanagerWebhookSchema>;
type AlertmanagerAlert = z.output<typeof AlertmanagerAlertSchema>;

export interface AlertWebhookOutcome {
  /** Alerts in the notification (firing and resolved). */
  accepted: number;
  /** Firing alerts that became a new risk_alert. */
  raised: number;
  /** Resolved alerts, acknowledged in the log. */
  resolved: number;
}

export interface AlertWebhookServiceOptions {
  clock: Clock;
  logger: Logger;
  publish: <T extends Topic>(topic: T, payload: EventPayload<T>) => void;
  /** Firing alerts remembered to recognise a re-sent one; the oldest is forgotten first. */
  maxTracked?: number;
  idFactory?: () => string;
}

const MAX_MESSAGE_LENGTH = 500;

/**
 * Turns Alertmanager notifications into the engine's own risk alerts (ARCHITECTURE §3: ops →
 * risk_alert → alert router → tray, sound, UI). The payload is parsed before anything acts, so
 * a malformed notification changes nothing.
 *
 * Alertmanager re-sends a group's firing alerts whenever the group changes and on every
 * repeat_interval; the trader hears about one occurrence (fingerprint + startsAt) once. Once it
 * resolves, a new occurrence is news again.
 */
export class AlertWebhookService {
  private readonly firing = new Map<string, string>(); // fingerprint → startsAt of the occurrence raised
  private readonly maxTracked: number;
  private readonly idFactory: () => string;

  constructor(private readonly options: AlertWebhookServiceOptions) {
    this.maxTracked = options.maxTracked ?? 1_000;
    this.idFactory = options.idFactory ?? randomUUID;
  }

  async ingest(payload: unknown): Promise<Result<AlertWebhookOutcome>> {
    const parsed = parse(AlertmanagerWebhookSchema, payload, 'payload');
    if (!parsed.ok) {
      this.options.logger.warn('refused an Alertmanager notification', { problem: parsed.error.message.slice(0, 500) });
      return parsed;
    }
    const notification = parsed.value;
    let raised = 0;
    let resolved = 0;
    for (const alert of notification.alerts) {
      if (alert.status === 'resolved') {
        resolved++;
        this.firing.delete(alert.fingerprint);
        this.options.logger.info('Alertmanager alert resolved', { alertname: alert.labels.alertname, fingerprint: alert.fingerprint, endsAt: alert.endsAt });
        continue;
      }
      if (this.firing.get(alert.fingerprint) === alert.startsAt) continue;
      this.remember(alert);
      this.options.publish('risk_alert', this.toRiskAlert(alert, notification));
      raised++;
    }
    if (notification.truncatedAlerts !== undefined && notification.truncatedAlerts > 0) {
      this.options.logger.warn('Alertmanager truncated a notification', { truncatedAlerts: notification.truncatedAlerts, groupKey: notification.groupKey });
    }
    return ok({ accepted: notification.alerts.length, raised, resolved });
  }

  private remember(alert: AlertmanagerAlert): void {
    this.firing.delete(alert.fingerprint);
    this.firing.set(alert.fingerprint, alert.startsAt);
    if (this.firing.size > this.maxTracked) {
      const oldest = this.firing.keys().next();
      if (oldest.done !== true) this.firing.delete(oldest.value);
    }
  }

  private toRiskAlert(alert: AlertmanagerAlert, notification: AlertmanagerWebhook): RiskAlertDto {
    const { alertname, severity: severityLabel, instrument, symbol } = alert.labels;
    const severity = Severity.safeParse(severityLabel);
    const summary = alert.annotations['summary'];
    const description = alert.annotations['description'];
    const message = summary ?? description ?? alertname;
    return {
      id: this.idFactory(),
      // an alert without a severity the app knows is still worth a look, not a page
      severity: severity.success ? severity.data : 'warning',
      source: 'alertmanager',
      code: alertname,
      message: message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : message,
      instrumentId: instrument ?? symbol ?? null,
      details: {
        fingerprint: alert.fingerprint,
        startsAt: alert.startsAt,
        labels: alert.labels,
        ...(description !== undefined && description !== message ? { description } : {}),
        ...(alert.generatorURL !== '' ? { generatorURL: alert.generatorURL } : {}),
        receiver: notification.receiver,
      },
      ts: this.options.clock.now(),
    };
  }
}
