#!/usr/bin/env node
// Writes the alert sounds to resources/sounds/*.wav: short sine beeps synthesised here (no
// downloads, no third-party audio). Deterministic: the same script always writes the same bytes.
//   node scripts/generate-sounds.mjs
// critical.wav  three urgent two-tone beeps (988 Hz / 740 Hz), loud enough to hear across a room
// warning.wav   two soft beeps at 660 Hz
// info.wav      one short quiet blip at 523 Hz
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'resources', 'sounds');
const SAMPLE_RATE = 22_050;
const FADE_SECONDS = 0.006; // a few ms of fade in/out: a hard start or stop clicks

/** A tone: frequency in Hz, duration and gain (0..1); frequency 0 is silence. */
const tone = (frequency, seconds, gain = 0.5) => ({ frequency, seconds, gain });

function render(tones) {
  const samples = [];
  for (const { frequency, seconds, gain } of tones) {
    const count = Math.round(seconds * SAMPLE_RATE);
    const fade = Math.min(Math.round(FADE_SECONDS * SAMPLE_RATE), count >> 1);
    for (let i = 0; i < count; i++) {
      const envelope = Math.min(1, i / fade, (count - 1 - i) / fade);
      const value = frequency === 0 ? 0 : Math.sin((2 * Math.PI * frequency * i) / SAMPLE_RATE) * gain * envelope;
      samples.push(value);
    }
  }
  return samples;
}

/** 16-bit PCM mono RIFF/WAVE. */
function wav(samples) {
  const dataBytes = samples.length * 2;
  const buffer = Buffer.alloc(44 + dataBytes);
  buffer.write('RIFF', 0, 'ascii');
  buffer.writeUInt32LE(36 + dataBytes, 4);
  buffer.write('WAVE', 8, 'ascii');
  buffer.write('fmt ', 12, 'ascii');
  buffer.writeUInt32LE(16, 16); // fmt chunk size
  buffer.writeUInt16LE(1, 20); // PCM
  buffer.writeUInt16LE(1, 22); // mono
  buffer.writeUInt32LE(SAMPLE_RATE, 24);
  buffer.writeUInt32LE(SAMPLE_RATE * 2, 28); // byte rate
  buffer.writeUInt16LE(2, 32); // block align
  buffer.writeUInt16LE(16, 34); // bits per sample
  buffer.write('data', 36, 'ascii');
  buffer.writeUInt32LE(dataBytes, 40);
  samples.forEach((value, index) => buffer.writeInt16LE(Math.round(Math.max(-1, Math.min(1, value)) * 32_767), 44 + index * 2));
  return buffer;
}

const sounds = {
  critical: [0, 1, 2].flatMap(() => [tone(988, 0.12, 0.7), tone(740, 0.12, 0.7), tone(0, 0.08)]),
  warning: [tone(660, 0.14, 0.45), tone(0, 0.09), tone(660, 0.14, 0.45)],
  info: [tone(523, 0.09, 0.3)],
};

mkdirSync(outDir, { recursive: true });
for (const [name, tones] of Object.entries(sounds)) {
  const file = path.join(outDir, `${name}.wav`);
  const bytes = wav(render(tones));
  writeFileSync(file, bytes);
  console.log(`wrote ${path.relative(root, file)} (${bytes.length} bytes)`);
}
