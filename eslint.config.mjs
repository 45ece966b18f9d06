// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['lib/**', 'node_modules/**', '.temporal-bin/**', '.journey-await/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'object-shorthand': ['error', 'always'],
    },
  },
  {
    // Workflow code is replayed in Temporal's sandbox: no I/O, no Node built-ins, no ambient time or randomness.
    files: ['src/workflows/**/*.ts', 'test/workflows/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins.filter((m) => m !== 'assert'), 'undici'].map((name) => ({
            name,
            message: 'Workflow code must be deterministic: do I/O in activities.',
          })),
          patterns: [
            { group: ['../activities', '../activities/*', '../providers/*'], allowTypeImports: true, message: 'Import only types from activities/providers.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval', 'fetch', 'require'],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use uuid4() or workflow-safe randomness from @temporalio/workflow.' },
      ],
      'no-console': 'error',
    },
  },
);
