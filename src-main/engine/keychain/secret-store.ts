import type * as Keyring from '@napi-rs/keyring';
import { createRequire } from 'node:module';

/**
 * Secrets in the OS keychain: macOS Keychain, Windows Credential Manager, the Secret Service
 * (GNOME Keyring, KWallet) on Linux, through @napi-rs/keyring. Plain Node (N-API), so the same
 * code runs in the Electron main process and in serve mode.
 */

export interface SecretStoreAvailability {
  ok: boolean;
  /** Why the keychain cannot be used, in words a trader can act on. */
  reason?: string;
}

export interface SecretStore {
  /** The stored secret, or null when there is none. */
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** True when something was deleted, false when there was nothing to delete. */
  delete(account: string): Promise<boolean>;
  /** Whether secrets can be stored right now (a real write and delete, so a locked keyring says no). */
  available(): Promise<SecretStoreAvailability>;
}

/** The keychain "service" every entry of the app is filed under; accounts are like `mexc:apiKey`. */
export const KEYCHAIN_SERVICE = 'Surge Workstation';
const PROBE_ACCOUNT = 'surge:probe';

type KeyringModule = typeof Keyring;
type KeyringEntry = InstanceType<KeyringModule['AsyncEntry']>;

// loaded on first use: a platform without a prebuilt binary then reports "unavailable" instead of
// failing the whole engine at start-up (createRequire keeps it a runtime require in both bundles)
const requireModule = createRequire(import.meta.url);
let keyringModule: KeyringModule | Error | null = null;
function loadKeyring(): KeyringModule {
  if (keyringModule === null) {
    try {
      keyringModule = requireModule('@napi-rs/keyring') as KeyringModule;
    } catch (error) {
      keyringModule = error instanceof Error ? error : new Error(String(error));
    }
  }
  if (keyringModule instanceof Error) throw new KeychainUnavailableError(`the keychain module could not be loaded (${keyringModule.message})`);
  return keyringModule;
}

/** The keychain cannot be reached at all; `message` is the plain reason. */
export class KeychainUnavailableError extends Error {
  override readonly name = 'KeychainUnavailableError';
}

export interface KeyringSecretStoreOptions {
  /** Tests file their entries under a service of their own, so they never touch the app's. */
  service?: string;
}

/**
 * Uses the async entry API: keychain calls can block for a while (D-Bus round trips, an unlock
 * prompt) and run on the libuv thread pool instead of the main thread that keeps the tray and the
 * windows responsive.
 */
export class KeyringSecretStore implements SecretStore {
  readonly service: string;

  constructor(options: KeyringSecretStoreOptions = {}) {
    this.service = options.service ?? KEYCHAIN_SERVICE;
  }

  async get(account: string): Promise<string | null> {
    return this.call(() => this.entry(account).getPassword());
  }

  async set(account: string, secret: string): Promise<void> {
    await this.call(() => this.entry(account).setPassword(secret));
  }

  async delete(account: string): Promise<boolean> {
    return this.call(() => this.entry(account).deleteCredential());
  }

  async available(): Promise<SecretStoreAvailability> {
    try {
      // a read alone succeeds on a locked GNOME keyring (it just finds nothing); only a write proves we can store
      await this.set(PROBE_ACCOUNT, 'probe');
      await this.delete(PROBE_ACCOUNT);
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  private entry(account: string): KeyringEntry {
    const { AsyncEntry } = loadKeyring();
    // Linux: the Secret Service only. The library's fallback, the kernel keyring, forgets
    // everything at logout, so keys would silently vanish; better to say there is no keychain.
    return new AsyncEntry(this.service, account, { linux: { store: 'secret-service' } });
  }

  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      // the entry constructor throws synchronously when there is no D-Bus at all
      return await operation();
    } catch (error) {
      if (error instanceof KeychainUnavailableError) throw error;
      throw new KeychainUnavailableError(keychainFailureReason(error));
    }
  }
}

/**
 * Turns a keychain library error into a reason a trader can act on. The library's messages
 * name no secrets (only the service, the account and the platform's error).
 */
export function keychainFailureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/DBUS_SESSION_BUS_ADDRESS|autolaunch|Failed to connect to socket|Connection refused/i.test(message)) {
    return 'no Secret Service: there is no D-Bus session bus (run inside a desktop session with GNOME Keyring or KWallet)';
  }
  if (/org\.freedesktop\.secrets|ServiceUnknown|not provided by any \.service files|no secret service/i.test(message)) {
    return 'no Secret Service on the session bus (start GNOME Keyring or KWallet)';
  }
  if (/prompt was dismissed|locked/i.test(message)) return 'the keychain is locked: unlock it and try again';
  if (/denied|not allowed|authori[sz]ation/i.test(message)) return `the OS keychain refused access (${message})`;
  return `the OS keychain failed (${message})`;
}
