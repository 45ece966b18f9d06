/**
 * A service's test run with journey-await/testing prints nothing of the kit's own: no SLF4J notice from the
 * time-skipping server, no core warning about capabilities that server lacks, no SDK warning for a fetch that
 * fails on purpose. Run in a child process, so everything it writes to stdout and stderr is seen.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');

const script = `
  const { createJourneyTestEnvironment } = require(${JSON.stringify(path.join(root, 'testing'))});
  const { awaitJourneyResult, startJourneyAwait } = require(${JSON.stringify(path.join(root, 'src/client'))});
  (async () => {
    const journeys = await createJourneyTestEnvironment();
    try {
      const ref = { provider: 'idnow', journeyId: 'quiet-kit-journey-1' };
      // A failed fetch on the way: the activity fails once, which is when core warned about heartbeat details.
      journeys.scriptJourney(ref.provider, ref.journeyId, ['in_progress', '503', 'completed']);
      await startJourneyAwait(journeys.client, ref, { taskQueue: journeys.taskQueue });
      const state = await awaitJourneyResult(journeys.client, ref);
      process.stdout.write('result: ' + state.status + '\\n');
    } finally {
      await journeys.teardown();
    }
  })().catch((err) => { process.stdout.write('failed: ' + err.stack + '\\n'); process.exitCode = 1; });
`;

/** Runs a script in a child process with the repository's TypeScript loader: its exit code and all it printed. */
async function runChild(code: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', code], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code: exitCode, stdout, stderr };
}

/** A cold start that missed the SDK's 5 s and was retried says so (a loaded machine); no other line is allowed. */
const saidBesidesRetries = (stderr: string) =>
  stderr.split('\n').filter((line) => line && !/^\[temporal-servers\] server start attempt \d failed/.test(line));

it('starts its servers, runs a journey with a failed fetch and tears down without printing anything', async () => {
  const { code, stdout, stderr } = await runChild(script);
  expect({ code, stdout, stderr: saidBesidesRetries(stderr) }).toEqual({
    code: 0,
    stdout: 'result: completed\n',
    stderr: [],
  });
}, 180_000);

it('keeps the Runtime a test installed before it (and does not throw)', async () => {
  const { code, stdout, stderr } = await runChild(`
    const { DefaultLogger, makeTelemetryFilterString, Runtime } = require('@temporalio/worker');
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
    });
    const { createJourneyTestEnvironment } = require(${JSON.stringify(path.join(root, 'testing'))});
    createJourneyTestEnvironment({ fetchState: 'scripted' })
      .then((journeys) => journeys.teardown())
      .then(() => process.stdout.write('ok\\n'), (err) => process.stdout.write('failed: ' + err.message + '\\n'));
  `);
  expect({ code, stdout, stderr: saidBesidesRetries(stderr) }).toEqual({ code: 0, stdout: 'ok\n', stderr: [] });
}, 180_000);
