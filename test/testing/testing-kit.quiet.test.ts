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

it('starts its servers, runs a journey with a failed fetch and tears down without printing anything', async () => {
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  // A cold start that missed the SDK's 5 s and was retried says so (a loaded machine); that is the only line allowed.
  const said = stderr
    .split('\n')
    .filter((line) => line && !/^\[temporal-servers\] server start attempt \d failed/.test(line));
  expect({ code, stdout, stderr: said }).toEqual({ code: 0, stdout: 'result: completed\n', stderr: [] });
}, 180_000);
