/**
 * The product's worker processes (`src/worker.ts`) against the dev server and the provider simulator, where a
 * fetch is in flight: cancelling the journey aborts that HTTP request within 1 s (the activity's cancel watch),
 * and a worker killed with SIGKILL mid-fetch leaves the journey to a second worker process, which finishes it
 * with no fetch counted as failed. Times come from the server's history and from a TCP relay in front of the
 * simulator (same machine clock).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CANCEL_WATCH_FIRST_LOOKUP_MS } from '../../src/activities/cancel-watch';
import { FETCH_CANCELLED } from '../../src/contract/errors';
import { journeyProgressQuery } from '../../src/contract/workflow';
import { useWorkerProcessStack } from '../helpers/worker-processes';
import { spawnEntry, type EntryProcess } from '../helpers/entry-process';
import { eventually } from '../helpers/eventually';
import { startJourneyWorkflow } from '../helpers/start-journey';
import { startTcpRelay, type TcpRelay } from '../helpers/tcp-relay';
import { eventMs, eventsOf, maybeSaveHistory } from '../helpers/workflow-env';

const EventType = temporal.api.enums.v1.EventType;

const stack = useWorkerProcessStack();
let relay: TcpRelay;

beforeAll(async () => {
  // State fetches go through a relay that notes when the worker's side of a connection closes.
  relay = await startTcpRelay(Number(new URL(stack.sim.url).port));
});
afterAll(async () => {
  await relay?.close();
});

/** A worker process of the product; resolves once it polls. State fetches go through the relay. */
async function startWorker(taskQueue: string): Promise<EntryProcess> {
  const simEnv = stack.sim.env();
  // node itself (tsx as a loader, not as a wrapper process), so SIGKILL reaches the worker.
  const worker = spawnEntry('src/worker.ts', {
    ...simEnv,
    GBG_BASE_URL: simEnv.GBG_BASE_URL!.replace(stack.sim.url, `http://127.0.0.1:${relay.port}`),
    TEMPORAL_ADDRESS: stack.env.address,
    JOURNEY_TASK_QUEUE: taskQueue,
    JOURNEY_WORKFLOW_BUNDLE: stack.bundlePath,
    METRICS_BIND: 'off',
    LOG_LEVEL: 'INFO',
  });
  stack.children.add(worker.child);
  await worker.waitForOutput(/worker started/);
  return worker;
}

/** The bound: a cancelled journey's in-flight HTTP request is dropped within 1 s of the cancel request. */
const CANCEL_ABORTS_FETCH_WITHIN_MS = 1_000;

it('cancelling a journey aborts its in-flight fetch within 1 s, and the journey ends cancelled', async () => {
  const taskQueue = `cancel-${randomUUID().slice(0, 8)}`;
  const worker = await startWorker(taskQueue);
  const journeyId = `sim-slow-30-${randomUUID()}`; // every reply takes 30 s: the fetch is in flight when cancelled
  const handle = await startJourneyWorkflow(stack.env.client, { provider: 'gbg-go-v2', journeyId }, { taskQueue });
  expect(
    await eventually(() => ((stack.sim.journey('gbg-go-v2', journeyId)?.fetches ?? 0) >= 1 ? true : undefined)),
  ).toBe(true);
  // Past the watch's first lookup, so the cancel lands between two of its regular lookups.
  await sleep(2 * CANCEL_WATCH_FIRST_LOOKUP_MS);
  const closedBefore = relay.closedAt.length;
  await handle.cancel();

  const err = await worker.whileRunning(
    handle.result().then(
      () => undefined,
      (e: unknown) => e,
    ),
  );
  expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  const history = await handle.fetchHistory();
  maybeSaveHistory('k-cancelled-mid-fetch', history);
  const requested = eventMs(eventsOf(history, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED)[0]!);
  const cancelled = eventMs(eventsOf(history, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED)[0]!);
  const aborted = await eventually(() => relay.closedAt[closedBefore]);
  expect(aborted).toBeDefined();
  console.log(
    `cancel → connection dropped ${aborted! - requested} ms, → workflow cancelled ${cancelled - requested} ms`,
  );
  // The default workflow task timeout (10 s) is in force: only the activity's own cancel watch is this quick.
  expect(aborted! - requested).toBeLessThan(CANCEL_ABORTS_FETCH_WITHIN_MS);
  expect(cancelled - requested).toBeLessThan(2 * CANCEL_ABORTS_FETCH_WITHIN_MS);
  expect(stack.sim.journey('gbg-go-v2', journeyId)?.fetches).toBe(1);

  // The aborted fetch is recorded as FetchCancelled, is not a failed fetch, and no workflow task failed or
  // timed out on the way (the task that got it closed nothing, so the server accepted it).
  const fetches = (history.events ?? []).filter(
    (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
  );
  expect(fetches.map((e) => e.markerRecordedEventAttributes?.failure?.applicationFailureInfo?.type)).toEqual([
    FETCH_CANCELLED,
  ]);
  expect(eventsOf(history, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toHaveLength(0);
  expect(eventsOf(history, EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT)).toHaveLength(0);
  expect(await handle.query(journeyProgressQuery)).toMatchObject({ polls: 1, consecutiveErrors: 0 });
  expect((await handle.query(journeyProgressQuery)).lastError).toBeUndefined();
}, 120_000);

it('a worker killed mid-fetch: a second worker process finishes the journey, no fetch counted as failed', async () => {
  const taskQueue = `crash-${randomUUID().slice(0, 8)}`;
  const first = await startWorker(taskQueue);
  const journeyId = `crash-${randomUUID()}`;
  stack.sim.script('gbg-go-v2', journeyId, ['in_progress', 'slow 4s completed']);
  const handle = await startJourneyWorkflow(
    stack.env.client,
    { provider: 'gbg-go-v2', journeyId, polling: { baseIntervalMs: 1_000 } },
    { taskQueue },
  );
  expect(
    await eventually(() => ((stack.sim.journey('gbg-go-v2', journeyId)?.fetches ?? 0) >= 2 ? true : undefined)),
  ).toBe(true);
  const second = startWorker(taskQueue);
  first.child.kill('SIGKILL');
  // The second worker finishes it: one that dies fails the test at once instead of leaving result() waiting.
  expect(await (await second).whileRunning(handle.result())).toMatchObject({ status: 'completed', source: 'poll' });
  // The killed fetch is asked again by the second worker: three requests, two polls, no failure recorded.
  expect(stack.sim.journey('gbg-go-v2', journeyId)?.fetches).toBe(3);
  expect(await handle.query(journeyProgressQuery)).toMatchObject({ polls: 2, consecutiveErrors: 0 });
  const events = (await handle.fetchHistory()).events ?? [];
  const fetches = events.filter(
    (e: temporal.api.history.v1.IHistoryEvent) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
  );
  expect(fetches).toHaveLength(2);
  expect(
    fetches.filter((e: temporal.api.history.v1.IHistoryEvent) => e.markerRecordedEventAttributes?.failure),
  ).toHaveLength(0);
  expect(eventsOf({ events }, EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT).length).toBeGreaterThanOrEqual(1);
}, 120_000);
