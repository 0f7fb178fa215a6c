import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { TRAY_ICON_STATES } from './desktop-shell';

const root = path.resolve(import.meta.dirname, '../..');

/** Width and height from a PNG's IHDR, after checking the signature. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(path.join(root, file));
  expect(bytes.subarray(0, 8).toString('hex'), `${file} is a PNG`).toBe('89504e470d0a1a0a');
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test.each(TRAY_ICON_STATES)('the tray has a %s icon at 16 px and an @2x one at 32 px', (state) => {
  expect(pngSize(`resources/tray/tray-${state}.png`)).toEqual({ width: 16, height: 16 });
  expect(pngSize(`resources/tray/tray-${state}@2x.png`)).toEqual({ width: 32, height: 32 });
});

test('the app icon is large enough for every installer (electron-builder wants at least 512 px)', () => {
  expect(pngSize('build/icon.png').width).toBeGreaterThanOrEqual(512);
  expect(pngSize('resources/icon.png')).toEqual({ width: 256, height: 256 });
});
