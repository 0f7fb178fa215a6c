import type { PartialHandlers } from '../../../src-shared/contract/commands';
import { EXCHANGES, type CredentialsStatusDto, type ExchangeId } from '../../../src-shared/contract/credentials-commands';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import { registerSecret as registerWithDefaultRedactor, type Logger } from '../ops/logger';
import { KeychainUnavailableError, type SecretStore } from './secret-store';

/** An exchange's API credentials, in memory only, for the live venue. */
export interface ExchangeCredentials {
  apiKey: string;
  apiSecret: string;
}

export interface CredentialsServiceOptions {
  store: SecretStore;
  logger: Logger;
  /** Masks a value in every later log line (the process-wide redactor unless a test injects its own). */
  registerSecret?: (value: string) => boolean;
}

export interface LiveTradingGate {
  enabled: boolean;
  reason?: string;
}

const apiKeyAccount = (exchange: ExchangeId): string => `${exchange}:apiKey`;
const apiSecretAccount = (exchange: ExchangeId): string => `${exchange}:apiSecret`;

/**
 * Exchange API keys in the OS keychain (ARCHITECTURE §13). The renderer can store and clear them
 * but only ever sees whether they are set and "…abcd"; the keys themselves leave this service
 * only through getCredentials(), for the live venue. Every key this service touches is
 * registered with the log redactor first, so even an accidental log line shows `***`.
 */
export class CredentialsService {
  private readonly registerSecret: (value: string) => boolean;
  // keychain writes of one exchange must not interleave (a clear racing a set would leave half a pair)
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: CredentialsServiceOptions) {
    this.registerSecret = options.registerSecret ?? registerWithDefaultRedactor;
  }

  async status(): Promise<CredentialsStatusDto> {
    return this.serialized(() => this.readStatus());
  }

  /** Request already parsed by the contract (non-empty, plausible length and characters, trimmed). */
  async set(request: { exchange: ExchangeId; apiKey: string; apiSecret: string }): Promise<Result<CredentialsStatusDto>> {
    // registered before any keychain call, so not even a failure message can carry them
    this.registerSecret(request.apiKey);
    this.registerSecret(request.apiSecret);
    return this.serialized(async () => {
      const { store, logger } = this.options;
      try {
        await store.set(apiSecretAccount(request.exchange), request.apiSecret);
        try {
          await store.set(apiKeyAccount(request.exchange), request.apiKey);
        } catch (error) {
          // the key is what marks a pair as stored: without it the lone secret must not linger
          await store.delete(apiSecretAccount(request.exchange)).catch(() => false);
          throw error;
        }
      } catch (error) {
        logger.warn('could not store exchange credentials', { exchange: request.exchange, reason: reasonOf(error) });
        return err('unavailable', `could not store the ${request.exchange} keys in the OS keychain: ${reasonOf(error)}`);
      }
      logger.info('exchange credentials stored in the OS keychain', { exchange: request.exchange });
      return ok(await this.readStatus());
    });
  }

  async clear(exchange: ExchangeId): Promise<Result<CredentialsStatusDto>> {
    return this.serialized(async () => {
      try {
        await this.options.store.delete(apiKeyAccount(exchange));
        await this.options.store.delete(apiSecretAccount(exchange));
      } catch (error) {
        return err('unavailable', `could not remove the ${exchange} keys from the OS keychain: ${reasonOf(error)}`);
      }
      this.options.logger.info('exchange credentials removed from the OS keychain', { exchange });
      return ok(await this.readStatus());
    });
  }

  /**
   * Engine-internal, for the live venue only: deliberately not a command, so the keys never
   * cross to the renderer or the network.
   */
  async getCredentials(exchange: ExchangeId): Promise<Result<ExchangeCredentials>> {
    return this.serialized(async () => {
      try {
        const pair = await this.readPair(exchange);
        if (pair === null) return err('not_found', `no ${exchange} API keys are stored: enter them in Settings`);
        return ok(pair);
      } catch (error) {
        return err('unavailable', `the OS keychain cannot be read: ${reasonOf(error)}`);
      }
    });
  }

  /** Live trading needs a working keychain with this exchange's keys in it; live sessions check this before arming. */
  async liveTrading(exchange: ExchangeId): Promise<LiveTradingGate> {
    const status = await this.status();
    if (!status.available) return { enabled: false, reason: `live trading is disabled: ${status.reason ?? 'the OS keychain is unavailable'}` };
    const entry = status.exchanges.find((e) => e.exchange === exchange);
    if (entry?.apiKeySet !== true) return { enabled: false, reason: `live trading is disabled: no ${exchange} API keys are stored` };
    return { enabled: true };
  }

  handlers(): PartialHandlers {
    return {
      'credentials.status': async () => ok(await this.status()),
      'credentials.set': (request) => this.set(request),
      'credentials.clear': ({ exchange }) => this.clear(exchange),
    };
  }

  private async readStatus(): Promise<CredentialsStatusDto> {
    const availability = await this.options.store.available();
    const unknown = EXCHANGES.map((exchange) => ({ exchange, apiKeySet: false, apiKeyHint: null }));
    if (!availability.ok) return { available: false, reason: availability.reason ?? 'the OS keychain is unavailable', exchanges: unknown };
    try {
      const exchanges = [];
      for (const exchange of EXCHANGES) {
        const apiKey = await this.readSecret(apiKeyAccount(exchange));
        const apiSecret = await this.readSecret(apiSecretAccount(exchange));
        exchanges.push({ exchange, apiKeySet: apiKey !== null && apiSecret !== null, apiKeyHint: apiKey === null ? null : maskedHint(apiKey) });
      }
      return { available: true, exchanges };
    } catch (error) {
      return { available: false, reason: reasonOf(error), exchanges: unknown };
    }
  }

  private async readPair(exchange: ExchangeId): Promise<ExchangeCredentials | null> {
    const apiKey = await this.readSecret(apiKeyAccount(exchange));
    const apiSecret = await this.readSecret(apiSecretAccount(exchange));
    return apiKey === null || apiSecret === null ? null : { apiKey, apiSecret };
  }

  private async readSecret(account: string): Promise<string | null> {
    const value = await this.options.store.get(account);
    if (value !== null) this.registerSecret(value);
    return value;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** "…abcd": enough to recognise which key is stored, never enough to use it. */
export function maskedHint(apiKey: string): string {
  return `…${apiKey.slice(-4)}`;
}

function reasonOf(error: unknown): string {
  if (error instanceof KeychainUnavailableError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
