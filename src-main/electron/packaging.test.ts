import { FuseV1Options, flipFuses, getCurrentFuseWire, type FuseConfig } from '@electron/fuses';
import { DebugLogger } from 'builder-util';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';

/**
 * The packaging configuration, checked offline: electron-builder.yml against electron-builder's
 * own schema, and the afterPack hook against @electron/fuses on a stand-in Electron binary whose
 * fuse wire is laid out like Electron 41's (nine fuses, the last one unknown to @electron/fuses 1.8).
 */

const root = path.resolve(import.meta.dirname, '../..');
const requireScript = createRequire(import.meta.url);
type AfterPack = (context: { electronPlatformName: string; arch: number; appOutDir: string; packager: { addElectronFuses(context: unknown, fuses: FuseConfig): Promise<number> } }) => Promise<void>;
const afterPack = requireScript('../../scripts/electron-fuses.cjs') as AfterPack;

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Electron's shipped defaults: run_as_node 1, cookie_encryption 0, node_options 1, node_cli_inspect 1,
// asar_integrity 0, only_load_app_from_asar 0, v8_snapshot 0, file_protocol_privileges 1, wasm_trap_handlers 1
const SHIPPED_WIRE = '101100011';

let dir: string | null = null;
afterEach(() => {
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

function fakeElectronBinary(): string {
  dir = mkdtempSync(path.join(os.tmpdir(), 'surge-fuses-'));
  const file = path.join(dir, 'surge-workstation');
  const wire = Buffer.from(SHIPPED_WIRE, 'ascii');
  writeFileSync(file, Buffer.concat([Buffer.from('\x7fELF padding before the wire '), Buffer.from(SENTINEL, 'ascii'), Buffer.from([1, wire.length]), wire, Buffer.from(' padding after')]));
  return file;
}

/** The wire as text: the binary stores each fuse as the character '0' (off) or '1' (on). */
function wireText(config: Record<number, number>): string {
  return Object.keys(config)
    .filter((key) => /^\d+$/.test(key))
    .map((key) => String.fromCharCode(config[Number(key)]!))
    .join('');
}

const OFF = '0'.charCodeAt(0);
const ON = '1'.charCodeAt(0);

describe('packaging', () => {
  test("electron-builder.yml passes electron-builder's own schema", async () => {
    const config = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    expect(config.afterPack).toBe('scripts/electron-fuses.cjs');
  });

  test('the afterPack hook turns off RunAsNode, NODE_OPTIONS and --inspect, and turns on ASAR integrity, ASAR-only loading and cookie encryption', async () => {
    const binary = fakeElectronBinary();
    await afterPack({
      electronPlatformName: 'linux',
      arch: 1,
      appOutDir: path.dirname(binary),
      // electron-builder's helper resolves the executable per platform, then calls flipFuses
      packager: { addElectronFuses: (_context, fuses) => flipFuses(binary, fuses) },
    });
    const wire = (await getCurrentFuseWire(binary)) as unknown as Record<number, number>;
    expect(wireText(wire)).toBe('010011001');
    expect(wire[FuseV1Options.RunAsNode]).toBe(OFF);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(OFF);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(OFF);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(ON);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(ON);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(ON);
  });
});
