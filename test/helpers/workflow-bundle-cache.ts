/**
 * Workflow bundles for the tests, built once and kept. Bundling (webpack + swc) costs seconds of CPU and most test
 * files run a worker on the same workflow code, so a bundle is stored under node_modules/.cache, keyed by the
 * content of everything it is built from (src/, the workflows' own folder, package-lock.json) and the bundle
 * options: any change to them builds a new one. Files running at the same time may each build a missing bundle;
 * the write is atomic, so a reader never sees half a file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

const repoRoot = path.resolve(__dirname, '../..');
const cacheDir = path.join(repoRoot, 'node_modules', '.cache', 'journey-await-tests', 'workflow-bundles');

export const quietBundlerLogger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error: console.error,
  log() {},
} as never;

export interface TestBundleOptions {
  workflowsPath: string;
  failureConverterPath?: string;
}

function hashTree(hash: ReturnType<typeof createHash>, dir: string): void {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
  for (const file of files) {
    const full = path.join(dir, file);
    if (!statSync(full).isFile()) continue;
    hash.update(`\0${path.relative(repoRoot, full)}\0`).update(readFileSync(full));
  }
}

function bundleKey(options: TestBundleOptions): string {
  const hash = createHash('sha256').update(JSON.stringify(options));
  const workflowsDir = statSync(options.workflowsPath).isDirectory()
    ? options.workflowsPath
    : path.dirname(options.workflowsPath);
  const src = path.join(repoRoot, 'src');
  for (const dir of workflowsDir.startsWith(src) ? [src] : [src, workflowsDir]) hashTree(hash, dir);
  hash.update(readFileSync(path.join(repoRoot, 'package-lock.json')));
  return hash.digest('hex').slice(0, 32);
}

export async function cachedWorkflowBundle(options: TestBundleOptions): Promise<WorkflowBundleWithSourceMap> {
  const file = path.join(cacheDir, `${bundleKey(options)}.json`);
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as WorkflowBundleWithSourceMap;
    const now = new Date();
    utimesSync(file, now, now); // in use: not pruned
    return cached;
  } catch {
    // Not built yet (or unreadable): build it below.
  }
  const bundle = await bundleWorkflowCode({ ...options, logger: quietBundlerLogger });
  mkdirSync(cacheDir, { recursive: true });
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, JSON.stringify({ code: bundle.code, sourceMap: bundle.sourceMap }));
  renameSync(staging, file);
  pruneOthers(file);
  return bundle;
}

/** Bundles not used for an hour were built from older sources: they are never read again. */
function pruneOthers(keep: string): void {
  const cutoff = Date.now() - 60 * 60_000;
  for (const name of readdirSync(cacheDir)) {
    const full = path.join(cacheDir, name);
    try {
      if (full !== keep && statSync(full).mtimeMs < cutoff) rmSync(full, { force: true });
    } catch {
      // Removed by another test file meanwhile.
    }
  }
}
