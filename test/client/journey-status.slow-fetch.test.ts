/**
 * Progress queries while a fetch is in flight. fetchState is a local activity: it holds the journey's workflow task
 * open for the whole fetch, and a query is answered only when that task completes. A query given up on before then
 * is answered anyway, and the worker logs the server's refusal ("Query not found when attempting to respond to it").
 * Here every fetch takes 4 s and the next starts 1 s later, so a query a second mostly arrives while one holds the
 * task, and some waited longer than the 5 s a progress query used to be given (three refused answers in three such
 * waits before): status and result --wait's progress are answered, and the worker's log (core's warnings,
 * forwarded) has no refused answer.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { expect, it } from 'vitest';
import { awaitJourneyResult, getJourneyStatus, startJourneyAwait } from '../../src/client';
import { journeySearchAttributeKeys, type JourneyProgress } from '../../src/contract/workflow';
import { devServerExecutable, withStartRetries } from '../../dev/temporal-servers';
import { useLocalJourneyStack } from '../helpers/local-stack';

const TASK_QUEUE = `slow-fetch-${randomUUID().slice(0, 8)}`;
const coreWarnings: string[] = [];
// This file's own Runtime: core's warnings forwarded and kept (the shared test Runtime keeps only its errors).
const stack = useLocalJourneyStack(TASK_QUEUE, {
  createEnv: async () => {
    Runtime.install({
      logger: new DefaultLogger('WARN', ({ message, meta }) => {
        if (meta?.sdkComponent === 'core') coreWarnings.push(message);
      }),
      telemetryOptions: {
        logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) },
      },
    });
    const executable = await devServerExecutable();
    return withStartRetries(executable, () =>
      TestWorkflowEnvironment.createLocal({
        server: {
          executable,
          searchAttributes: journeySearchAttributeKeys,
          extraArgs: ['--output', 'none'],
          // The dev server warns of each query slower than 5 s; here they are the point.
          log: { format: 'pretty', level: 'error' },
        },
      }),
    );
  },
});

it('status and result --wait progress are answered during 4 s fetches, and the worker logs no refused answer', async () => {
  const ref = { provider: 'idnow', journeyId: `slow-fetch-${randomUUID()}` } as const;
  const slow = 'slow 4s in_progress';
  stack.sim.script('idnow', ref.journeyId, [slow, slow, slow, slow, 'slow 4s completed']);
  await startJourneyAwait(stack.env.client, { ...ref, polling: { baseIntervalMs: 1_000 } }, { taskQueue: TASK_QUEUE });

  // The first fetch is in flight from the start: status waits for it and reports the progress.
  const status = await getJourneyStatus(stack.env.client, ref);
  expect(status.executionStatus).toBe('RUNNING');
  expect(status.progress?.polls).toBe(1);

  // result --wait's pace: a query a second, each arriving while a fetch holds the task.
  const progress: JourneyProgress[] = [];
  const state = await awaitJourneyResult(stack.env.client, ref, {
    progressIntervalMs: 1_000,
    onProgress: (p) => progress.push(p),
  });
  expect(state.status).toBe('completed');
  expect(progress.map((p) => p.polls)).toContain(1);
  // A late answer is refused within a few hundred ms of the query given up on.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(coreWarnings.filter((m) => /Query not found/.test(m))).toEqual([]);
}, 90_000);
