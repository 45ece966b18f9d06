/**
 * A long journey on the time-skipping server, with a tiny history budget so the workflow continues as new every
 * few polls: the chain must behave exactly like one run (same schedule, counts and webhook de-duplication).
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tsToMs } from '@temporalio/common/lib/time';
import { journeyProgressQuery, journeyWebhookSignal } from '../../src/contract/workflow';
import { journeyStartOptions } from '../../src/client';
import type { awaitJourneyCompletion, JourneyWorkflowInput } from '../../src/workflows/await-journey-completion';
import { nextPollDelayMs, resolvePolicy } from '../../src/workflows/schedule';
import {
  bundleJourneyWorkflows,
  createJourneyTestEnv,
  expectGapsClose,
  gaps,
  journeyInput,
  maybeSaveHistory,
  repeat,
  runHistories,
  scriptedFetch,
  type FetchStep,
} from '../helpers/workflow-env';
import { createJourneyWorker } from '../helpers/journey-worker';

/** What the server applies when a start leaves the workflow task timeout unset. */
const SERVER_DEFAULT_WORKFLOW_TASK_TIMEOUT_MS = 10_000;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([createJourneyTestEnv(), bundleJourneyWorkflows()]);
});
afterAll(() => env?.teardown());

// A local-activity poll cycle is ~6 events: a small budget so the runs stay short.
const HISTORY_BUDGET = 50;
/** See expectGapsClose: a wait that spans a hand-over may end early by the duration of the fetch before it. */
const HAND_OVER_EARLY_MS = 250;
/** Signals keep arriving while a task runs, so a flood needs more room above the headroom (20 events). */
const FLOOD_HISTORY_BUDGET = 60;

it('g. a long journey continues as new at least 3 times and behaves like one run', async () => {
  const input: JourneyWorkflowInput = { ...journeyInput(), historyEventBudget: HISTORY_BUDGET };
  const options = journeyStartOptions(input, `journey-${randomUUID()}`);
  const signalW1 = () =>
    env.client.workflow.getHandle(options.workflowId).signal(journeyWebhookSignal, { eventId: 'w1' });
  // 15 polls: a webhook during poll 2 (→ poll 3 at once), 10 failures in a row (crossing hops, so the error
  // count and backoff must carry over), the same webhook id again during poll 13 (ignored), then completion.
  const steps: FetchStep[] = [
    { status: 'in_progress' },
    { status: 'in_progress', during: signalW1 },
    ...repeat({ fail: 'transient' }, 10),
    { status: 'in_progress', during: signalW1 },
    { status: 'in_progress' },
    { status: 'completed' },
  ];
  const { activities, calls } = scriptedFetch(env, steps);
  const worker = await createJourneyWorker(env, { bundle, taskQueue: options.taskQueue, activities });

  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof awaitJourneyCompletion>('awaitJourneyCompletion', {
      ...options,
      args: [input],
    });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', terminal: true, source: 'poll', journeyId: input.journeyId });

    // Same schedule as a single run: 10 s after a success, 10 + 5k s after the k-th failure, 0 after the webhook.
    const policy = resolvePolicy();
    let errors = 0;
    const expected = steps.slice(0, -1).map((step, i) => {
      errors = 'fail' in step ? errors + 1 : 0;
      return i === 1 ? 0 : nextPollDelayMs(errors, policy);
    });
    expect(calls).toHaveLength(steps.length);
    expectGapsClose(gaps(calls), expected, undefined, HAND_OVER_EARLY_MS);

    const runs = await runHistories(env.client, handle.workflowId, handle.firstExecutionRunId);
    expect(runs.length).toBeGreaterThanOrEqual(4);
    for (const run of runs) expect(run.history.events!.length).toBeLessThanOrEqual(HISTORY_BUDGET);
    // Every run keeps the server's default workflow task timeout: neither the start nor continue-as-new shortens
    // it (a short one costs throughput; the activity's cancel watch makes cancellation prompt instead).
    for (const run of runs) {
      expect(tsToMs(run.history.events![0]!.workflowExecutionStartedEventAttributes!.workflowTaskTimeout)).toBe(
        SERVER_DEFAULT_WORKFLOW_TASK_TIMEOUT_MS,
      );
    }
    // the second 'w1' reached a later run than the first and still did not wake it
    expect(calls[12]!.runId).not.toBe(calls[1]!.runId);

    const progress = await handle.query(journeyProgressQuery);
    expect(progress).toMatchObject({
      status: 'completed',
      polls: steps.length,
      consecutiveErrors: 0,
      webhooksReceived: 1,
    });
    runs.forEach((run, i) => maybeSaveHistory(`g-continue-as-new-run${i + 1}`, run.history));
  });
});

it('a flood of duplicate webhooks while waiting continues as new without disturbing the schedule', async () => {
  const input: JourneyWorkflowInput = { ...journeyInput(), historyEventBudget: FLOOD_HISTORY_BUDGET };
  const options = journeyStartOptions(input, `journey-${randomUUID()}`);
  const { activities, calls } = scriptedFetch(env, [
    { status: 'in_progress' },
    { status: 'in_progress' },
    { status: 'completed' },
  ]);
  const worker = await createJourneyWorker(env, { bundle, taskQueue: options.taskQueue, activities });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof awaitJourneyCompletion>('awaitJourneyCompletion', {
      ...options,
      args: [input],
    });
    await handle.signal(journeyWebhookSignal, { eventId: 'dup' }); // wakes: poll 2 at once
    for (let i = 0; i < 30; i++) await handle.signal(journeyWebhookSignal, { eventId: 'dup' });
    expect(await handle.result()).toMatchObject({ status: 'completed', source: 'poll' });
    expect(calls).toHaveLength(3);
    expectGapsClose(gaps(calls).slice(1), [10_000], undefined, HAND_OVER_EARLY_MS);
    const runs = await runHistories(env.client, handle.workflowId, handle.firstExecutionRunId);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const run of runs) expect(run.history.events!.length).toBeLessThanOrEqual(FLOOD_HISTORY_BUDGET);
    expect(await handle.query(journeyProgressQuery)).toMatchObject({ polls: 3, webhooksReceived: 1 });
    runs.forEach((run, i) => maybeSaveHistory(`g-webhook-flood-run${i + 1}`, run.history));
  });
});
