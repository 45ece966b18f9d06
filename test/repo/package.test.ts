/**
 * The tarball a service installs (`npm pack`): the built lib/ and lib-testing/ and the docs, nothing else (no
 * tests, dev tooling, sources or local secrets), a declaration and a module for every documented entry point where
 * the build emits them, and source maps that carry their sources (the .ts files are not shipped).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
};
const entries = Object.entries(pkg.exports).filter(
  (entry): entry is [string, Record<string, string>] => typeof entry[1] === 'object',
);

interface EffectiveOptions {
  rootDir: string;
  outDir: string;
  sourceMap?: boolean;
  inlineSources?: boolean;
}
const effective = new Map<string, EffectiveOptions>();
/** The compiler options a tsconfig resolves to (`extends` applied), as `tsc --showConfig` prints them. */
function compilerOptionsOf(config: string): EffectiveOptions {
  if (!effective.has(config)) {
    const shown = execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '--showConfig', '-p', config],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    effective.set(config, (JSON.parse(shown) as { compilerOptions: EffectiveOptions }).compilerOptions);
  }
  return effective.get(config)!;
}

/** Where `tsc -p <config>` writes the output of a source file, from the config's effective rootDir and outDir. */
function emitted(config: string, source: string, extension: '.js' | '.d.ts'): string {
  const compilerOptions = compilerOptionsOf(config);
  const relative = path.relative(compilerOptions.rootDir, source).replace(/\.ts$/, extension);
  return `./${path.posix.join(compilerOptions.outDir.replace(/^\.\//, ''), relative)}`;
}

describe('package.json entry points', () => {
  it.each(entries)('%s: types and module are where the build emits its source', (_, target) => {
    const source = target['journey-await:source']!;
    const config = source.startsWith('./testing/') ? 'tsconfig.testing.json' : 'tsconfig.build.json';
    expect(target.types).toBe(emitted(config, source, '.d.ts'));
    expect(target.default).toBe(emitted(config, source, '.js'));
  });

  it.each(['tsconfig.build.json', 'tsconfig.testing.json'])(
    '%s writes source maps with their sources inlined',
    (config) => {
      const compilerOptions = compilerOptionsOf(config);
      if (compilerOptions.sourceMap) expect(compilerOptions.inlineSources).toBe(true);
    },
  );
});

describe('npm pack', () => {
  let dir: string;
  let packed: string[];

  // The repository's package.json and ignore files over a stand-in tree (a build takes a minute of CPU): every file
  // an entry point names, next to what a clone holds that must never ship.
  const shipped = [
    pkg.main,
    pkg.types,
    ...Object.values(pkg.bin),
    ...entries.flatMap(([, target]) => [target.types!, target.default!]),
    'lib/workflow-bundle.js',
    'lib/client/index.js.map',
    'lib-testing/dev/simulator/index.js',
    'lib-testing/src/workflows/index.js',
    'docs/testing.md',
    'README.md',
    'package.json',
  ].map((file) => path.posix.normalize(file));
  const neverShipped = [
    'src/client/index.ts',
    'testing/index.ts',
    'dev/simulator/index.ts',
    'dev/stack/start.ts',
    'test/workflows/workflow.test.ts',
    'test/fixtures/idnow/webhook-key.json',
    'test/histories/completed.json',
    'examples/onboarding/onboarding.test.ts',
    'bench/main.ts',
    'scripts/build-workflow-bundle.ts',
    '.ci/run',
    '.env',
    '.journey-await/encryption-keys',
    '.temporal-bin/temporal-cli-1.5.1',
    'node_modules/.cache/tsc/tsconfig.tsbuildinfo',
    'Dockerfile',
    'docker-compose.yml',
    'eslint.config.mjs',
    'tsconfig.json',
    'vitest.config.mts',
  ];

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'journey-await-pack-'));
    for (const file of ['package.json', '.gitignore']) copyFileSync(path.join(root, file), path.join(dir, file));
    for (const file of [...shipped, ...neverShipped].filter((file) => file !== 'package.json')) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), '\n');
    }
    const [report] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' }),
    ) as [{ files: { path: string }[] }];
    packed = report.files.map((file) => file.path);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds every file the entry points name, the workflow bundle, the testing kit and the docs', () => {
    expect(packed).toEqual(expect.arrayContaining(shipped));
  });

  it('holds no sources, tests, fixtures, dev tooling, local state or secrets', () => {
    expect(packed.filter((file) => neverShipped.includes(file))).toEqual([]);
    expect(packed.filter((file) => !/^(lib|lib-testing|docs)\/|^(README\.md|package\.json)$/.test(file))).toEqual([]);
  });
});
