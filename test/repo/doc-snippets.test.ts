/**
 * The TypeScript a service copies from the docs type-checks against the package's public entry points: README's
 * "Using it from a service" and "Testing your service", docs/testing.md's "In a few lines", and docs/client.md's
 * waiting including re-drives ("From plain code", "From a workflow"). Each snippet is
 * compiled as a file at the package root, so `journey-await` and `journey-await/testing` resolve through
 * package.json `exports` (to the sources, by the `journey-await:source` condition), with the repository's strict
 * compiler options. The names a snippet leaves to the reader are declared for it, and nothing else.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');

interface Snippet {
  doc: string;
  heading: string;
  /** What the snippet uses without defining it: the reader's own names. */
  readerDefines: string;
}

const SNIPPETS: Snippet[] = [
  { doc: 'README.md', heading: '## Using it from a service', readerDefines: 'declare const sessionId: string;' },
  {
    doc: 'README.md',
    heading: '## Testing your service',
    readerDefines: [
      "import { Worker } from '@temporalio/worker';",
      "import { expect } from 'vitest';",
      'declare const workflowsPath: string, sessionId: string, workflowId: string;',
      "declare function onboardCustomer(input: { provider: 'idnow'; journeyId: string }): Promise<{ decision: string }>;",
    ].join('\n'),
  },
  {
    doc: 'docs/client.md',
    heading: '#### From plain code',
    readerDefines: 'declare const sessionId: string;',
  },
  {
    doc: 'docs/client.md',
    heading: '#### From a workflow',
    readerDefines: "import type { Client } from '@temporalio/client';\ndeclare const client: Client;",
  },
  {
    doc: 'docs/testing.md',
    heading: '## In a few lines',
    readerDefines: [
      "import { afterAll, beforeAll, expect, it } from 'vitest';",
      'declare const myActivities: Record<string, () => Promise<void>>;',
      'declare function onboardCustomer(input: { journeyId: string }): Promise<{ decision: string }>;',
    ].join('\n'),
  },
];

/** The first ```ts block under a heading. */
function snippetUnder(doc: string, heading: string): string {
  const text = readFileSync(path.join(root, doc), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, `${doc} has no "${heading}"`).toBeGreaterThanOrEqual(0);
  const block = /\n```ts\n([\s\S]*?)\n```\n/.exec(text.slice(start));
  expect(block, `${doc} "${heading}" has no ts block`).not.toBeNull();
  return block![1]!;
}

/** The snippet as a module: its imports at the top, the rest in an async function (it uses `await` freely). */
function asModule(snippet: Snippet): string {
  const lines = snippetUnder(snippet.doc, snippet.heading).split('\n');
  const imports = lines.filter((line) => line.startsWith('import '));
  const body = lines.filter((line) => !line.startsWith('import '));
  return [...imports, snippet.readerDefines, 'export async function snippet(): Promise<void> {', ...body, '}', ''].join(
    '\n',
  );
}

/** Type errors per file, for modules that exist only here, compiled in one program as files at the package root. */
function typeErrors(files: Map<string, string>): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  )!;
  const options = { ...config.options, noEmit: true, incremental: false };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (file) => files.has(file) || fileExists.call(host, file);
  host.readFile = (file) => files.get(file) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, ...rest) =>
    files.has(file)
      ? ts.createSourceFile(file, files.get(file)!, language)
      : getSourceFile.call(host, file, language, ...rest);
  const program = ts.createProgram([...files.keys()], options, host);
  return new Map(
    [...files.keys()].map((file) => [
      file,
      ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((diagnostic) => {
        const line = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line;
        const text = diagnostic.file!.text.split('\n')[line]!.trim();
        return `${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')} [${text}]`;
      }),
    ]),
  );
}

describe('the docs TypeScript snippets', () => {
  const file = (name: string) => path.join(root, `doc-snippet-${name}-${process.pid}.ts`);
  const snippets = SNIPPETS.map((snippet) => [`${snippet.doc} "${snippet.heading}"`, asModule(snippet)] as const);
  // In the same program: proof that a name the package does not export is an error here.
  const unexported = "import { startJourney } from 'journey-await';\nvoid startJourney;\n";
  let errors: Map<string, string[]>;
  beforeAll(() => {
    errors = typeErrors(
      new Map([...snippets.map(([, code], i) => [file(`${i}`), code] as const), [file('unexported'), unexported]]),
    );
  });

  it.each(snippets.map(([name], i) => [name, i] as const))(
    '%s compiles against journey-await and journey-await/testing, strict',
    (_, i) => {
      expect(errors.get(file(`${i}`))).toEqual([]);
    },
  );

  it('are checked for real: an import the package does not export is an error', () => {
    expect(errors.get(file('unexported'))!.join('\n')).toMatch(/has no exported member 'startJourney'/);
  });
});
