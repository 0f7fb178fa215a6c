// Import boundaries (ARCHITECTURE §2) are enforced here, not by memory:
//   src-shared   runs anywhere: no node:*, no electron, no DOM-only libs, nothing from src-main/src-renderer
//   src-main/engine  plain Node: never electron, never the renderer, never the shell
//   src-renderer never imports src-main, node:* or electron
import tseslint from 'typescript-eslint';
import globals from 'globals';

// bare built-in names go in `paths` (exact module names): as patterns they would also match
// relative files such as './events'
const nodeBuiltinNames = ['fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process', 'worker_threads', 'stream', 'zlib', 'url', 'events', 'util', 'timers', 'perf_hooks', 'readline'];
const nodeBuiltins = ['node:*'];

const restrict = (patterns, message, names = []) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }], paths: names.map((name) => ({ name, message })) }],
});

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist-*/**', 'release/**', 'test-results/**', 'playwright-report/**', '**/*.mjs', '**/*.cjs', 'eslint.config.js'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.ts'] }, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src-shared/**/*.ts'],
    rules: restrict([...nodeBuiltins, 'electron', 'electron/*', 'better-sqlite3', 'ws', 'react', 'react-dom', '**/src-main/**', '**/src-renderer/**', '../../src-main/*', '../../src-renderer/*'],
      'src-shared runs anywhere: it may not import Node built-ins, Electron, native modules, React, src-main or src-renderer.', nodeBuiltinNames),
  },
  {
    files: ['src-main/engine/**/*.ts', 'src-main/serve/**/*.ts', 'src-main/cli/**/*.ts'],
    rules: restrict(['electron', 'electron/*', 'electron-log', 'electron-log/*', '**/electron/**', '**/src-renderer/**', 'react', 'react-dom'],
      'The engine is plain Node: it never imports electron, the Electron shell or the renderer.'),
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict([...nodeBuiltins, 'electron', 'electron/*', '**/src-main/**', 'better-sqlite3', 'ws'],
      'The renderer never imports src-main, Node built-ins or Electron: it talks to the engine only through the contract.', nodeBuiltinNames),
  },
  {
    files: ['src-renderer/vite.config.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.test.ts', 'tests/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
