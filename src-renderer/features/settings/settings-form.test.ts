import { describe, expect, test } from 'vitest';
import { defaultSettings } from '../../../src-shared/contract/settings';
import { checkForm, engineProblems, humanize, settingsFields, toInput, valueAt } from './settings-form';

describe('settings form', () => {
  const fields = settingsFields();
  const byPath = new Map(fields.map((field) => [field.path, field]));

  test('has a field for every setting, with an input that fits its type', () => {
    expect(byPath.get('risk.maxOpenPositions')).toMatchObject({ group: 'risk', label: 'Max open positions', kind: { type: 'number' } });
    expect(byPath.get('risk.consecutiveLossCooldown.enabled')).toMatchObject({ subgroup: 'Consecutive loss cooldown', kind: { type: 'boolean' } });
    expect(byPath.get('logging.level')?.kind).toEqual({ type: 'enum', options: ['debug', 'info', 'warn', 'error'], nullable: false });
    expect(byPath.get('paper.makerFee')?.kind).toEqual({ type: 'string', nullable: true });
    expect(byPath.get('bus.retryDelaysMs')?.kind).toEqual({ type: 'number-list' });
    expect(byPath.get('firstRun.demo')?.kind).toEqual({ type: 'boolean' });
    const leaves = (value: unknown): number => (typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.values(value).reduce<number>((sum, child) => sum + leaves(child), 0) : 1);
    expect(fields).toHaveLength(leaves(defaultSettings()));
  });

  test('sends only what changed, and checks it with the engine’s own rules before sending', () => {
    const settings = defaultSettings();
    // the form filled with the current values changes nothing
    const unchanged = Object.fromEntries(fields.map((field) => [field.path, toInput(field.kind, valueAt(settings, field.path))]));
    expect(checkForm(fields, settings, unchanged)).toEqual({ patch: {}, changed: 0, problems: {} });
    const good = checkForm(fields, settings, { 'risk.maxOpenPositions': '2', 'alerts.sound': false, 'bus.retryDelaysMs': '500, 1000' });
    expect(good).toEqual({ patch: { risk: { maxOpenPositions: 2 }, alerts: { sound: false }, bus: { retryDelaysMs: [500, 1000] } }, changed: 3, problems: {} });
    const bad = checkForm(fields, settings, { 'risk.maxOpenPositions': '0', 'paper.slippageBps': 'lots' });
    expect(bad.problems).toEqual({ 'risk.maxOpenPositions': 'must be ≥ 1 (got 0)', 'paper.slippageBps': 'must be a number' });
  });

  test('puts an engine error next to the field it names', () => {
    expect(engineProblems('request.patch.risk.maxOpenPositions: must be ≥ 1 (got 0)', ['request.patch.risk.maxOpenPositions'])).toEqual({ 'risk.maxOpenPositions': 'must be ≥ 1 (got 0)' });
    expect(engineProblems('the settings file cannot be read', ['settings'])).toEqual({ settings: 'the settings file cannot be read' });
  });

  test('reads setting names as words with their units', () => {
    expect(humanize('orderTtlMs')).toBe('Order ttl (ms)');
    expect(humanize('maxDailyLossPct')).toBe('Max daily loss (%)');
  });
});
