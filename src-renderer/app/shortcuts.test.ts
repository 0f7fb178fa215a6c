import { describe, expect, test } from 'vitest';
import { SHORTCUTS, shortcutFor, type KeyPress } from './shortcuts';

const press = (key: string, overrides: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, altKey: false, inEditable: false, ...overrides });

describe('keyboard shortcuts', () => {
  test('number keys switch screens and letters run their actions', () => {
    expect(shortcutFor(press('1'))).toEqual({ type: 'screen', screen: 'trade' });
    expect(shortcutFor(press('5'))).toEqual({ type: 'screen', screen: 'settings' });
    expect(shortcutFor(press('b'))).toEqual({ type: 'backtest' });
    expect(shortcutFor(press('l'))).toEqual({ type: 'live-panel' });
    expect(shortcutFor(press(']'))).toEqual({ type: 'timeframe', step: 1 });
    expect(shortcutFor(press('K'))).toEqual({ type: 'kill-switch' });
    expect(shortcutFor(press('k'))).toBeNull();
    expect(shortcutFor(press('?'))).toEqual({ type: 'help' });
  });

  test('typing in a field is never taken over, except Esc which closes dialogs', () => {
    expect(shortcutFor(press('1', { inEditable: true }))).toBeNull();
    expect(shortcutFor(press('b', { inEditable: true }))).toBeNull();
    expect(shortcutFor(press('Escape', { inEditable: true }))).toEqual({ type: 'close' });
  });

  test('leaves modified keys to the browser and the OS', () => {
    expect(shortcutFor(press('1', { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(press('a', { metaKey: true }))).toBeNull();
    expect(shortcutFor(press('b', { altKey: true }))).toBeNull();
  });

  test('the help overlay lists every key the handler answers to', () => {
    const listed = SHORTCUTS.flatMap((shortcut) => shortcut.keys.split(' / ')).map((key) => (key === 'Shift+K' ? 'K' : key === 'Esc' ? 'Escape' : key));
    for (const key of listed) expect(shortcutFor(press(key)), key).not.toBeNull();
  });
});
