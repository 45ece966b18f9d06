/**
 * The other side of a short sticky timeout: a single live worker process holding many journeys (near its measured
 * capacity) under a sticky setting. From the histories, over a window: the polls that came due (TimerFired), how
 * late their workflow task started, and how many tasks timed out on the worker's sticky queue instead (each one
 * then goes to the task queue and is replayed from its whole history).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { EventType, eventMs, historyOf, type HistoryEvent } from './history';
import { forkRpc } from './rpc';
import { mapLimit, sleepMs, startSpreadJourneys, terminateAll, type Stack } from './stack';
import { rounded, summarize, type Summary } from './stats';
import type { InitArgs } from './worker-process';

const TimeoutType = temporal.api.enums.v1.TimeoutType;

export interface StickyLiveCase {
  stickyTimeoutMs: number;
  journeys: number;
  windowMs: number;
  /** Polls that came due in the window. */
  due: number;
  /** Workflow tasks that timed out unstarted on the live worker's sticky queue in the window. */
  stickyTimeouts: number;
  /** Poll due (TimerFired) → its workflow task started. */
  startLagMs: Summary;
}

/** Polls due in [from, to) and their start lag; sticky timeouts in the same span. */
export function liveCounts(
  histories: HistoryEvent[][],
  from: number,
  to: number,
): { due: number; stickyTimeouts: number; lags: number[] } {
  let due = 0;
  let stickyTimeouts = 0;
  const lags: number[] = [];
  for (const events of histories) {
    events.forEach((e, i) => {
      const t = eventMs(e);
      if (t < from || t >= to) return;
      if (e.workflowTaskTimedOutEventAttributes?.timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START)
        stickyTimeouts++;
      if (e.eventType !== EventType.EVENT_TYPE_TIMER_FIRED) return;
      due++;
      const next = events.slice(i).find((x) => x.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
      if (next) lags.push(eventMs(next) - t);
    });
  }
  return { due, stickyTimeouts, lags };
}

export async function runStickyLive(
  stack: Stack,
  opts: { journeys: number; intervalMs: number; windowMs: number; stickyTimeoutMs: number },
  log: (msg: string) => void,
): Promise<StickyLiveCase> {
  const tag = randomUUID().slice(0, 8);
  const taskQueue = `bench-sticky-live-${tag}`;
  const worker = await forkRpc('sticky-live worker', path.join(__dirname, 'worker-entry.cjs'));
  const ids: string[] = [];
  try {
    const init: InitArgs = {
      address: stack.address,
      namespace: stack.namespace,
      providerConfig: stack.providerConfig,
      maxCachedWorkflows: opts.journeys * 2,
    };
    await worker.call('init', init);
    await worker.call('startWorker', { taskQueue, stickyTimeoutMs: opts.stickyTimeoutMs });
    log(`crash: live worker, sticky ${opts.stickyTimeoutMs / 1000} s: starting ${opts.journeys} journeys…`);
    await startSpreadJourneys(
      stack,
      { count: opts.journeys, intervalMs: opts.intervalMs, taskQueue, concurrency: 32 },
      (i) => `sim-complete-after-9999-${tag}-${i}`,
      ids,
    );
    // Two intervals: the starts' burst (the first tasks, from the task queue) has drained before the window.
    await sleepMs(2 * opts.intervalMs);
    const from = Date.now();
    await sleepMs(opts.windowMs);
    const to = Date.now();
    await worker.call('stopWorker', { taskQueue });
    const histories = await mapLimit(ids, 16, (id) => historyOf(stack.client, id));
    const counts = liveCounts(histories, from, to);
    const result: StickyLiveCase = {
      stickyTimeoutMs: opts.stickyTimeoutMs,
      journeys: ids.length,
      windowMs: to - from,
      due: counts.due,
      stickyTimeouts: counts.stickyTimeouts,
      startLagMs: rounded(summarize(counts.lags), 0),
    };
    log(
      `crash: live worker, sticky ${opts.stickyTimeoutMs / 1000} s, ${ids.length} journeys: ${result.stickyTimeouts} sticky timeouts in ${result.due} polls due, ` +
        `start lag p50 ${result.startLagMs.median} ms p99 ${result.startLagMs.p99} ms max ${result.startLagMs.max} ms`,
    );
    return result;
  } finally {
    await worker.stop();
    await terminateAll(stack.client, ids, 'bench sticky-live done');
  }
}
