/**
 * 1. History economy: events and bytes per in-progress poll cycle and per completed journey, for the product
 * (awaitJourneyCompletion + fetchState as a local activity, compact in-progress polls) beside a naive loop that
 * keeps the provider's raw JSON body every poll (an activity per poll). Both poll the same simulator endpoints
 * with the same script. A poll is an ActivityTaskScheduled event or a local-activity marker; billable actions
 * are counted from the same histories.
 */
import { randomUUID } from 'node:crypto';
import { getJourneyHandle, startJourneyAwait } from '../src/client';
import { eventBytes, EventType, historyOf, type HistoryEvent } from './history';
import type { NaivePollInput } from './naive-workflow';
import { mapLimit, type Stack } from './stack';
import { rounded, summarize, type Summary } from './stats';

export const HISTORY_TASK_QUEUE = 'bench-history';
const NAIVE_TASK_QUEUE = 'bench-history-naive';

export interface HistoryEconomyOptions {
  /** In-progress polls before the journey completes. */
  inProgressPolls: number;
  /** Journeys per provider and way. */
  journeys: number;
  /** Poll interval: events and bytes do not depend on it, so the bench uses a short one. */
  intervalMs: number;
}

export interface WayResult {
  /** One in-progress cycle: from one fetch's event (activity scheduled, or local-activity marker) to the next one's. */
  cycleEvents: Summary;
  cycleBytes: Summary;
  /** Provider state calls per completed journey (fetch events in its history). */
  providerCallsPerJourney: Summary;
  /** Temporal billable actions per poll, counted from history (see countActions). */
  actionsPerPoll: Summary;
  /** The fetch result alone (activity result or marker result payload data), in-progress polls. */
  resultPayloadBytes: Summary;
  journeyEvents: Summary;
  journeyBytes: Summary;
  /** At the 10 s default: 360 cycles an hour. */
  bytesPerHourAt10s: number;
  eventsPerHourAt10s: number;
  /**
   * Hours at 10 s until one run's history reaches Temporal's hard limit (51,200 events): the naive loop's
   * fate. The product continues as new at 2,000 events (DEFAULT_HISTORY_EVENT_BUDGET), so its runs never do.
   */
  hoursToHardLimitAt10s: number | 'never (continues as new)';
}

export interface HistoryEconomyResult {
  provider: string;
  options: HistoryEconomyOptions;
  product: WayResult;
  /** The naive loop reads GBG GO v2 and IDnow only. */
  naive?: WayResult;
}

const HARD_LIMIT_EVENTS = 51_200;

const isLocalFetch = (e: HistoryEvent) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity';
const isFetch = (e: HistoryEvent) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED || isLocalFetch(e);

/**
 * Billable actions (Temporal Cloud's pricing): the start, each timer, activity task, signal, search-attribute
 * upsert and continue-as-new, and each workflow task that ran local activities (all of its local activities
 * together count once). Patch markers are not billed.
 */
export function countActions(events: HistoryEvent[]): number {
  const billed = new Set<number>([
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
    EventType.EVENT_TYPE_TIMER_STARTED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
  ]);
  const localActivityTasks = new Set(
    events.filter(isLocalFetch).map((e) => String(e.markerRecordedEventAttributes?.workflowTaskCompletedEventId)),
  );
  return events.filter((e) => billed.has(e.eventType ?? 0)).length + localActivityTasks.size;
}

function resultBytesOf(e: HistoryEvent | undefined): number {
  const payloads =
    e?.activityTaskCompletedEventAttributes?.result?.payloads ??
    e?.markerRecordedEventAttributes?.details?.result?.payloads ??
    [];
  return payloads.reduce((s, p) => s + (p.data?.length ?? 0), 0);
}

function analyse(histories: HistoryEvent[][], continuesAsNew: boolean): WayResult {
  const cycleEvents: number[] = [];
  const cycleBytes: number[] = [];
  const resultBytes: number[] = [];
  const journeyEvents: number[] = [];
  const journeyBytes: number[] = [];
  const calls: number[] = [];
  const actionsPerPoll: number[] = [];
  for (const events of histories) {
    const sizes = events.map(eventBytes);
    journeyEvents.push(events.length);
    journeyBytes.push(sizes.reduce((s, v) => s + v, 0));
    const polls = events.flatMap((e, i) => (isFetch(e) ? [i] : []));
    calls.push(polls.length);
    actionsPerPoll.push(countActions(events) / Math.max(1, polls.length));
    // Every cycle that ends at another fetch was an in-progress one.
    for (let k = 0; k + 1 < polls.length; k++) {
      const from = polls[k]!;
      const to = polls[k + 1]!;
      cycleEvents.push(to - from);
      cycleBytes.push(sizes.slice(from, to).reduce((s, v) => s + v, 0));
      const result = isLocalFetch(events[from]!)
        ? events[from]
        : events.slice(from, to).find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
      resultBytes.push(resultBytesOf(result));
    }
  }
  const cycles = summarize(cycleBytes);
  return {
    cycleEvents: rounded(summarize(cycleEvents), 1),
    cycleBytes: rounded(cycles, 0),
    providerCallsPerJourney: rounded(summarize(calls), 1),
    actionsPerPoll: rounded(summarize(actionsPerPoll), 2),
    resultPayloadBytes: rounded(summarize(resultBytes), 0),
    journeyEvents: rounded(summarize(journeyEvents), 1),
    journeyBytes: rounded(summarize(journeyBytes), 0),
    bytesPerHourAt10s: Math.round(cycles.median * 360),
    eventsPerHourAt10s: Math.round(summarize(cycleEvents).median * 360),
    hoursToHardLimitAt10s: continuesAsNew
      ? 'never (continues as new)'
      : Number((HARD_LIMIT_EVENTS / (summarize(cycleEvents).median * 360)).toFixed(1)),
  };
}

export async function runHistoryEconomy(
  stack: Stack,
  opts: HistoryEconomyOptions,
  log: (msg: string) => void,
): Promise<HistoryEconomyResult[]> {
  const { client, worker } = stack;
  await worker.call('startWorker', { taskQueue: HISTORY_TASK_QUEUE });
  await worker.call('startWorker', { taskQueue: NAIVE_TASK_QUEUE, product: false });
  try {
    const results: HistoryEconomyResult[] = [];
    for (const provider of ['gbg-go-v2', 'gbg-go-v1', 'idnow'] as const) {
      const withNaive = provider !== 'gbg-go-v1';
      log(
        `history economy: ${provider}, ${opts.journeys}${withNaive ? ` + ${opts.journeys}` : ''} journeys, ${opts.inProgressPolls} in-progress polls each…`,
      );
      const ids = Array.from(
        { length: opts.journeys },
        () => `sim-complete-after-${opts.inProgressPolls}-${randomUUID()}`,
      );
      const product = await mapLimit(ids, 16, async (journeyId) => {
        const input = { provider, journeyId: `${journeyId}-p`, polling: { baseIntervalMs: opts.intervalMs } };
        await startJourneyAwait(client, input, { taskQueue: HISTORY_TASK_QUEUE });
        const handle = getJourneyHandle(client, input);
        await handle.result();
        return historyOf(client, handle.workflowId);
      });
      const naive = !withNaive
        ? undefined
        : await mapLimit(ids, 16, async (journeyId) => {
            const input: NaivePollInput = { provider, journeyId: `${journeyId}-n`, intervalMs: opts.intervalMs };
            const handle = await client.workflow.start('naivePollJourney', {
              taskQueue: NAIVE_TASK_QUEUE,
              workflowId: `naive:${provider}:${input.journeyId}`,
              args: [input],
            });
            await handle.result();
            return historyOf(client, handle.workflowId);
          });
      results.push({
        provider,
        options: opts,
        product: analyse(product, true),
        ...(naive ? { naive: analyse(naive, false) } : {}),
      });
    }
    return results;
  } finally {
    await worker.call('stopWorker', { taskQueue: HISTORY_TASK_QUEUE });
    await worker.call('stopWorker', { taskQueue: NAIVE_TASK_QUEUE });
  }
}
