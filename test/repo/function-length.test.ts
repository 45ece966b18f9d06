/**
 * No function in src/ is longer than 80 lines unless the comment right above it says why, with the marker
 * `// Long because: <reason>`. Functions, methods, constructors, accessors, arrows and function expressions all
 * count; a function's lines run from its first token to its closing brace (its own leading comments excluded), and
 * a nested function counts towards the function around it as well as on its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const srcDir = path.join(__dirname, '../../src');
const maxLines = 80;
const marker = /\/\/\s*Long because:\s*\S/;

interface FunctionSpan {
  file: string;
  name: string;
  line: number;
  lines: number;
  reasoned: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.join(dir, f))
    .sort();
}

function nameOf(node: ts.FunctionLikeDeclaration): string {
  if (node.name !== undefined) return node.name.getText();
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) &&
    parent.name !== undefined
  ) {
    return parent.name.getText();
  }
  return '<anonymous>';
}

/** The outermost node that starts on the function's first line (`export const f = async () => {` → the statement). */
function statementOf(node: ts.Node, sourceFile: ts.SourceFile): ts.Node {
  const line = (n: ts.Node): number => sourceFile.getLineAndCharacterOfPosition(n.getStart(sourceFile)).line;
  let candidate = node;
  while (!ts.isSourceFile(candidate.parent) && line(candidate.parent) === line(node)) candidate = candidate.parent;
  return candidate;
}

function hasReason(node: ts.Node, sourceFile: ts.SourceFile): boolean {
  const text = sourceFile.getFullText();
  const comments = ts.getLeadingCommentRanges(text, statementOf(node, sourceFile).getFullStart()) ?? [];
  return comments.some((c) => marker.test(text.slice(c.pos, c.end)));
}

function functionSpans(file: string, text = readFileSync(file, 'utf8')): FunctionSpan[] {
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const spans: FunctionSpan[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const fn = node as ts.FunctionLikeDeclaration;
      const start = sourceFile.getLineAndCharacterOfPosition(fn.getStart(sourceFile)).line;
      const end = sourceFile.getLineAndCharacterOfPosition(fn.getEnd()).line;
      spans.push({
        file: path.relative(srcDir, file),
        name: nameOf(fn),
        line: start + 1,
        lines: end - start + 1,
        reasoned: hasReason(fn, sourceFile),
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return spans;
}

const spans = sourceFiles(srcDir).flatMap((f) => functionSpans(f));
const describeSpan = (s: FunctionSpan): string => `src/${s.file}:${s.line} ${s.name} (${s.lines} lines)`;

describe(`functions in src/ are at most ${maxLines} lines, or say why`, () => {
  it('finds the functions (the parser sees src/)', () => {
    expect(spans.length).toBeGreaterThan(100);
    expect(spans.some((s) => s.name === 'runWorker')).toBe(true);
  });

  it(`has no function over ${maxLines} lines without a "// Long because:" comment above it`, () => {
    const offenders = spans.filter((s) => s.lines > maxLines && !s.reasoned);
    expect(offenders.map(describeSpan)).toEqual([]);
  });

  it('counts a long arrow, and accepts it only with the marker right above its statement', () => {
    const body = Array.from({ length: maxLines }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const long = `export const f = async (): Promise<void> => {\n${body}\n};\n`;
    const [bare] = functionSpans(path.join(srcDir, 'x.ts'), long);
    expect(bare).toMatchObject({ name: 'f', lines: maxLines + 2, reasoned: false });
    const [marked] = functionSpans(path.join(srcDir, 'x.ts'), `// Long because: a generated table.\n${long}`);
    expect(marked).toMatchObject({ name: 'f', reasoned: true });
    const [far] = functionSpans(path.join(srcDir, 'x.ts'), `// Long because: x\nconst a = 1;\n${long}`);
    expect(far?.reasoned).toBe(false);
  });
});
