/**
 * The slowdown in the real workflow on the time-skipping server: 24 h of a quiet journey under the recommended
 * preset, a webhook and an error streak at hour 20, a status change, continue-as-new mid-slowdown. Timing is read
 * from Temporal's clock (the fetch records env.currentTimeMs()) and from history (timer durations, summaries).
 */
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeyStartOptions, setJourneyDefaults } from '../../src/client';
import type { awaitJourneyCompletion, JourneyWorkflowInput } from '../../src/workflows/await-journey-completion';
import type { FetchStateInput, JourneyPoll } from '../../src/contract/journey-state';
import { FETCH_FAILED, JOURNEY_POLLING_EXHAUSTED } from '../../src/contract/errors';
import type { AwaitJourneyInput } from '../../src/contract/input';
import { POLLING_PRESETS, type PollingInput } from '../../src/contract/polling';
import { journeyProgressQuery, journeyWebhookSignal } from '../../src/contract/workflow';
import { resolvePolicy } from '../../src/workflows/schedule';
import { freshPace, nextWaitMs, paceAfterSuccess, type Pace } from '../../src/workflows/slowdown';
import { createJourneyWorker } from '../helpers/journey-worker';
import { runCliCaptured } from '../helpers/run-cli';
import { startJourneyWorkflow } from '../helpers/start-journey';
import {
  bundleJourneyWorkflows,
  createJourneyTestEnv,
  EventType,
  expectGapsClose,
  eventsOf,
  journeyInput,
  maybeSaveHistory,
  runHistories,
} from '../helpers/workflow-env';

const HOUR = 3_600_000;
const PRESET = POLLING_PRESETS.webhooks;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([createJourneyTestEnv(), bundleJourneyWorkflows()]);
});
afterAll(() => env?.teardown());

/** What the provider says at `sinceStartMs` on Temporal's clock: a provider status, `fail`, or `completed`. */
type Provider = (sinceStartMs: number, call: number) => string;

/** A fetchState that answers by Temporal's clock since the journey's first fetch, and records each call's time. */
function clockedFetch(provider: Provider) {
  const calls: number[] = [];
  async function fetchState(_input: FetchStateInput): Promise<JourneyPoll> {
    const at = await env.currentTimeMs();
    calls.push(at);
    const says = provider(at - calls[0]!, calls.length);
    if (says === 'fail')
      throw ApplicationFailure.create({
        type: FETCH_FAILED,
        message: 'HTTP 503',
        details: [{ provider: 'gbg-go-v2', httpStatus: 503 }],
        category: ApplicationFailureCategory.BENIGN,
      });
    if (says === 'completed')
      return {
        ...{ provider: 'gbg-go-v2', journeyId: Context.current().info.workflowExecution!.workflowId },
        ...{ status: 'completed', terminal: true, providerStatus: 'Completed', decision: 'accepted', steps: [] },
        ...{ source: 'poll', observedAt: new Date(at).toISOString() },
      };
    return { status: 'in_progress', providerStatus: says };
  }
  return { activities: { fetchState }, calls };
}

/** The waits the pure schedule gives a journey that never changes, from t = 0 until `forMs`. */
function modelWaits(polling: PollingInput, forMs: number): number[] {
  const policy = resolvePolicy(polling);
  let pace: Pace = freshPace(0, policy);
  const waits: number[] = [];
  for (let at = 0; at < forMs;) {
    pace = paceAfterSuccess(pace, policy, at, false);
    waits.push(nextWaitMs(pace, 0, policy));
    at += waits.at(-1)!;
  }
  return waits;
}

const gapsOf = (calls: number[]) => calls.slice(1).map((at, i) => at - calls[i]!);

async function withWorker<T>(provider: Provider, body: (calls: number[], taskQueue: string) => Promise<T>) {
  const { activities, calls } = clockedFetch(provider);
  const taskQueue = `slowdown-${randomUUID()}`;
  const worker = await createJourneyWorker(env, { bundle, taskQueue, activities });
  return worker.runUntil(body(calls, taskQueue));
}

const inFuture = async (ms: number) => new Date((await env.currentTimeMs()) + ms).toISOString();

describe('slowdown in the workflow (time-skipping server)', () => {
  it('the preset over 24 h: exactly the documented waits, 378 polls, the first 15 minutes as the default', async () => {
    await withWorker(
      () => 'InProgress',
      async (calls, taskQueue) => {
        // Set once as the client's default, as a service would; the journey's input says nothing about polling.
        setJourneyDefaults(env.client, { polling: PRESET });
        let input: AwaitJourneyInput;
        try {
          input = journeyInput({ deadline: await inFuture(24 * HOUR) });
          const handle = await startJourneyWorkflow(env.client, input, { taskQueue });
          expect((await handle.result()).status).toBe('expired');
          const runs = await runHistories(env.client, handle.workflowId, handle.firstExecutionRunId);
          const started = runs[0]!.history.events![0]!.workflowExecutionStartedEventAttributes!;
          const recorded = JSON.parse(Buffer.from(started.input!.payloads![0]!.data!).toString()) as AwaitJourneyInput;
          expect(recorded.polling).toEqual(PRESET);
          const timers = runs.flatMap((r) =>
            r.history.events!.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED),
          );
          const summaries = timers.map((t) => Buffer.from(t.userMetadata?.summary?.data ?? []).toString());
          expect(summaries[5]).toMatch(/next in 10s · every 10s \(quiet 5\ds\) · errors 0\/30/);
          expect(summaries[200]).toMatch(/next in 300s · every 5m \(quiet \d+h( \d+m)?\) · errors 0\/30/);
        } finally {
          setJourneyDefaults(env.client, {});
        }
        const expected = modelWaits(PRESET, 24 * HOUR);
        expect(calls).toHaveLength(378);
        expect(calls.length).toBeLessThanOrEqual(8_640 / 20);
        // A continue-as-new (every ~330 polls) anchors the next poll at the fetch's task: it may come a little early.
        expectGapsClose(gapsOf(calls), expected.slice(0, calls.length - 1), 1_500, 200);
        expect(
          gapsOf(calls)
            .slice(0, 90)
            .every((g) => Math.abs(g - 10_000) < 1_500),
        ).toBe(true);
        expect(calls.at(-1)! - calls[0]!).toBeGreaterThan(23.9 * HOUR);
      },
    );
  });

  it('at hour 20 a webhook ends the journey in the next workflow task; progress shows the slow pace', async () => {
    let signalled = false;
    await withWorker(
      () => (signalled ? 'completed' : 'InProgress'),
      async (calls, taskQueue) => {
        // One run to hour 20 (~1,950 events), so "the next workflow task" is not a continue-as-new's.
        const input: JourneyWorkflowInput = { ...journeyInput({ polling: PRESET }), historyEventBudget: 4_000 };
        const handle = await env.client.workflow.start<typeof awaitJourneyCompletion>('awaitJourneyCompletion', {
          ...journeyStartOptions(input, taskQueue),
          args: [input],
        });
        await env.sleep(20 * HOUR);
        const progress = await handle.query(journeyProgressQuery);
        expect(progress.slowdown?.intervalMs).toBe(300_000);
        const now = await env.currentTimeMs();
        expect(Date.parse(progress.slowdown!.quietSince)).toBeLessThan(now - 19.9 * HOUR);
        expect(Date.parse(progress.nextPollAt!) - now).toBeLessThanOrEqual(300_000);
        // The current details operators see carry the pace on Temporal's clock; `status` prints it.
        const { currentDetails } = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
        expect(currentDetails).toMatch(
          /^\*\*in_progress\*\* \(provider: `InProgress`\) · polls \d+ · every 5m \(quiet (19h 5\dm|20h)\)$/,
        );
        const status = await runCliCaptured(env.client, ['status', input.provider, input.journeyId]);
        expect(status.code, status.err).toBe(0);
        expect(status.out).toMatch(
          /progress: +in_progress · poll #\d+ · errors 0\/30 · next poll .* · pace every 5m \(quiet /,
        );
        const before = calls.length;
        signalled = true;
        const signalAt = await env.currentTimeMs();
        await handle.signal(journeyWebhookSignal, { eventId: 'evt-hour-20' });
        const state = await handle.result();
        expect(state).toMatchObject({ status: 'completed', source: 'webhook' });
        expect(calls).toHaveLength(before + 1);
        expect(calls.at(-1)! - signalAt).toBeLessThan(1_500);
        const runs = await runHistories(env.client, handle.workflowId, handle.firstExecutionRunId);
        expect(runs).toHaveLength(1);
        const events = runs[0]!.history.events!;
        const afterSignal = events.slice(events.findIndex((e) => e.workflowExecutionSignaledEventAttributes));
        const tasks = afterSignal.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
        expect(tasks).toHaveLength(1);
        expect(afterSignal.at(-1)!.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
      },
    );
  });

  it('errors at hour 20 back off on top of the slow interval and give up at the 30th', async () => {
    await withWorker(
      (since) => (since >= 20 * HOUR ? 'fail' : 'InProgress'),
      async (calls, taskQueue) => {
        const handle = await startJourneyWorkflow(env.client, journeyInput({ polling: PRESET }), { taskQueue });
        const err = await handle.result().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(WorkflowFailedError);
        expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe(JOURNEY_POLLING_EXHAUSTED);
        const firstFailure = calls.findIndex((at) => at - calls[0]! >= 20 * HOUR);
        const failures = calls.slice(firstFailure);
        expect(failures).toHaveLength(30);
        // The wait before the first failure was the slow interval; after the k-th, 5 min + k × 5 s.
        expectGapsClose(gapsOf(calls.slice(firstFailure - 1)), [
          300_000,
          ...Array.from({ length: 29 }, (_, i) => 300_000 + (i + 1) * 5_000),
        ]);
      },
    );
  });

  it('a status change resets the wait to base; quiet for 15 minutes again, it slows down again', async () => {
    // In progress for 2 h, then Paused (a change), then in progress again (another change) and quiet.
    let changedAt = Infinity;
    await withWorker(
      (since, call) => {
        if (since < 2 * HOUR) return 'InProgress';
        changedAt = Math.min(changedAt, call);
        return call === changedAt ? 'Paused' : 'InProgress';
      },
      async (calls, taskQueue) => {
        const input = journeyInput({ polling: PRESET, deadline: await inFuture(3 * HOUR) });
        const handle = await startJourneyWorkflow(env.client, input, { taskQueue });
        await handle.result();
        const gaps = gapsOf(calls);
        const change = changedAt - 1; // index of the Paused fetch
        expect(gaps[change - 1]).toBeGreaterThanOrEqual(300_000 - 1_500);
        // Paused, then InProgress again: each a change, then 15 quiet minutes at 10 s, then 20 s, 40 s …
        expectGapsClose(gaps.slice(change, change + 97), [
          ...Array(91).fill(10_000),
          20_000,
          40_000,
          80_000,
          160_000,
          300_000,
          300_000,
        ]);
      },
    );
  });

  it('continue-as-new mid-slowdown keeps the schedule: the chain waits as one run would', async () => {
    await withWorker(
      () => 'InProgress',
      async (calls, taskQueue) => {
        const input: JourneyWorkflowInput = {
          ...journeyInput({ polling: PRESET, deadline: await inFuture(4 * HOUR) }),
          historyEventBudget: 60,
        };
        const handle = await env.client.workflow.start<typeof awaitJourneyCompletion>('awaitJourneyCompletion', {
          ...journeyStartOptions(input, taskQueue),
          args: [input],
        });
        await handle.result();
        const runs = await runHistories(env.client, handle.workflowId, handle.firstExecutionRunId);
        expect(runs.length).toBeGreaterThan(10);
        expectGapsClose(gapsOf(calls), modelWaits(PRESET, 4 * HOUR).slice(0, calls.length - 1), 1_500, 200);
      },
    );
  });

  it('the timers in history: slow waits, a webhook back to base, slow again (the replay fixture m-slowdown-webhook)', async () => {
    const polling: PollingInput = { slowdown: { afterMs: 30_000, factor: 2, maxIntervalMs: 80_000 } };
    await withWorker(
      (since) => (since >= 480_000 ? 'completed' : 'InProgress'),
      async (_calls, taskQueue) => {
        const handle = await startJourneyWorkflow(env.client, journeyInput({ polling }), { taskQueue });
        await env.sleep(300_000);
        await handle.signal(journeyWebhookSignal, { eventId: 'evt-5-min' });
        expect(await handle.result()).toMatchObject({ status: 'completed', source: 'poll' });
        const history = await handle.fetchHistory();
        maybeSaveHistory('m-slowdown-webhook', history);
        const timers = eventsOf(history, EventType.EVENT_TYPE_TIMER_STARTED).map((e) =>
          Number(e.timerStartedEventAttributes!.startToFireTimeout!.seconds),
        );
        // Quiet from 30 s on: ×2 up to 80 s; the webhook at 5 min cancels the pending 80 s timer and resets the pace.
        expect(timers).toEqual([10, 10, 10, 20, 40, 80, 80, 80, 10, 10, 10, 20, 40, 80, 80]);
        expect(eventsOf(history, EventType.EVENT_TYPE_TIMER_CANCELED)).toHaveLength(1);
      },
    );
  });
});
