import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { defaultSettings, mergeSettings, validateSettings, type Settings, type SettingsPatch } from '../../../src-shared/contract/settings';

/** A settings file the app cannot use; the message names the file and every problem in it. */
export class SettingsError extends Error {
  override name = 'SettingsError';
  constructor(
    message: string,
    readonly filePath: string,
    /** Failing field paths (e.g. `risk.maxOpenPositions`); empty for a file that is not JSON at all. */
    readonly paths: string[] = [],
  ) {
    super(message);
  }
}

/**
 * Reads and validates the settings file. A missing file is created with the defaults; a file
 * that is not JSON or fails validation throws a SettingsError and is left untouched, so the
 * trader can fix it. Missing keys take their defaults (a file only needs what was changed).
 */
export function loadSettings(filePath: string): Settings {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SettingsError(`cannot read the settings file ${filePath}: ${(error as Error).message}`, filePath);
    }
    const defaults = defaultSettings();
    saveSettings(filePath, defaults);
    return defaults;
  }
  return parseSettingsText(text, filePath);
}

function parseSettingsText(text: string, filePath: string): Settings {
  let json: unknown;
  try {
    // a byte-order mark from a Windows editor is not a JSON error worth refusing to start over
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new SettingsError(`the settings file ${filePath} is not valid JSON: ${(error as Error).message}`, filePath);
  }
  const result = validateSettings(json);
  if (!result.ok) {
    throw new SettingsError(`the settings file ${filePath} is invalid: ${result.error.message}`, filePath, result.error.paths ?? []);
  }
  return result.value;
}

/**
 * Writes the settings atomically: a temporary file in the same folder, flushed to disk, then
 * renamed over the old one, so a crash mid-write leaves either the old or the new file, never half.
 */
export function saveSettings(filePath: string, settings: Settings): void {
  const result = validateSettings(settings);
  if (!result.ok) throw new SettingsError(`refusing to save invalid settings to ${filePath}: ${result.error.message}`, filePath, result.error.paths ?? []);
  const directory = path.dirname(path.resolve(filePath));
  mkdirSync(directory, { recursive: true });
  const temporary = path.join(directory, `.${path.basename(filePath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(result.value, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, filePath);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Deep-merges a patch into the current file's settings (objects key by key, arrays replaced),
 * validates the result and saves it. An invalid result throws a SettingsError naming each
 * failing field and leaves the file as it was.
 */
export function updateSettings(filePath: string, patch: SettingsPatch): Settings {
  const current = loadSettings(filePath);
  const result = validateSettings(mergeSettings(current, patch));
  if (!result.ok) throw new SettingsError(`the settings change was refused: ${result.error.message}`, filePath, result.error.paths ?? []);
  saveSettings(filePath, result.value);
  return result.value;
}
