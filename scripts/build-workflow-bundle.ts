/**
 * `npm run build` step: bundles the workflow code once into lib/workflow-bundle.js, which the production worker
 * loads with `workflowBundle: { codePath }` (no webpack at start-up), and once more with the OpenTelemetry workflow
 * interceptors into lib/workflow-bundle-traced.js, which it loads instead when tracing is on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { TRACING_WORKFLOW_MODULE } from '../src/tracing';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };
  // Failure messages and stack traces are encoded (and so encrypted, when the worker has keys).
  for (const [file, workflowInterceptorModules] of [
    ['workflow-bundle.js', []],
    ['workflow-bundle-traced.js', [TRACING_WORKFLOW_MODULE]],
  ] as const) {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve(path.join(root, 'src', 'workflows')),
      failureConverterPath: require.resolve(path.join(root, 'src', 'codec', 'failure-converter')),
      workflowInterceptorModules: [...workflowInterceptorModules],
      logger: quiet as never,
    });
    const out = path.join(root, 'lib', file);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, code);
    process.stdout.write(
      `workflow bundle: ${path.relative(process.cwd(), out)} (${(code.length / 1024).toFixed(0)} KiB)\n`,
    );
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
