import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { defaultSettings } from '../../../src-shared/contract/settings';
import { loadSettings } from '../store/settings-file';
import { SettingsService } from './settings-service';

let dir: string;
let file: string;
let service: SettingsService;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'surge-settings-'));
  file = path.join(dir, 'settings.json');
  service = new SettingsService(file, loadSettings(file));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('settings service', () => {
  test('reads the settings with nothing pending', () => {
    expect(service.view()).toEqual({ ok: true, value: { settings: defaultSettings(), restartRequired: false } });
  });

  test('refuses an invalid patch naming request.patch paths and leaves the file untouched', () => {
    const before = readFileSync(file, 'utf8');
    const result = service.update({ risk: { maxOpenPositions: 0 }, paper: { slippageBps: -1 } });
    expect(result).toMatchObject({ ok: false, error: { type: 'validation', paths: ['request.patch.risk.maxOpenPositions', 'request.patch.paper.slippageBps'] } });
    if (!result.ok) expect(result.error.message).toBe('request.patch.risk.maxOpenPositions: must be ≥ 1 (got 0); request.patch.paper.slippageBps: must be ≥ 0 (got -1)');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(service.update({ risk: { maxOpenPositons: 2 } })).toMatchObject({ ok: false, error: { paths: ['request.patch.risk.maxOpenPositons'] } });
  });

  test('saves a valid patch and says a restart is needed for limits services hold, not for alert sounds', () => {
    const sound = service.update({ alerts: { sound: false } });
    expect(sound).toMatchObject({ ok: true, value: { restartRequired: false, settings: { alerts: { sound: false } } } });
    const risk = service.update({ risk: { maxOpenPositions: 2 } });
    expect(risk).toMatchObject({ ok: true, value: { restartRequired: true, settings: { risk: { maxOpenPositions: 2 } } } });
    expect(loadSettings(file).risk.maxOpenPositions).toBe(2);
    expect(loadSettings(file).alerts.sound).toBe(false);
  });
});
