import { describe, expect, test } from 'vitest';
import { serveSocketUrl, takeServeToken, TOKEN_STORAGE_KEY, type TokenEnvironment } from './token';

function environment(href: string, stored: Record<string, string> = {}) {
  const storage = new Map(Object.entries(stored));
  const replaced: string[] = [];
  const env: TokenEnvironment = {
    location: { href },
    history: { state: null, replaceState: (_state: unknown, _unused: string, url?: string | URL | null) => replaced.push(String(url)) },
    storage: { getItem: (key) => storage.get(key) ?? null, setItem: (key, value) => storage.set(key, value) },
  };
  return { env, storage, replaced };
}

describe('serve token', () => {
  test('moves the token from the address bar into session storage', () => {
    const { env, storage, replaced } = environment('http://127.0.0.1:4000/?token=abc123&view=chart#top');
    expect(takeServeToken(env)).toBe('abc123');
    expect(storage.get(TOKEN_STORAGE_KEY)).toBe('abc123');
    expect(replaced).toEqual(['/?view=chart#top']);
  });

  test('uses the stored token after a reload without touching the address bar', () => {
    const { env, replaced } = environment('http://127.0.0.1:4000/', { [TOKEN_STORAGE_KEY]: 'kept' });
    expect(takeServeToken(env)).toBe('kept');
    expect(replaced).toEqual([]);
  });

  test('returns null when there is no token anywhere', () => {
    expect(takeServeToken(environment('http://127.0.0.1:4000/').env)).toBeNull();
  });

  test('builds the socket URL on the page host with the token encoded', () => {
    expect(serveSocketUrl('http://127.0.0.1:4000/index.html', 'a b/c')).toBe('ws://127.0.0.1:4000/ws?token=a%20b%2Fc');
    expect(serveSocketUrl('https://localhost:8443/', 't')).toBe('wss://localhost:8443/ws?token=t');
  });
});
