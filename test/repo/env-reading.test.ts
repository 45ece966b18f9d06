/**
 * Only src/config reads the environment. Outside it no file names `process.env`, and the environment's settings
 * (`processEnv()`, or a `…FromEnv()` call that takes no env of its own) are read only by a process's entry
 * function `main`, which passes them in, and by `connectClient`, the client library's front door, documented to
 * connect from @temporalio/envconfig. A `…FromEnv(env)` with an env passed in only parses what it is given.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const srcDir = path.join(__dirname, '../../src');
const mayRead = new Set(['main', 'connectClient']);

function sourceFiles(): string[] {
  return readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.startsWith(`config${path.sep}`))
    .sort();
}

function enclosingFunction(node: ts.Node): string {
  for (let n = node.parent; n !== undefined; n = n.parent) {
    if (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) return n.name?.getText() ?? '<anonymous>';
    if ((ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && ts.isVariableDeclaration(n.parent))
      return n.parent.name.getText();
  }
  return '<module>';
}

/** `file:line callee in fn` for each read of the environment's settings outside main/connectClient. */
function envReads(file: string, text: string): string[] {
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const callee = node.expression.text;
      const readsEnv = callee === 'processEnv' || (callee.endsWith('FromEnv') && node.arguments.length === 0);
      const fn = enclosingFunction(node);
      if (readsEnv && !mayRead.has(fn)) {
        const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
        found.push(`${file}:${line} ${callee}() in ${fn}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

describe('only src/config reads the environment', () => {
  const files = sourceFiles().map((f) => ({ file: `src/${f}`, text: readFileSync(path.join(srcDir, f), 'utf8') }));

  it('no file outside src/config names process.env', () => {
    expect(files.length).toBeGreaterThan(50);
    const readsEnv = /\bprocess\s*\.\s*env\b|\bprocess\s*\[\s*['"]env['"]\s*\]/;
    expect(files.filter((f) => readsEnv.test(f.text)).map((f) => f.file)).toEqual([]);
  });

  it('finds the reader in src/config (the check sees what it looks for)', () => {
    expect(readFileSync(path.join(srcDir, 'config', 'env.ts'), 'utf8')).toMatch(/\bprocess\.env\b/);
  });

  it('outside main (and connectClient) no function reads the environment’s settings itself', () => {
    expect(files.flatMap((f) => envReads(f.file, f.text))).toEqual([]);
  });

  it('catches a helper that reads them, and lets main and a passed env be', () => {
    const text = [
      'export async function runWorker() { const c = temporalConnectionFromEnv(); }',
      'const run = () => clientSettingsFromEnv(processEnv());',
      'export async function main() { const s = workerSettingsFromEnv(); }',
      'function parse(env: Env) { return clientSettingsFromEnv(env); }',
    ].join('\n');
    expect(envReads('x.ts', text)).toEqual([
      'x.ts:1 temporalConnectionFromEnv() in runWorker',
      'x.ts:2 processEnv() in run',
    ]);
  });
});
