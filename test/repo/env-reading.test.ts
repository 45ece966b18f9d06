/**
 * Only src/config reads the environment: no other module under src/ names `process.env`. Entry points get the
 * environment through src/config (processEnv, the *FromEnv helpers) and pass settings in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const srcDir = path.join(__dirname, '../../src');

function sourceFiles(): string[] {
  return readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
}

describe('only src/config reads the environment', () => {
  it('has no process.env outside src/config', () => {
    const files = sourceFiles();
    expect(files.some((f) => f.startsWith(`config${path.sep}`))).toBe(true);
    const readers = files
      .filter((f) => !f.startsWith(`config${path.sep}`))
      .filter((f) =>
        /\bprocess\s*\.\s*env\b|\bprocess\s*\[\s*['"]env['"]\s*\]/.test(readFileSync(path.join(srcDir, f), 'utf8')),
      );
    expect(readers.map((f) => `src/${f}`)).toEqual([]);
  });

  it('finds a reader in src/config (the check sees what it looks for)', () => {
    const config = sourceFiles().filter((f) => f.startsWith(`config${path.sep}`));
    expect(config.some((f) => /\bprocess\.env\b/.test(readFileSync(path.join(srcDir, f), 'utf8')))).toBe(true);
  });
});
