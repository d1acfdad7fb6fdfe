import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = {
  process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly',
  setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly',
  URL: 'readonly', AbortController: 'readonly', performance: 'readonly', global: 'readonly',
};

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'docs/api/**', 'prebuilds/**', 'bench/.build/**'] },
  js.configs.recommended,
  {
    files: ['lib/**/*.ts'],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-invalid-void-type': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/only-throw-error': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: nodeGlobals,
    },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_' }] },
  },
  {
    // The jest suite (scripts/run-frameworks.mjs): CommonJS with jest's injected globals, as jest
    // users write it. The vitest suite imports its functions from 'vitest'.
    files: ['test/frameworks/jest/**/*.cjs'],
    languageOptions: {
      globals: {
        ...nodeGlobals, __dirname: 'readonly', __filename: 'readonly',
        ...Object.fromEntries(
          ['describe', 'test', 'it', 'expect', 'beforeEach', 'afterEach', 'beforeAll', 'afterAll', 'jest'].map((g) => [g, 'readonly']),
        ),
      },
    },
  },
);
