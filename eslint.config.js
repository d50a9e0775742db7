import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

// Folder rules from DESIGN.md, kept by lint rather than good intentions.
const noElectronOrRenderer = [
  { group: ['**/electron/**', 'electron', 'electron/*'], message: 'core/ never imports Electron.' },
  { group: ['**/renderer/**'], message: 'core/ never imports the renderer.' },
];

// eslint reads the default export of its config; the one allowed exception.
// eslint-disable-next-line no-restricted-exports
export default tseslint.config(
  {
    ignores: ['node_modules/**', '.vite/**', 'out/**', 'dist/**', '.tsbuild/**', '.cache/**', 'test-results/**', 'playwright-report/**', 'e2e/artifacts/**', 'bench/results/**', 'renderer/dist/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true, named: true, defaultFrom: true, namedFrom: true, namespaceFrom: true } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['core/contract/**/*.ts'],
    ignores: ['core/contract/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['../*', '!../contract', '../../*', 'node:*', 'fs', 'path', 'os', 'child_process', 'net'], message: 'core/contract imports nothing of ours and no Node modules.' },
          ...noElectronOrRenderer,
        ],
      }],
    },
  },
  {
    files: ['core/**/*.ts'],
    ignores: ['core/contract/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: noElectronOrRenderer }] },
  },
  {
    files: ['electron/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/core/*', '!**/core/contract', '!**/core/contract/*'], message: 'electron/ may import core/contract only; it starts core/host as a process.' },
          { group: ['**/renderer/**'], message: 'electron/ never imports the renderer.' },
        ],
      }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/core/*', '!**/core/contract', '!**/core/contract/*'], message: 'renderer/ may import core/contract only.' },
          { group: ['**/electron/**', 'electron'], message: 'renderer/ talks to Electron only through the preload bridge.' },
          { group: ['node:*', 'fs', 'child_process'], message: 'renderer/ runs in a sandboxed browser context.' },
        ],
      }],
    },
  },
  {
    files: ['e2e/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/core/*', '!**/core/contract', '!**/core/contract/*', '!**/core/testing', '!**/core/testing/*'], message: 'e2e/ is black-box: contract and test guest only.' },
          { group: ['**/renderer/**'], message: 'e2e/ drives the renderer through the browser.' },
        ],
      }],
    },
  },
);
