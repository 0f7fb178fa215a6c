#!/usr/bin/env node
// `node scripts/generate-resources.mjs`: draws the app's icons with no image tools and no
// downloads — shapes rasterised here (4×4 supersampling), PNGs encoded with zlib. The output is
// byte-for-byte the same on every run, so the committed files can be regenerated and compared.
// (The alert sounds have their own generator: scripts/generate-sounds.mjs.)
//   build/icon.png                  1024² app icon; electron-builder derives .icns/.ico from it
//   resources/icon.png              256² icon for notifications and the Linux window
//   resources/tray/tray-<state>.png 16² tray icons (+ @2x 32²): idle, running, paused, halted
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// --- drawing ------------------------------------------------------------------------------------

const hex = (value) => [parseInt(value.slice(1, 3), 16), parseInt(value.slice(3, 5), 16), parseInt(value.slice(5, 7), 16)];

/** Signed-distance-ish coverage tests in unit coordinates (0..1 across the image). */
const shapes = {
  circle: ({ cx, cy, r }) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r,
  roundedRect: ({ x0, y0, x1, y1, r }) => (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
    const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
    return dx * dx + dy * dy <= r * r;
  },
  polyline: ({ points, width }) => (x, y) => {
    const half = width / 2;
    for (let i = 0; i + 1 < points.length; i++) {
      const [ax, ay] = points[i];
      const [bx, by] = points[i + 1];
      const lengthSquared = (bx - ax) ** 2 + (by - ay) ** 2;
      const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / lengthSquared));
      if ((x - (ax + t * (bx - ax))) ** 2 + (y - (ay + t * (by - ay))) ** 2 <= half * half) return true;
    }
    return false;
  },
};

/** Paints layers in order into an RGBA buffer; each layer is [inside(x, y), colour]. */
function render(size, layers) {
  const samples = 4;
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          let colour = null;
          for (const [inside, rgb] of layers) if (inside(x, y)) colour = rgb;
          if (colour === null) continue;
          r += colour[0];
          g += colour[1];
          b += colour[2];
          a += 1;
        }
      }
      const offset = (py * size + px) * 4;
      if (a > 0) {
        pixels[offset] = Math.round(r / a);
        pixels[offset + 1] = Math.round(g / a);
        pixels[offset + 2] = Math.round(b / a);
      }
      pixels[offset + 3] = Math.round((a / (samples * samples)) * 255);
    }
  }
  return pixels;
}

// --- PNG ---------------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let crc = 0xffffffff;
  for (const byte of buffer) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4); // filter 0 per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// --- the artwork -------------------------------------------------------------------------------

const BACKGROUND = hex('#0b0e11');
const GREEN = hex('#16c784');
const WHITE = hex('#ffffff');
const TRAY_COLOURS = { idle: hex('#8a8f98'), running: GREEN, paused: hex('#f0b90b'), halted: hex('#ea3943') };

// a price line that runs flat, surges and settles higher: the product in one stroke
const SURGE = [[0.16, 0.66], [0.36, 0.66], [0.48, 0.3], [0.6, 0.74], [0.7, 0.5], [0.84, 0.5]];

function appIcon(size) {
  return png(size, render(size, [
    [shapes.roundedRect({ x0: 0.04, y0: 0.04, x1: 0.96, y1: 0.96, r: 0.2 }), BACKGROUND],
    [shapes.polyline({ points: SURGE, width: 0.085 }), GREEN],
  ]));
}

function trayIcon(size, colour) {
  return png(size, render(size, [
    [shapes.circle({ cx: 0.5, cy: 0.5, r: 0.48 }), colour],
    [shapes.polyline({ points: SURGE.map(([x, y]) => [0.5 + (x - 0.5) * 0.95, 0.5 + (y - 0.5) * 0.95]), width: 0.13 }), WHITE],
  ]));
}

const outputs = new Map([
  ['build/icon.png', appIcon(1024)],
  ['resources/icon.png', appIcon(256)],
  ...Object.entries(TRAY_COLOURS).flatMap(([state, colour]) => [
    [`resources/tray/tray-${state}.png`, trayIcon(16, colour)],
    [`resources/tray/tray-${state}@2x.png`, trayIcon(32, colour)],
  ]),
]);

for (const [file, bytes] of outputs) {
  const target = path.join(root, file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, bytes);
  console.log(`wrote ${file.padEnd(36)} ${(bytes.length / 1024).toFixed(1)} KiB`);
}
