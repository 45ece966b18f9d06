/**
 * A worker process of the product killed with SIGKILL while its journey waits between polls: the journey's next
 * workflow task, held on the dead worker's sticky queue, goes to the task queue after the sticky schedule-to-start
 * timeout, and a second worker process replays the journey and finishes it. Asserted from the history: which
 * process started each workflow task (its identity, `<pid>@<host>`), on which queue each was scheduled, and what
 * timed out.
 */
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { expect, it } from 'vitest';
import { journeyProgressQuery } from '../../src/contract/workflow';
import { useWorkerProcessStack } from '../helpers/worker-processes';
import { spawnEntry, type EntryProcess } from '../helpers/entry-process';
import { eventually } from '../helpers/eventually';
import { startJourneyWorkflow } from '../helpers/start-journey';
import { eventsOf } from '../helpers/workflow-env';

const EventType = temporal.api.enums.v1.EventType;
const TimeoutType = temporal.api.enums.v1.TimeoutType;
const TaskQueueKind = temporal.api.enums.v1.TaskQueueKind;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const stack = useWorkerProcessStack();

/** A worker process of the product with a 1 s sticky timeout; resolves once it polls. */
async function startWorker(taskQueue: string): Promise<EntryProcess> {
  const worker = spawnEntry('src/worker.ts', {
    ...stack.sim.env(),
    TEMPORAL_ADDRESS: stack.env.address,
    JOURNEY_TASK_QUEUE: taskQueue,
    JOURNEY_WORKFLOW_BUNDLE: stack.bundlePath,
    WORKER_STICKY_TIMEOUT_MS: '1000',
    METRICS_BIND: 'off',
    LOG_LEVEL: 'INFO',
  });
  stack.children.add(worker.child);
  await worker.waitForOutput(/worker started/);
  return worker;
}

const isStarted = (e: HistoryEvent) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED;
const startedBy = (e: HistoryEvent) => e.workflowTaskStartedEventAttributes?.identity ?? '';
const scheduledOn = (e: HistoryEvent) => e.workflowTaskScheduledEventAttributes?.taskQueue?.kind;

it('a worker killed between polls: a second worker process takes the journey from the task queue and finishes it', async () => {
  const taskQueue = `sticky-crash-${randomUUID().slice(0, 8)}`;
  const first = await startWorker(taskQueue);
  const journeyId = `sticky-crash-${randomUUID()}`;
  stack.sim.script('gbg-go-v2', journeyId, ['in_progress', 'in_progress', 'completed']);
  const handle = await startJourneyWorkflow(
    stack.env.client,
    { provider: 'gbg-go-v2', journeyId, polling: { baseIntervalMs: 3_000 } },
    { taskQueue },
  );
  // Killed once its second poll's task has completed (the timer to the third poll is started): nothing in flight.
  const waiting = async () => {
    const events = (await handle.fetchHistory()).events ?? [];
    return eventsOf({ events }, EventType.EVENT_TYPE_TIMER_STARTED).length >= 2 ? true : undefined;
  };
  expect(await eventually(waiting)).toBe(true);
  first.child.kill('SIGKILL');
  const second = await startWorker(taskQueue);
  expect(await second.whileRunning(handle.result())).toMatchObject({ status: 'completed', source: 'poll' });

  const events = (await handle.fetchHistory()).events ?? [];
  const identities = events.filter(isStarted).map(startedBy);
  const firstId = `${first.child.pid}@`;
  const secondId = `${second.child.pid}@`;
  // Every task up to the kill on the first process, every one after on the second: each poll ran exactly once.
  const moved = identities.findIndex((id) => id.startsWith(secondId));
  expect(moved).toBeGreaterThan(0);
  expect(identities.slice(0, moved).every((id) => id.startsWith(firstId))).toBe(true);
  expect(identities.slice(moved).every((id) => id.startsWith(secondId))).toBe(true);
  expect(stack.sim.journey('gbg-go-v2', journeyId)?.fetches).toBe(3);
  expect(await handle.query(journeyProgressQuery)).toMatchObject({ polls: 3, consecutiveErrors: 0 });

  // The first process held the journey on its sticky queue; the second took it from the task queue, after the
  // sticky task timed out unstarted (or at once, once the server saw no poller on the dead sticky queue).
  const scheduled = eventsOf({ events }, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
  const movedTask = events.indexOf(events.filter(isStarted)[moved]!);
  const takeover = events
    .slice(0, movedTask)
    .filter((e) => scheduled.includes(e))
    .at(-1)!;
  expect(scheduledOn(takeover)).toBe(TaskQueueKind.TASK_QUEUE_KIND_NORMAL);
  expect(scheduled.some((e) => scheduledOn(e) === TaskQueueKind.TASK_QUEUE_KIND_STICKY)).toBe(true);
  const timeouts = eventsOf({ events }, EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT).map(
    (e) => e.workflowTaskTimedOutEventAttributes?.timeoutType,
  );
  expect(timeouts.every((t) => t === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START)).toBe(true);
  expect(eventsOf({ events }, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toHaveLength(0);
}, 120_000);
