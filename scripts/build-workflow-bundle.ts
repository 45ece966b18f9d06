/**
 * `npm run build` step: bundles the workflow code once into lib/workflow-bundle.js, which the production worker
 * loads with `workflowBundle: { codePath }` (no webpack at start-up).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };
  // Failure messages and stack traces are encoded (and so encrypted, when the worker has keys).
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve(path.join(root, 'src', 'workflows')),
    failureConverterPath: require.resolve(path.join(root, 'src', 'codec', 'failure-converter')),
    logger: quiet as never,
  });
  const out = path.join(root, 'lib', 'workflow-bundle.js');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, code);
  process.stdout.write(
    `workflow bundle: ${path.relative(process.cwd(), out)} (${(code.length / 1024).toFixed(0)} KiB)\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
