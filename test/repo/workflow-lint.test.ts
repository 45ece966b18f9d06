/**
 * The lint rules that keep workflow code deterministic, run on snippets through the repository's own ESLint config:
 * Node 26's `Temporal` global reads the real clock and the SDK's sandbox does not replace it (sdk-typescript#2269).
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');
const snippet = [
  'export const at = Temporal.Now.instant();',
  'export const api = globalThis.Temporal;',
  'export const now = Date.now();',
  '',
].join('\n');

describe('eslint.config.mjs', () => {
  let eslint: ESLint;
  const rulesHit = async (filePath: string) => {
    const [result] = await eslint.lintText(snippet, { filePath: path.join(root, filePath) });
    return result!.messages.map((m) => `${m.line}:${m.ruleId}`);
  };
  beforeAll(() => {
    // Without type information (the rules under test need none): a TypeScript program for the whole tree takes 40 s.
    eslint = new ESLint({
      cwd: root,
      overrideConfig: {
        languageOptions: { parserOptions: { projectService: false } },
        rules: { '@typescript-eslint/no-floating-promises': 'off' },
      },
    });
  });

  it('forbids the Temporal global, bare or through globalThis, in workflow code (Date stays allowed)', async () => {
    expect(await rulesHit('src/workflows/index.ts')).toEqual(['1:no-restricted-globals', '2:no-restricted-properties']);
  });

  it('leaves it alone outside workflow code', async () => {
    expect(await rulesHit('src/client/index.ts')).toEqual([]);
  });
});
