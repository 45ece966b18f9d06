/**
 * awaitJourneyCompletion on the time-skipping server, with `fetchState` scripted. Every timing comes from
 * Temporal's clock (the scripted activity reads env.currentTimeMs(); history events carry server timestamps).
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOURNEY_POLLING_EXHAUSTED, JOURNEY_REJECTED_BY_PROVIDER } from '../../src/contract/errors';
import type { AwaitJourneyInput } from '../../src/contract/input';
import {
  journeyProgressQuery,
  journeyProviderKey,
  journeyStatusKey,
  journeyWebhookSignal,
  MAX_WEBHOOK_TEXT_LENGTH,
} from '../../src/contract/workflow';
import { createJourneyWorker } from '../helpers/journey-worker';
import { startJourneyWorkflow } from '../helpers/start-journey';
import type { awaitJourneyCompletion, PollingExhaustedDetails } from '../../src/workflows/await-journey-completion';
import { resolvePolicy, timeToExhaustionMs } from '../../src/workflows/schedule';
import {
  EventType,
  PII_NAME,
  bundleJourneyWorkflows,
  createJourneyTestEnv,
  eventMs,
  eventsOf,
  expectGapsClose,
  gaps,
  journeyInput,
  maybeSaveHistory,
  repeat,
  scriptedFetch,
  type FetchCall,
  type FetchStep,
} from '../helpers/workflow-env';

type Handle = WorkflowHandleWithFirstExecutionRunId<typeof awaitJourneyCompletion>;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([createJourneyTestEnv(), bundleJourneyWorkflows()]);
});
afterAll(() => env?.teardown());

const inProgress: FetchStep = { status: 'in_progress' };
const completed: FetchStep = { status: 'completed' };
const transient: FetchStep = { fail: 'transient' };

/** Runs one journey on its own task queue with a scripted fetchState; `body` drives it through the handle. */
async function runJourney<T>(
  steps: FetchStep[] | ((handle: () => Handle) => FetchStep[]),
  body: (handle: Handle, calls: FetchCall[]) => Promise<T>,
  input: AwaitJourneyInput = journeyInput(),
): Promise<T> {
  let handle: Handle | undefined;
  const script = typeof steps === 'function' ? steps(() => handle!) : steps;
  const { activities, calls } = scriptedFetch(env, script);
  const taskQueue = `journey-${randomUUID()}`;
  const worker = await createJourneyWorker(env, { bundle, taskQueue, activities });
  return worker.runUntil(async () => {
    handle = await startJourneyWorkflow(env.client, input, { taskQueue });
    return body(handle, calls);
  });
}

async function failureOf(handle: Handle): Promise<Error | undefined> {
  const err = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return (err as WorkflowFailedError).cause;
}

/**
 * Waits (real time, bounded) until the scripted activity has been called n times. The bound is generous: a new
 * worker's first workflow task alone takes one to two seconds on a loaded 2-core machine.
 */
async function untilCalls(calls: FetchCall[], n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (calls.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  expect(calls.length).toBeGreaterThanOrEqual(n);
}

/**
 * History positions of the first fetch (its local-activity marker) and of the first timer. On the time-skipping
 * server Temporal's clock jumps only to a timer, so a fetch recorded before any timer ran without waiting; while
 * that first task runs the clock moves with real time, which a loaded machine stretches past a second.
 */
async function firstFetchAndTimer(handle: Handle): Promise<{ fetch: number; timer: number }> {
  const events = (await handle.fetchHistory()).events ?? [];
  return {
    fetch: events.findIndex((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity'),
    timer: events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED),
  };
}

async function startedAt(handle: Handle): Promise<number> {
  const history = await handle.fetchHistory();
  return eventMs(eventsOf(history, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)[0]!);
}

async function closedAt(handle: Handle): Promise<number> {
  const history = await handle.fetchHistory();
  return eventMs(history.events!.at(-1)!);
}

describe('polling schedule', () => {
  it('a. completes on the 4th poll: exactly 4 fetches, 10 s apart, the first at start', async () => {
    await runJourney([...repeat(inProgress, 3), completed], async (handle, calls) => {
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'completed', terminal: true, source: 'poll' });
      expect(calls).toHaveLength(4);
      const first = await firstFetchAndTimer(handle);
      expect(first.fetch).toBeGreaterThan(-1);
      expect(first.fetch).toBeLessThan(first.timer);
      expectGapsClose(gaps(calls), [10_000, 10_000, 10_000]);
      maybeSaveHistory('a-completes-on-4th-poll', await handle.fetchHistory());
    });
  });

  it('b. 3 failures then 2 in-progress then completed: gaps 15, 20, 25, then 10, 10 s', async () => {
    await runJourney([...repeat(transient, 3), inProgress, inProgress, completed], async (handle, calls) => {
      expect(await handle.result()).toMatchObject({ status: 'completed', source: 'poll' });
      expect(calls).toHaveLength(6);
      expectGapsClose(gaps(calls), [15_000, 20_000, 25_000, 10_000, 10_000]);
      maybeSaveHistory('b-errors-then-completes', await handle.fetchHistory());
    });
  });

  it("a 429's Retry-After stretches the wait when longer than the schedule, never shortens it", async () => {
    const steps: FetchStep[] = [
      { fail: 'transient', httpStatus: 429, retryAfterMs: 60_000 },
      { fail: 'transient', httpStatus: 429, retryAfterMs: 1_000 },
      completed,
    ];
    await runJourney(steps, async (handle, calls) => {
      await handle.result();
      expectGapsClose(gaps(calls), [60_000, 20_000]);
    });
  });

  it('c. 30 consecutive failures: JourneyPollingExhausted after exactly 30 fetches, ~41 min in', async () => {
    await runJourney([transient], async (handle, calls) => {
      const cause = await failureOf(handle);
      expect(cause).toBeInstanceOf(ApplicationFailure);
      const failure = cause as ApplicationFailure;
      expect(failure.type).toBe(JOURNEY_POLLING_EXHAUSTED);
      expect(failure.nonRetryable).toBe(true);
      expect(failure.details?.[0]).toMatchObject({
        consecutiveErrors: 30,
        polls: 30,
        lastError: 'HTTP 503',
      } satisfies Partial<PollingExhaustedDetails>);
      expect(calls).toHaveLength(30);
      const predicted = timeToExhaustionMs(resolvePolicy()); // 2,465 s
      expect(predicted).toBe(2_465_000);
      const elapsed = (await closedAt(handle)) - (await startedAt(handle));
      expect(elapsed).toBeGreaterThanOrEqual(predicted);
      expect(elapsed - predicted).toBeLessThan(15_000);
    });
  });

  it('c. a success at the 29th attempt resets the count instead', async () => {
    await runJourney([...repeat(transient, 28), inProgress, transient, transient, completed], async (handle, calls) => {
      expect(await handle.result()).toMatchObject({ status: 'completed' });
      expect(calls).toHaveLength(32);
      // after the 28th failure 10 + 28×5 s; after the success 10 s; then the count starts again at 1, 2.
      expectGapsClose(gaps(calls).slice(-4), [150_000, 10_000, 15_000, 20_000]);
    });
  });
});

describe('webhooks', () => {
  it('d. a webhook while sleeping: fetch at the signal time, source webhook', async () => {
    await runJourney([inProgress, completed], async (handle, calls) => {
      await untilCalls(calls, 1);
      await env.sleep('3s');
      await handle.signal(journeyWebhookSignal, { eventId: 'evt-1', providerStatus: 'COMPLETED' });
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'completed', source: 'webhook' });
      expect(calls).toHaveLength(2);
      const history = await handle.fetchHistory();
      const signalled = eventMs(eventsOf(history, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)[0]!);
      expect(calls[1]!.at - signalled).toBeGreaterThanOrEqual(0);
      expect(calls[1]!.at - signalled).toBeLessThan(1_000);
      expect(gaps(calls)[0]).toBeLessThan(5_000);
      maybeSaveHistory('d-webhook-while-sleeping', history);
    });
  });

  it('d. a repeated eventId triggers nothing', async () => {
    await runJourney([inProgress, inProgress, completed], async (handle, calls) => {
      await untilCalls(calls, 1);
      await env.sleep('3s');
      await handle.signal(journeyWebhookSignal, { eventId: 'evt-1' });
      await untilCalls(calls, 2);
      await env.sleep('2s');
      await handle.signal(journeyWebhookSignal, { eventId: 'evt-1' });
      expect(await handle.result()).toMatchObject({ status: 'completed', source: 'poll' });
      expect(calls).toHaveLength(3);
      // the duplicate did not wake the workflow: the third fetch is a full interval after the second
      expectGapsClose(gaps(calls).slice(1), [10_000]);
      expect(await handle.query(journeyProgressQuery)).toMatchObject({ webhooksReceived: 1, polls: 3 });
    });
  });

  it('d. a signal with no argument (as the temporal CLI sends), null, or an over-long event id wakes the journey', async () => {
    const overLongId = 'x'.repeat(MAX_WEBHOOK_TEXT_LENGTH + 1);
    await runJourney([inProgress, inProgress, inProgress, inProgress, completed], async (handle, calls) => {
      const byName = env.client.workflow.getHandle(handle.workflowId);
      const wakes = [
        () => byName.signal('journeyWebhook'),
        () => byName.signal('journeyWebhook', null),
        // Not remembered (ids are carried across continue-as-new), so the repeat wakes it too.
        () => handle.signal(journeyWebhookSignal, { eventId: overLongId }),
        () => handle.signal(journeyWebhookSignal, { eventId: overLongId }),
      ];
      for (const [i, wake] of wakes.entries()) {
        await untilCalls(calls, i + 1);
        await env.sleep('2s');
        await wake();
      }
      expect(await handle.result()).toMatchObject({ status: 'completed', source: 'webhook' });
      expect(calls).toHaveLength(5);
      // Every fetch after the first followed its signal, not the 10 s schedule.
      for (const gap of gaps(calls)) expect(gap).toBeLessThan(5_000);
      expect(await handle.query(journeyProgressQuery)).toMatchObject({ webhooksReceived: 4, polls: 5 });
      const history = await handle.fetchHistory();
      expect(eventsOf(history, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toHaveLength(0);
      maybeSaveHistory('d-odd-webhook-signals', history);
    });
  });

  it('d. a webhook that lands during an in-flight fetch is not lost', async () => {
    await runJourney(
      (handle) => [
        inProgress,
        { status: 'in_progress', during: () => handle().signal(journeyWebhookSignal, { eventId: 'evt-2' }) },
        completed,
      ],
      async (handle, calls) => {
        await untilCalls(calls, 1);
        await env.sleep('3s');
        await handle.signal(journeyWebhookSignal, { eventId: 'evt-1' });
        expect(await handle.result()).toMatchObject({ status: 'completed', source: 'webhook' });
        expect(calls).toHaveLength(3);
        // fetch 3 follows fetch 2 at once, woken by the signal that arrived while fetch 2 ran
        expect(gaps(calls)[1]).toBeLessThan(1_000);
      },
    );
  });

  it('e. a webhook claiming completion does not end the journey while the API says in progress', async () => {
    await runJourney([inProgress, inProgress, inProgress, completed], async (handle, calls) => {
      await untilCalls(calls, 1);
      await env.sleep('3s');
      await handle.signal(journeyWebhookSignal, { eventId: 'done', providerStatus: 'COMPLETED' });
      await untilCalls(calls, 2);
      const progress = await handle.query(journeyProgressQuery);
      expect(progress).toMatchObject({ status: 'in_progress', polls: 2, webhooksReceived: 1, consecutiveErrors: 0 });
      expect((await handle.describe()).status.name).toBe('RUNNING');
      expect(await handle.result()).toMatchObject({ status: 'completed', source: 'poll' });
      expect(calls).toHaveLength(4);
      expectGapsClose(gaps(calls).slice(1), [10_000, 10_000]);
    });
  });
});

describe('deadline, cancellation, permanent errors', () => {
  it('f. a deadline: status expired, source deadline, at the deadline', async () => {
    const deadlineMs = (await env.currentTimeMs()) + 25_000;
    const input = journeyInput({ deadline: new Date(deadlineMs).toISOString() });
    await runJourney(
      [inProgress],
      async (handle, calls) => {
        const result = await handle.result();
        expect(result).toMatchObject({
          status: 'expired',
          terminal: true,
          source: 'deadline',
          providerStatus: 'IN_PROGRESS',
        });
        expect(await handle.query(journeyProgressQuery)).toMatchObject({ status: 'expired', polls: 3 });
        expect(calls).toHaveLength(3); // at 0, 10, 20 s; the wait after the third is cut to 5 s
        const closed = await closedAt(handle);
        expect(closed).toBeGreaterThanOrEqual(deadlineMs);
        expect(closed - deadlineMs).toBeLessThan(1_000);
        expect(Date.parse(result.observedAt)).toBeGreaterThanOrEqual(deadlineMs);
        maybeSaveHistory('f-deadline-expired', await handle.fetchHistory());
      },
      input,
    );
  });

  it('f. a deadline before any successful fetch: provider status unknown', async () => {
    const input = journeyInput({ deadline: new Date((await env.currentTimeMs()) + 12_000).toISOString() });
    await runJourney(
      [transient],
      async (handle) => {
        expect(await handle.result()).toMatchObject({
          provider: input.provider,
          journeyId: input.journeyId,
          status: 'expired',
          terminal: true,
          providerStatus: 'unknown',
          decision: 'undecided',
          steps: [],
          source: 'deadline',
        });
      },
      input,
    );
  });

  it('h. cancelling the workflow stops polling promptly', async () => {
    await runJourney([inProgress], async (handle, calls) => {
      await untilCalls(calls, 1);
      await env.sleep('15s');
      await untilCalls(calls, 2);
      await handle.cancel();
      const cause = await failureOf(handle);
      expect(cause).toBeInstanceOf(CancelledFailure);
      const history = await handle.fetchHistory();
      const requested = eventMs(eventsOf(history, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED)[0]!);
      expect((await closedAt(handle)) - requested).toBeLessThan(1_000);
      await env.sleep('1 minute');
      expect(calls).toHaveLength(2);
    });
  });

  it('h. cancelling during an in-flight fetch does not wait for the fetch', async () => {
    let cancelledAt = 0;
    await runJourney(
      (handle) => [
        {
          status: 'in_progress',
          during: async () => {
            await handle().cancel();
            cancelledAt = await env.currentTimeMs();
          },
        },
      ],
      async (handle, calls) => {
        expect(await failureOf(handle)).toBeInstanceOf(CancelledFailure);
        expect((await closedAt(handle)) - cancelledAt).toBeLessThan(1_000);
        expect(await handle.query(journeyProgressQuery)).toMatchObject({ polls: 1 });
        await env.sleep('1 minute');
        expect(calls).toHaveLength(1);
      },
    );
  });

  it('i. a permanent provider error fails the workflow at once with its own type', async () => {
    await runJourney([{ fail: 'rejected', httpStatus: 400 }], async (handle, calls) => {
      const cause = await failureOf(handle);
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).type).toBe(JOURNEY_REJECTED_BY_PROVIDER);
      expect((cause as ApplicationFailure).details?.[0]).toMatchObject({ provider: 'gbg-go-v2', httpStatus: 400 });
      expect(calls).toHaveLength(1);
      maybeSaveHistory('i-rejected-by-provider', await handle.fetchHistory());
    });
  });
});

describe('operator metadata', () => {
  it('sets a PII-free summary, search attributes, timer/activity summaries and current details', async () => {
    const input = journeyInput();
    await runJourney(
      [transient, inProgress, completed],
      async (handle) => {
        const again = await startJourneyWorkflow(env.client, input, { taskQueue: 'ignored' });
        expect(again.firstExecutionRunId).toBe(handle.firstExecutionRunId); // USE_EXISTING
        const result = await handle.result();
        expect(result.subject?.firstName).toBe(PII_NAME);

        const description = await handle.describe();
        expect(description.typedSearchAttributes.get(journeyProviderKey)).toBe('gbg-go-v2');
        expect(description.typedSearchAttributes.get(journeyStatusKey)).toBe('completed');
        expect(await description.staticSummary()).toBe(`gbg-go-v2 journey ${input.journeyId.slice(0, 5)}…`);
        const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
        expect(metadata.currentDetails).toBe('**completed** (provider: `COMPLETED`) · accepted · polls 3');

        const history = await handle.fetchHistory();
        const summaries = (history.events ?? [])
          .filter((e) => e.userMetadata?.summary?.data)
          .map((e) => JSON.parse(Buffer.from(e.userMetadata!.summary!.data!).toString()) as string);
        expect(summaries).toContain('poll #1 · errors 0/30');
        expect(summaries).toContain('poll #1 · next in 15s · errors 1/30');
        expect(summaries).toContain('poll #2 · errors 1/30');
        const everything = JSON.stringify({
          summaries,
          metadata,
          description: description.raw,
          sa: description.searchAttributes,
        });
        expect(everything).not.toContain(PII_NAME);
      },
      input,
    );
  });
});
