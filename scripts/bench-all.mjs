#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts in its own process (node --expose-gc --import tsx),
// collects the `BENCH_JSON [...]` line each prints last, shows one table and writes
// bench-results.json at the repo root. Exits non-zero if any bench fails or prints no figures.
// Optional arguments filter by file name: `npm run bench -- bus`.
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = path.join(root, 'bench');
const filters = process.argv.slice(2);
const MARKER = 'BENCH_JSON ';

const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((needle) => f.includes(needle)))
  .sort();

if (files.length === 0) {
  console.error(`no bench/*.bench.ts files${filters.length > 0 ? ` matching ${filters.join(', ')}` : ''}`);
  process.exit(1);
}

/** Runs one bench, echoing its output live; resolves with its exit status and the records it printed. */
function runBench(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join('bench', file)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pending = '';
    const records = [];
    const problems = [];
    const consume = (line) => {
      if (!line.startsWith(MARKER)) {
        console.log(`  ${line}`);
        return;
      }
      try {
        const parsed = JSON.parse(line.slice(MARKER.length));
        if (!Array.isArray(parsed)) throw new Error('BENCH_JSON is not an array');
        records.push(...parsed);
      } catch (error) {
        problems.push(`unreadable BENCH_JSON line: ${error.message}`);
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) consume(line);
    });
    child.on('close', (code, signal) => {
      if (pending !== '') consume(pending);
      resolve({ file, code, signal, records, problems });
    });
    child.on('error', (error) => {
      problems.push(error.message);
      resolve({ file, code: null, signal: null, records, problems });
    });
  });
}

const results = [];
const failures = [];
for (const file of files) {
  console.log(`\n=== ${file}`);
  const started = Date.now();
  const run = await runBench(file);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (run.code !== 0) run.problems.push(`exited with ${run.code ?? run.signal}`);
  if (run.code === 0 && run.records.length === 0) run.problems.push('printed no BENCH_JSON line');
  if (run.problems.length > 0) failures.push(`${file}: ${run.problems.join('; ')}`);
  console.log(`=== ${file}: ${run.problems.length === 0 ? 'ok' : 'FAILED'} in ${seconds}s`);
  for (const record of run.records) results.push({ file, ...record });
}

const format = (value) => (typeof value === 'number' ? Number(value.toPrecision(6)).toLocaleString('en-US', { maximumFractionDigits: 4 }) : String(value));
const header = ['name', 'value', 'unit', 'baseline', 'ratio'];
const rows = results.map((r) => [r.name, format(r.value), r.unit, format(r.baseline), format(r.ratio)]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => cells.map((cell, i) => (i === 0 || i === 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const row of rows) console.log(line(row));

const output = path.join(root, 'bench-results.json');
// the agreed format: a plain array of {name, value, unit, baseline, ratio} (plus the file it came from)
writeFileSync(output, `${JSON.stringify(results.map((r) => ({ name: r.name, value: r.value, unit: r.unit, baseline: r.baseline, ratio: r.ratio, file: r.file })), null, 2)}\n`);
console.log(`node ${process.version} on ${process.platform}-${process.arch}, ${new Date().toISOString()}`);
console.log(`\nwrote ${path.relative(root, output)}`);

if (failures.length > 0) {
  console.error(`\n${failures.length} bench(es) failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
