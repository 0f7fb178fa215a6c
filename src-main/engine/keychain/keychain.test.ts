import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createLogger, memorySink, Redactor } from '../ops/logger';
import { CredentialsService } from './credentials-service';
import { KeyringSecretStore } from './secret-store';

/**
 * Against the real OS keychain. On Linux that is the Secret Service, which a plain `vitest run`
 * in a container does not have: `npm test` runs this file again in its keychain stage, inside a
 * private D-Bus session with GNOME Keyring (tests/keychain/run.mjs), where
 * SURGE_REQUIRE_KEYCHAIN=1 turns a skip into a failure.
 *
 * Entries go under a service of their own per run, never the app's, and are removed afterwards.
 */

const SERVICE = `Surge Workstation Test ${randomUUID()}`;
const store = new KeyringSecretStore({ service: SERVICE });
const availability = await store.available();
const required = process.env['SURGE_REQUIRE_KEYCHAIN'] === '1';
const SKIP_REASON = 'no Secret Service on this bus; run via npm test\'s keychain stage';
const root = path.resolve(import.meta.dirname, '../../..');

if (!availability.ok && !required) console.warn(`keychain tests skipped: ${SKIP_REASON} (${availability.reason ?? 'unavailable'})`);

const API_KEY = `mx0vgl${randomUUID().replaceAll('-', '').slice(0, 14)}wxyz`;
const API_SECRET = randomUUID().replaceAll('-', '');

afterAll(async () => {
  if (!availability.ok) return;
  for (const account of ['round-trip', 'mexc:apiKey', 'mexc:apiSecret']) await store.delete(account).catch(() => false);
});

test.runIf(required)('the keychain stage has a working Secret Service', () => {
  expect(availability).toEqual({ ok: true });
});

describe.skipIf(!availability.ok)(`the real OS keychain${availability.ok ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  test('a secret is stored, read back, replaced and deleted', async () => {
    expect(await store.get('round-trip')).toBeNull();
    await store.set('round-trip', 'first-secret-value');
    expect(await store.get('round-trip')).toBe('first-secret-value');
    await store.set('round-trip', 'second-secret-value');
    expect(await store.get('round-trip')).toBe('second-secret-value');
    expect(await store.delete('round-trip')).toBe(true);
    expect(await store.get('round-trip')).toBeNull();
    expect(await store.delete('round-trip')).toBe(false);
  });

  test('a second store object (another process, a restart) finds what the first stored', async () => {
    await store.set('round-trip', 'survives-a-new-store');
    expect(await new KeyringSecretStore({ service: SERVICE }).get('round-trip')).toBe('survives-a-new-store');
    await store.delete('round-trip');
  });

  test('credentials stored through the service show only the masked hint and never reach a log line', async () => {
    const sink = memorySink();
    const redactor = new Redactor();
    const logger = createLogger('keychain', sink, { redactor });
    const service = new CredentialsService({ store, logger, registerSecret: (value) => redactor.registerSecret(value) });

    const stored = await service.set({ exchange: 'mexc', apiKey: API_KEY, apiSecret: API_SECRET });
    expect(stored).toEqual({ ok: true, value: { available: true, exchanges: [{ exchange: 'mexc', apiKeySet: true, apiKeyHint: '…wxyz' }] } });
    const status = JSON.stringify(await service.status());
    expect(status).not.toContain(API_KEY);
    expect(status).not.toContain(API_SECRET);

    // a fresh service (after a restart) reads the pair from the keychain and redacts it too
    const restartedSink = memorySink();
    const restartedRedactor = new Redactor();
    const restarted = new CredentialsService({
      store: new KeyringSecretStore({ service: SERVICE }),
      logger: createLogger('keychain', restartedSink, { redactor: restartedRedactor }),
      registerSecret: (value) => restartedRedactor.registerSecret(value),
    });
    const credentials = await restarted.getCredentials('mexc');
    expect(credentials).toEqual({ ok: true, value: { apiKey: API_KEY, apiSecret: API_SECRET } });
    createLogger('venue', restartedSink, { redactor: restartedRedactor }).error(`login failed for ${API_KEY}`, { credentials });
    for (const text of [sink.text(), restartedSink.text()]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(API_SECRET);
    }
    expect(restartedSink.text()).toContain('login failed for ***');

    expect(await service.clear('mexc')).toMatchObject({ ok: true, value: { exchanges: [{ apiKeySet: false, apiKeyHint: null }] } });
    expect(await store.get('mexc:apiKey')).toBeNull();
    expect(await store.get('mexc:apiSecret')).toBeNull();
  });
});

test.runIf(process.platform === 'linux')('a session bus without a Secret Service is reported with a plain reason', () => {
  // a child process: the keychain library keeps its first D-Bus connection for the life of a process
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'tests/keychain/availability-probe.ts'), SERVICE], {
    cwd: root,
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/surge-test-bus' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(child.status, child.stderr).toBe(0);
  expect(JSON.parse(child.stdout)).toEqual({ ok: false, reason: 'no Secret Service: there is no D-Bus session bus (run inside a desktop session with GNOME Keyring or KWallet)' });
});
