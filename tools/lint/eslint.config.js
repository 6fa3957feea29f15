// certkit's ESLint configuration (the root eslint.config.js re-exports it). It lives here so that typescript-eslint
// resolves the TypeScript 6 of this workspace: TypeScript 7, which builds certkit, has no JavaScript API to lint with.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const root = new URL('../..', import.meta.url).pathname;

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'tools/lint/node_modules/', 'certbot/', 'nginx/', 'bench/out/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    rules: {
      // Unused parameters named _x document a signature; unused anything else is a finding.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Template literals with numbers and booleans are how messages are written here.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // An async method without await is how a synchronous body implements an async interface (Engine, StoreWriter).
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests destructure helpers and pass matchers (expect.any returns any): both are the point there, not a slip.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Refusing everything outside ASCII means a range that starts at NUL, on purpose.
    files: ['src/config/hostnames.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    // Plain JavaScript (bin/, bench/, this config) is not part of the TypeScript project.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
);
