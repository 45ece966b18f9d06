/**
 * End to end on the time-skipping server: the real awaitJourneyCompletion workflow with the real fetchState
 * activity talking HTTP to the provider simulator, for all three providers, including an error burst.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, createProviderAgent } from '../../src/activities';
import type { FetchStateInput } from '../../src/contract/journey-state';
import type { JourneyProvider } from '../../src/contract/vocabulary';
import { JOURNEY_REJECTED_BY_PROVIDER } from '../../src/contract/errors';
import type { AwaitJourneyInput } from '../../src/contract/input';
import { journeyProgressQuery } from '../../src/contract/workflow';
import { startSimulator, type Simulator } from '../../dev/simulator';
import { journeyStartOptions } from '../../src/client';
import type { awaitJourneyCompletion } from '../../src/workflows';
import { createJourneyWorker } from '../helpers/journey-worker';
import { bundleJourneyWorkflows, createJourneyTestEnv } from '../helpers/workflow-env';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let sim: Simulator;
const agent = createProviderAgent();

beforeAll(async () => {
  [env, bundle, sim] = await Promise.all([createJourneyTestEnv(), bundleJourneyWorkflows(), startSimulator()]);
});
afterAll(async () => {
  await env?.teardown();
  await sim?.close();
  await agent.close();
});

/** The real activity, with the server time at which each call started and ended. */
function recordedActivities() {
  const real = createActivities({
    config: sim.providerConfig(),
    dispatcher: agent,
    http: { headersTimeoutMs: 500, bodyTimeoutMs: 500, totalTimeoutMs: 3_000 },
  });
  const calls: FetchCall[] = [];
  return {
    calls,
    activities: {
      async fetchState(input: FetchStateInput) {
        const start = await env.currentTimeMs();
        try {
          return await real.fetchState(input);
        } finally {
          calls.push({ start, end: await env.currentTimeMs() });
        }
      },
    },
  };
}

interface FetchCall {
  start: number;
  end: number;
}

async function run<T>(activities: object, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `e2e-${randomUUID()}`;
  const worker = await createJourneyWorker(env, { bundle, taskQueue, activities });
  return worker.runUntil(fn(taskQueue));
}

/** Seconds from the end of each fetch to the start of the next. */
const gapsSec = (calls: FetchCall[]) => calls.slice(1).map((c, i) => (c.start - calls[i]!.end) / 1000);

/**
 * Server-time gaps match the schedule, give or take the real time a workflow task takes (time skipping pauses
 * while a task or a fetch runs). Gaps start at the end of a fetch: the next poll's timer starts once the fetch is
 * done, so a slow fetch's own real time (a timeout, on a loaded machine a second) is not part of the schedule.
 */
function expectGaps(calls: FetchCall[], expected: number[]): void {
  const actual = gapsSec(calls);
  expect(actual).toHaveLength(expected.length);
  actual.forEach((gap, i) => expect(Math.abs(gap - expected[i]!), `gap ${i}: ${actual.join(', ')}`).toBeLessThan(1.5));
}

describe.each(['gbg-go-v2', 'gbg-go-v1', 'idnow'] as JourneyProvider[])('%s end to end', (provider) => {
  it('completes after three in-progress polls, 10 s apart', async () => {
    const journeyId = `sim-complete-after-3-${randomUUID()}`;
    const { activities, calls } = recordedActivities();
    const result = await run(activities, async (taskQueue) => {
      const input: AwaitJourneyInput = { provider, journeyId };
      const handle = await env.client.workflow.start<typeof awaitJourneyCompletion>(
        'awaitJourneyCompletion',
        journeyStartOptions(input, taskQueue),
      );
      return handle.result();
    });
    expect(result).toMatchObject({ provider, journeyId, status: 'completed', terminal: true, source: 'poll' });
    if (provider !== 'gbg-go-v1') expect(result.decision).toBe('accepted');
    expect(sim.journey(provider, journeyId)?.fetches).toBe(4);
    expectGaps(calls, [10, 10, 10]);
  });

  it('rides out an error burst (503s, a 429 with Retry-After, malformed JSON, a timeout, a reset) and completes', async () => {
    const journeyId = `burst-${randomUUID()}`;
    sim.script(provider, journeyId, [
      'in_progress',
      '503 x3',
      '429 retry-after 40',
      'malformed',
      'slow 2s',
      'reset',
      'in_progress',
      'completed',
    ]);
    const { activities, calls } = recordedActivities();
    const { result, progress, history } = await run(activities, async (taskQueue) => {
      const input: AwaitJourneyInput = { provider, journeyId };
      const handle = await env.client.workflow.start<typeof awaitJourneyCompletion>(
        'awaitJourneyCompletion',
        journeyStartOptions(input, taskQueue),
      );
      const result = await handle.result();
      return { result, progress: await handle.query(journeyProgressQuery), history: await handle.fetchHistory() };
    });
    // The failed fetches' markers record type, message and details, no stack trace: about a successful one's size.
    const fetches = (history.events ?? []).filter(
      (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
    );
    const failed = fetches.filter((e) => e.markerRecordedEventAttributes!.failure);
    expect(failed).toHaveLength(7);
    for (const e of failed) expect(e.markerRecordedEventAttributes!.failure!.stackTrace ?? '').toBe('');
    const bytes = (e: (typeof fetches)[number]) => temporal.api.history.v1.HistoryEvent.encode(e).finish().length;
    // A failed fetch's marker: ~500 bytes against ~440 for an in-progress one (~1,600 with a stack trace).
    for (const e of failed) expect(bytes(e)).toBeLessThan(800);
    expect(result).toMatchObject({ provider, journeyId, status: 'completed', terminal: true });
    expect(sim.journey(provider, journeyId)?.fetches).toBe(10);
    // 10 s after a success; 10 + 5k s after the k-th consecutive failure; the 429's 40 s beats the scheduled 30 s.
    expectGaps(calls, [10, 15, 20, 25, 40, 35, 40, 45, 10]);
    expect(progress).toMatchObject({ consecutiveErrors: 0, polls: 10 });
  });

  it('a 400 fails the workflow at once as rejected by the provider', async () => {
    const journeyId = `sim-http-400-${randomUUID()}`;
    const { activities } = recordedActivities();
    const err = await run(activities, async (taskQueue) => {
      const input: AwaitJourneyInput = { provider, journeyId };
      const handle = await env.client.workflow.start<typeof awaitJourneyCompletion>(
        'awaitJourneyCompletion',
        journeyStartOptions(input, taskQueue),
      );
      return handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe(JOURNEY_REJECTED_BY_PROVIDER);
    expect(sim.journey(provider, journeyId)?.fetches).toBe(1);
  });
});
