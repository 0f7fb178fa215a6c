import { describe, expect, test } from 'vitest';
import { createLogger, memorySink, Redactor } from '../ops/logger';
import { CredentialsService } from './credentials-service';
import { KeychainUnavailableError, type SecretStore, type SecretStoreAvailability } from './secret-store';

/**
 * The service's own rules, over a keychain kept in memory. The real OS keychain is exercised by
 * keychain.test.ts; these cases need failures a real keychain cannot be told to produce.
 */
class MemorySecretStore implements SecretStore {
  readonly entries = new Map<string, string>();
  failWritesTo: string | null = null;
  availability: SecretStoreAvailability = { ok: true };

  async get(account: string): Promise<string | null> {
    this.assertAvailable();
    return this.entries.get(account) ?? null;
  }
  async set(account: string, secret: string): Promise<void> {
    this.assertAvailable();
    if (account === this.failWritesTo) throw new KeychainUnavailableError('the keychain is locked: unlock it and try again');
    this.entries.set(account, secret);
  }
  async delete(account: string): Promise<boolean> {
    this.assertAvailable();
    return this.entries.delete(account);
  }
  async available(): Promise<SecretStoreAvailability> {
    return this.availability;
  }
  private assertAvailable(): void {
    if (!this.availability.ok) throw new KeychainUnavailableError(this.availability.reason ?? 'unavailable');
  }
}

const API_KEY = 'mx0vglTestKey7Hd2abcd';
const API_SECRET = '5f2c0a9e8b7d6c5b4a39281706f5e4d3';

function setup() {
  const store = new MemorySecretStore();
  const sink = memorySink();
  const redactor = new Redactor();
  const logger = createLogger('keychain', sink, { redactor });
  const service = new CredentialsService({ store, logger, registerSecret: (value) => redactor.registerSecret(value) });
  return { store, sink, logger, service };
}

describe('CredentialsService', () => {
  test('with nothing stored, the status says so and gives no hint', async () => {
    const { service } = setup();
    expect(await service.status()).toEqual({ available: true, exchanges: [{ exchange: 'mexc', apiKeySet: false, apiKeyHint: null }] });
  });

  test('after storing keys the status shows only "…" and the last four characters of the key', async () => {
    const { service, store } = setup();
    const stored = await service.set({ exchange: 'mexc', apiKey: API_KEY, apiSecret: API_SECRET });
    expect(stored).toEqual({ ok: true, value: { available: true, exchanges: [{ exchange: 'mexc', apiKeySet: true, apiKeyHint: '…abcd' }] } });
    const text = JSON.stringify(await service.status());
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(API_SECRET);
    expect([...store.entries.keys()].sort()).toEqual(['mexc:apiKey', 'mexc:apiSecret']);
  });

  test('the live venue gets the pair; live trading is enabled only once both are stored', async () => {
    const { service } = setup();
    expect(await service.liveTrading('mexc')).toEqual({ enabled: false, reason: 'live trading is disabled: no mexc API keys are stored' });
    expect(await service.getCredentials('mexc')).toMatchObject({ ok: false, error: { type: 'not_found' } });
    await service.set({ exchange: 'mexc', apiKey: API_KEY, apiSecret: API_SECRET });
    expect(await service.getCredentials('mexc')).toEqual({ ok: true, value: { apiKey: API_KEY, apiSecret: API_SECRET } });
    expect(await service.liveTrading('mexc')).toEqual({ enabled: true });
  });

  test('clearing removes both and the status returns to "not set"', async () => {
    const { service, store } = setup();
    await service.set({ exchange: 'mexc', apiKey: API_KEY, apiSecret: API_SECRET });
    expect(await service.clear('mexc')).toMatchObject({ ok: true, value: { exchanges: [{ apiKeySet: false, apiKeyHint: null }] } });
    expect(store.entries.size).toBe(0);
  });

  test('a keychain that fails half-way through storing leaves no lone secret behind', async () => {
    const { service, store } = setup();
    store.failWritesTo = 'mexc:apiKey';
    const result = await service.set({ exchange: 'mexc', apiKey: API_KEY, apiSecret: API_SECRET });
    expect(result).toMatchObject({ ok: false, error: { type: 'unavailable', message: expect.stringContaining('the keychain is locked') } });
    expect(store.entries.size).toBe(0);
  });

  test('without a keychain the status says why, storing fails with the reason, and live trading stays disabled', async () => {
    const { service, store } = setup();
    store.availability = { ok: false, reason: 'no Secret Service on the session bus (start GNOME Keyring or KWallet)' };
    expect(await service.status()).toEqual({
      available: false,
      reason: 'no Secret Service on the session bus (start GNOME Keyring or KWallet)',
      exchanges: [{ exchange: 'mexc', apiKeySet: false, apiKeyHint: null }],
    });
    expect(await service.set({ exchange: 'mexc', apiKey: API_KEY, apiSecret: API_SECRET })).toMatchObject({
      ok: false,
      error: { type: 'unavailable', message: expect.stringContaining('no Secret Service') },
    });
    expect(await service.liveTrading('mexc')).toEqual({ enabled: false, reason: expect.stringContaining('no Secret Service') });
  });

  test('keys never reach a log line, even one that logs them by mistake', async () => {
    const { service, sink, logger } = setup();
    await service.set({ exchange: 'mexc', apiKey: API_KEY, apiSecret: API_SECRET });
    const credentials = await service.getCredentials('mexc');
    // the mistakes a later change could make: the pair as fields, the values in free text
    logger.error('venue login failed', { credentials, note: `tried ${API_KEY}/${API_SECRET}` });
    logger.info(`signing with ${API_SECRET}`);
    const text = sink.text();
    expect(text).toContain('venue login failed');
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(API_SECRET);
  });

  test('a clear racing a store never leaves half a pair', async () => {
    const { service, store } = setup();
    await Promise.all([service.set({ exchange: 'mexc', apiKey: API_KEY, apiSecret: API_SECRET }), service.clear('mexc')]);
    expect(store.entries.size).toBe(0);
    await Promise.all([service.clear('mexc'), service.set({ exchange: 'mexc', apiKey: API_KEY, apiSecret: API_SECRET })]);
    expect(store.entries.size).toBe(2);
  });
});
