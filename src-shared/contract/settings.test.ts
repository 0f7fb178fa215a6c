import { describe, expect, test } from 'vitest';
import { defaultSettings, mergeSettings, SettingsSchema, validateSettings } from './settings';

describe('settings schema', () => {
  test('parses an empty object to the documented defaults', () => {
    const settings = SettingsSchema.parse({});
    expect(settings.risk).toEqual({
      maxPositionPctOfCapital: 10,
      maxOpenPositions: 3,
      maxSymbolConcentrationPct: 30,
      maxDailyLossPct: 5,
      maxDrawdownPct: 15,
      maxMarginUtilizationPct: 80,
      maxLeverage: 10,
      consecutiveLossCooldown: { enabled: true, losses: 3, minutes: 60 },
      maxOrderNotional: '100',
      maxTotalExposure: '300',
    });
    expect(settings.orderManager).toMatchObject({ maxQueue: 1000, orderTtlMs: 300_000, retries: 3, retryBaseDelayMs: 1000, statusPollIntervalMs: 2000, cleanupIntervalMs: 300_000 });
    expect(settings.circuitBreaker).toEqual({ failureThreshold: 5, failureWindowMs: 60_000, halfOpenAfterMs: 30_000 });
    expect(settings.bus.retryDelaysMs).toEqual([1000, 2000, 4000]);
    expect(settings.positionSync).toEqual({ intervalMs: 10_000, liquidationWarningPct: 25, liquidationCriticalPct: 15 });
    expect(settings.feed.stalenessMs).toBe(10_000);
    expect(settings.rateLimits.venueRequestsPerSecond).toBe(10);
    expect(settings.strategy.signalSlots).toBe(3);
    expect(settings.metrics).toEqual({ enabled: false, port: 9464 });
    expect(settings.questdb.enabled).toBe(false);
    expect(settings.alerts.sound).toBe(true);
  });

  test('fills the rest of a group when a file sets only one value', () => {
    const settings = SettingsSchema.parse({ risk: { maxOpenPositions: 1 } });
    expect(settings.risk.maxOpenPositions).toBe(1);
    expect(settings.risk.maxDailyLossPct).toBe(5);
    expect(settings.risk.consecutiveLossCooldown.losses).toBe(3);
  });

  test('gives every call its own copy of the defaults', () => {
    const first = defaultSettings();
    first.bus.retryDelaysMs.push(8000);
    expect(defaultSettings().bus.retryDelaysMs).toEqual([1000, 2000, 4000]);
  });

  test('names each failing field with its problem and the value it got', () => {
    const result = validateSettings({ risk: { maxOpenPositions: 0, maxDailyLossPct: 120, maxOrderNotional: 100 }, bus: { retryDelaysMs: [1000, -1] } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain('risk.maxOpenPositions: must be ≥ 1 (got 0)');
    expect(result.error.message).toContain('risk.maxDailyLossPct: must be ≤ 100 (got 120)');
    expect(result.error.message).toContain('risk.maxOrderNotional: must be a string (got 100)');
    expect(result.error.message).toContain('bus.retryDelaysMs[1]: must be ≥ 0 (got -1)');
    expect(result.error.paths).toEqual(['risk.maxOpenPositions', 'risk.maxDailyLossPct', 'risk.maxOrderNotional', 'bus.retryDelaysMs[1]']);
  });

  test('refuses unknown keys so a misspelt limit never falls back to its default silently', () => {
    const result = validateSettings({ risk: { maxOpenPosition: 1 } });
    expect(result.ok ? '' : result.error.message).toBe('risk.maxOpenPosition: unknown setting (check the spelling)');
  });

  test('refuses whole numbers that are not whole, enums outside their values and inconsistent thresholds', () => {
    const result = validateSettings({ orderManager: { retries: 2.5 }, logging: { level: 'loud' }, positionSync: { liquidationCriticalPct: 30 } });
    const message = result.ok ? '' : result.error.message;
    expect(message).toContain('orderManager.retries: must be a whole number (got 2.5)');
    expect(message).toContain('logging.level: must be one of "debug", "info", "warn", "error" (got "loud")');
    expect(message).toContain('positionSync.liquidationCriticalPct: must be below liquidationWarningPct');
  });

  test('merges a patch key by key and replaces arrays', () => {
    const merged = mergeSettings(defaultSettings(), { risk: { maxOpenPositions: 1 }, bus: { retryDelaysMs: [500] } });
    const settings = SettingsSchema.parse(merged);
    expect(settings.risk.maxOpenPositions).toBe(1);
    expect(settings.risk.maxDailyLossPct).toBe(5);
    expect(settings.bus.retryDelaysMs).toEqual([500]);
  });
});
