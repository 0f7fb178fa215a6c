// Prints whether the OS keychain can store secrets, as JSON. Run in a child process by the
// keychain tests with a broken D-Bus address (the keychain library keeps its first bus
// connection for the life of a process, so this cannot be faked inside the test process).
import { KeyringSecretStore } from '../../src-main/engine/keychain/secret-store';

const store = new KeyringSecretStore({ service: process.argv[2] ?? 'Surge Workstation Probe' });
process.stdout.write(`${JSON.stringify(await store.available())}\n`);
