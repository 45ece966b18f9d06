// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// The shipped product (src/) stands alone: dev tooling (dev/, bench/, scripts/) and tests are never shipped.
const productOnly = [
  {
    group: ['**/dev', '**/dev/**', '**/bench/**', '**/test/**', '**/scripts/**', '**/testing', '**/testing/**'],
    message: 'Product code (src/) must not import dev tooling, the testing kit or tests.',
  },
  { group: ['@temporalio/testing'], message: '@temporalio/testing is a devDependency: product code must not need it.' },
];

const temporalGlobalMessage =
  'The Temporal global (TC39 Temporal API) is not deterministic in workflow code: use Date, which the sandbox replays.';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** Imports workflow code may not make; `gatePatches`: only the registry (src/workflows/versions.ts) calls patched(). */
function workflowImports(gatePatches = false) {
  return {
    paths: [
      ...[...nodeBuiltins.filter((m) => m !== 'assert'), 'undici'].map((name) => ({
        name,
        message: 'Workflow code must be deterministic: do I/O in activities.',
      })),
      ...(gatePatches
        ? [
            {
              name: '@temporalio/workflow',
              importNames: ['patched', 'deprecatePatch'],
              message: 'Gate a change with an entry of src/workflows/versions.ts: isPatched() / deprecated().',
            },
          ]
        : []),
    ],
    patterns: [
      {
        group: ['../activities', '../activities/*', '../providers/*'],
        allowTypeImports: true,
        message: 'Import only types from activities/providers.',
      },
      ...productOnly,
    ],
  };
}

export default tseslint.config(
  { ignores: ['lib/**', 'lib-testing/**', 'node_modules/**', '.temporal-bin/**', '.journey-await/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.mjs', 'bench/worker-entry.cjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'object-shorthand': ['error', 'always'],
    },
  },
  {
    // CommonJS entry files (loaded before any TypeScript loader) can only require().
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: productOnly }] },
  },
  {
    // The examples are a service's code: they use journey-await only through its published entry points.
    files: ['examples/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../*', '../../**', '**/src/**', '**/dev/**'],
              message:
                "Import 'journey-await', 'journey-await/workflow' or 'journey-await/testing', as a service would.",
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code is replayed in Temporal's sandbox: no I/O, no Node built-ins, no ambient time or randomness.
    files: ['src/workflows/**/*.ts', 'test/helpers/workflows/**/*.ts', 'examples/**/workflows.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', workflowImports()],
      'no-restricted-globals': [
        'error',
        'process',
        'setTimeout',
        'setInterval',
        'fetch',
        'require',
        // Node 26's native Temporal API reads the real clock: the SDK's sandbox does not make it deterministic
        // (sdk-typescript#2269), unlike Date.
        { name: 'Temporal', message: temporalGlobalMessage },
      ],
      'no-restricted-properties': [
        'error',
        ...['globalThis', 'global', 'self', 'window'].map((object) => ({
          object,
          property: 'Temporal',
          message: temporalGlobalMessage,
        })),
        {
          object: 'Math',
          property: 'random',
          message: 'Use uuid4() or workflow-safe randomness from @temporalio/workflow.',
        },
      ],
      'no-console': 'error',
    },
  },
  {
    // Every patch of the product's workflow is an entry of the registry (docs/design.md "Versioning").
    files: ['src/workflows/**/*.ts'],
    ignores: ['src/workflows/versions.ts'],
    rules: { 'no-restricted-imports': ['error', workflowImports(true)] },
  },
);
