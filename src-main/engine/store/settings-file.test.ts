import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { defaultSettings } from '../../../src-shared/contract/settings';
import { loadSettings, saveSettings, SettingsError, updateSettings } from './settings-file';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'surge-settings-'));
  file = path.join(dir, 'config', 'settings.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (text: string) => {
  saveSettings(file, defaultSettings()); // creates the folder
  writeFileSync(file, text);
};

describe('settings file', () => {
  test('writes the defaults when the file is missing', () => {
    expect(loadSettings(file)).toEqual(defaultSettings());
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(defaultSettings());
  });

  test('fills in defaults for everything a file leaves out, without rewriting it', () => {
    write('{ "risk": { "maxOpenPositions": 1 } }');
    const settings = loadSettings(file);
    expect(settings.risk.maxOpenPositions).toBe(1);
    expect(settings.orderManager.maxQueue).toBe(1000);
    expect(readFileSync(file, 'utf8')).toBe('{ "risk": { "maxOpenPositions": 1 } }');
  });

  test('names the file and the JSON syntax problem when the file is not JSON', () => {
    write('{ "risk": { "maxOpenPositions": 1, } }');
    expect(() => loadSettings(file)).toThrow(SettingsError);
    expect(() => loadSettings(file)).toThrow(new RegExp(`the settings file ${file.replace(/[\\.]/g, '\\$&')} is not valid JSON: .*(JSON|position|property)`));
  });

  test('names each failing field and leaves an invalid file untouched', () => {
    const text = '{ "risk": { "maxOpenPositions": 0, "maxDrawdownPct": -3 }, "metrics": { "port": 70000 } }';
    write(text);
    let error: unknown;
    try {
      loadSettings(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const settingsError = error as SettingsError;
    expect(settingsError.message).toContain('risk.maxOpenPositions: must be ≥ 1 (got 0)');
    expect(settingsError.message).toContain('risk.maxDrawdownPct: must be > 0 (got -3)');
    expect(settingsError.message).toContain('metrics.port: must be ≤ 65535 (got 70000)');
    expect(settingsError.paths).toEqual(['risk.maxOpenPositions', 'risk.maxDrawdownPct', 'metrics.port']);
    expect(settingsError.filePath).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  test('accepts a file saved with a byte-order mark', () => {
    write('\uFEFF{ "alerts": { "sound": false } }');
    expect(loadSettings(file).alerts.sound).toBe(false);
  });

  test('saves atomically, leaving no temporary file behind', () => {
    const settings = defaultSettings();
    settings.metrics.enabled = true;
    saveSettings(file, settings);
    expect(loadSettings(file).metrics.enabled).toBe(true);
    expect(readdirSync(path.dirname(file))).toEqual(['settings.json']);
  });

  test('refuses to save settings that do not validate', () => {
    const settings = defaultSettings();
    settings.risk.maxOpenPositions = 0;
    expect(() => saveSettings(file, settings)).toThrow(/risk\.maxOpenPositions: must be ≥ 1 \(got 0\)/);
    expect(existsSync(file)).toBe(false);
  });

  test('updates by deep-merging a patch, validating and saving', () => {
    saveSettings(file, defaultSettings());
    const updated = updateSettings(file, { risk: { maxOpenPositions: 2, consecutiveLossCooldown: { minutes: 30 } }, bus: { retryDelaysMs: [500, 1000] } });
    expect(updated.risk.maxOpenPositions).toBe(2);
    expect(updated.risk.consecutiveLossCooldown).toEqual({ enabled: true, losses: 3, minutes: 30 });
    expect(updated.risk.maxDailyLossPct).toBe(5);
    expect(updated.bus.retryDelaysMs).toEqual([500, 1000]);
    expect(loadSettings(file)).toEqual(updated);
  });

  test('refuses an invalid update and leaves the file as it was', () => {
    saveSettings(file, defaultSettings());
    const before = readFileSync(file, 'utf8');
    expect(() => updateSettings(file, { risk: { maxOpenPositions: 0 } })).toThrow(/the settings change was refused: risk\.maxOpenPositions: must be ≥ 1 \(got 0\)/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});
