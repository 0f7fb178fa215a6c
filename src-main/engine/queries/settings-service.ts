import type { PartialHandlers } from '../../../src-shared/contract/commands';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import { mergeSettings, validateSettings, type Settings, type SettingsPatch } from '../../../src-shared/contract/settings';
import type { SettingsViewDto } from '../../../src-shared/contract/ui-commands';
import { loadSettings, SettingsError, updateSettings } from '../store/settings-file';

/**
 * Groups nothing in the engine holds on to: the renderer reads them with settings.get and applies
 * them at once (alert sounds). Every other group is injected into services at construction.
 */
const LIVE_GROUPS: ReadonlySet<keyof Settings> = new Set(['alerts']);

/**
 * settings.get / settings.update over the settings file. Services read their limits once, at
 * construction, so a saved change reaches them on the next start; the answer says when one is
 * pending rather than pretending it already applies.
 */
export class SettingsService {
  constructor(
    private readonly filePath: string,
    /** What the running engine was built with. */
    private readonly running: Settings,
  ) {}

  view(): Result<SettingsViewDto> {
    try {
      return ok(this.describe(loadSettings(this.filePath)));
    } catch (error) {
      if (error instanceof SettingsError) return err('validation', error.message, error.paths.length > 0 ? error.paths : ['settings']);
      throw error;
    }
  }

  update(patch: Record<string, unknown>): Result<SettingsViewDto> {
    let current: Settings;
    try {
      current = loadSettings(this.filePath);
    } catch (error) {
      if (error instanceof SettingsError) return err('conflict', `the settings file cannot be read, so it was not changed: ${error.message}`, ['settings']);
      throw error;
    }
    // validated here first so each problem names the request field the trader typed into
    const checked = validateSettings(mergeSettings(current, patch));
    if (!checked.ok) {
      const paths = (checked.error.paths ?? ['(root)']).map((path) => (path === '(root)' ? 'request.patch' : `request.patch.${path}`));
      const message = checked.error.message
        .split('; ')
        .map((line) => (line.startsWith('(root)') ? `request.patch${line.slice('(root)'.length)}` : `request.patch.${line}`))
        .join('; ');
      return err('validation', message, paths);
    }
    return ok(this.describe(updateSettings(this.filePath, patch as SettingsPatch)));
  }

  handlers(): PartialHandlers {
    return {
      'settings.get': async () => this.view(),
      'settings.update': async ({ patch }) => this.update(patch),
    };
  }

  private describe(settings: Settings): SettingsViewDto {
    const groups = Object.keys(settings) as Array<keyof Settings>;
    const restartRequired = groups.some((group) => !LIVE_GROUPS.has(group) && JSON.stringify(settings[group]) !== JSON.stringify(this.running[group]));
    return { settings, restartRequired };
  }
}
