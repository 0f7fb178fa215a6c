import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const rendererRoot = fileURLToPath(new URL('.', import.meta.url));

// No React plugin: Vite 8 compiles TSX with Oxc; the automatic JSX runtime is stated explicitly
// so the build never depends on a tsconfig lookup. No fast refresh, which only the dev server would use.
export default defineConfig({
  root: rendererRoot,
  // Relative asset URLs so the same build loads from file:// in Electron and from / in serve mode.
  base: './',
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'react' },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist-renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // One chunk set, no inline modulepreload polyfill script (the CSP allows no inline scripts).
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1_500,
    // alert sounds must be files: the CSP allows media only from 'self', never data: URLs
    assetsInlineLimit: 0,
  },
  server: { host: '127.0.0.1', strictPort: true },
});
