#!/usr/bin/env node
// `npm run build:main`: bundles the two hosts of the engine with esbuild.
//   src-main/serve/main.ts       → dist-main/serve.js        ESM, Node (serve mode)
//   src-main/electron/main.ts    → dist-electron/main.cjs    CJS, Electron main process
//   src-main/electron/preload.ts → dist-electron/preload.cjs CJS, sandboxed preload
// Packages from node_modules stay external in the two main bundles: node_modules ships with the
// app (electron-builder) and holds native modules (better-sqlite3, @napi-rs/keyring) that cannot
// be bundled. The preload is the exception: a sandboxed preload can require only `electron` and
// a few built-ins, so everything else it uses is bundled into it.
// The Electron main bundle keeps only the production dependencies external: dev-only packages the
// shell uses (electron-updater) are bundled in, because electron-builder ships `dependencies` only.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const productionDependencies = Object.keys(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).dependencies ?? {});
const watchless = { absWorkingDir: root, bundle: true, sourcemap: true, logLevel: 'warning', legalComments: 'none', metafile: true };

// In CommonJS output import.meta is empty; code that finds its files from import.meta.url
// (resolveAppPaths, the preload path) gets the bundle's own file URL instead.
const cjsImportMetaUrl = {
  define: { 'import.meta.url': '__surge_import_meta_url' },
  banner: { js: "const __surge_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
};

const targets = [
  {
    name: 'serve',
    outfile: 'dist-main/serve.js',
    options: {
      entryPoints: ['src-main/serve/main.ts'],
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      // a CommonJS dependency bundled into ESM calls require(); give it a real one
      banner: { js: "import { createRequire as __surgeCreateRequire } from 'node:module'; const require = __surgeCreateRequire(import.meta.url);" },
    },
  },
  {
    name: 'electron main',
    outfile: 'dist-electron/main.cjs',
    options: {
      entryPoints: ['src-main/electron/main.ts'],
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['electron', ...productionDependencies.flatMap((name) => [name, `${name}/*`])],
      ...cjsImportMetaUrl,
    },
  },
  {
    name: 'electron preload',
    outfile: 'dist-electron/preload.cjs',
    options: {
      entryPoints: ['src-main/electron/preload.ts'],
      platform: 'browser',
      format: 'cjs',
      target: 'es2022',
      external: ['electron'],
      // no import.meta banner here: a sandboxed preload has no __filename
      define: { 'process.env.NODE_ENV': '"production"' },
    },
  },
];

rmSync(path.join(root, 'dist-main'), { recursive: true, force: true });
rmSync(path.join(root, 'dist-electron'), { recursive: true, force: true });

const started = Date.now();
const results = await Promise.all(
  targets.map(async ({ name, outfile, options }) => {
    const result = await build({ ...watchless, ...options, outfile });
    const bytes = Object.entries(result.metafile.outputs)
      .filter(([file]) => !file.endsWith('.map'))
      .reduce((sum, [, output]) => sum + output.bytes, 0);
    return { name, outfile, bytes };
  }),
);
for (const { name, outfile, bytes } of results) console.log(`built ${name.padEnd(16)} ${outfile.padEnd(26)} ${(bytes / 1024).toFixed(1)} KiB`);
console.log(`build-main: ${results.length} bundles in ${Date.now() - started} ms`);
