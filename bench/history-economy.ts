/**
 * 1. History economy: events and bytes per in-progress poll cycle and per completed journey, for the product
 * (awaitJourneyCompletion + fetchState's compact normalised state) beside a naive loop that keeps the
 * provider's raw JSON body every poll. Both poll the same simulator endpoints with the same script.
 */
import { randomUUID } from 'node:crypto';
import { getJourneyHandle, startJourneyAwait } from '../src/client';
import { eventBytes, EventType, historyOf, type HistoryEvent } from './history';
import type { NaivePollInput } from './naive-workflow';
import { mapLimit, type Stack } from './stack';
import { rounded, summarize, type Summary } from './stats';

export const HISTORY_TASK_QUEUE = 'bench-history';

export interface HistoryEconomyOptions {
  /** In-progress polls before the journey completes. */
  inProgressPolls: number;
  /** Journeys per provider and way. */
  journeys: number;
  /** Poll interval: events and bytes do not depend on it, so the bench uses a short one. */
  intervalMs: number;
}

export interface WayResult {
  /** One in-progress cycle: from one fetch's ActivityTaskScheduled to the next one's. */
  cycleEvents: Summary;
  cycleBytes: Summary;
  /** The fetch result alone (ActivityTaskCompleted payload data), in-progress polls. */
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
  naive: WayResult;
}

const HARD_LIMIT_EVENTS = 51_200;

function analyse(histories: HistoryEvent[][], continuesAsNew: boolean): WayResult {
  const cycleEvents: number[] = [];
  const cycleBytes: number[] = [];
  const resultBytes: number[] = [];
  const journeyEvents: number[] = [];
  const journeyBytes: number[] = [];
  for (const events of histories) {
    const sizes = events.map(eventBytes);
    journeyEvents.push(events.length);
    journeyBytes.push(sizes.reduce((s, v) => s + v, 0));
    const scheduled = events.flatMap((e, i) => (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED ? [i] : []));
    // Every cycle that ends at another fetch was an in-progress one.
    for (let k = 0; k + 1 < scheduled.length; k++) {
      const from = scheduled[k]!;
      const to = scheduled[k + 1]!;
      cycleEvents.push(to - from);
      cycleBytes.push(sizes.slice(from, to).reduce((s, v) => s + v, 0));
      const completed = events.slice(from, to).find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
      const payloads = completed?.activityTaskCompletedEventAttributes?.result?.payloads ?? [];
      resultBytes.push(payloads.reduce((s, p) => s + (p.data?.length ?? 0), 0));
    }
  }
  const cycles = summarize(cycleBytes);
  return {
    cycleEvents: rounded(summarize(cycleEvents), 1),
    cycleBytes: rounded(cycles, 0),
    resultPayloadBytes: rounded(summarize(resultBytes), 0),
    journeyEvents: rounded(summarize(journeyEvents), 1),
    journeyBytes: rounded(summarize(journeyBytes), 0),
    bytesPerHourAt10s: Math.round(cycles.median * 360),
    eventsPerHourAt10s: Math.round(summarize(cycleEvents).median * 360),
    hoursToHardLimitAt10s: continuesAsNew ? 'never (continues as new)' : Number((HARD_LIMIT_EVENTS / (summarize(cycleEvents).median * 360)).toFixed(1)),
  };
}

export async function runHistoryEconomy(
  stack: Stack,
  opts: HistoryEconomyOptions,
  log: (msg: string) => void,
): Promise<HistoryEconomyResult[]> {
  const { client, worker } = stack;
  await worker.call('startWorker', { taskQueue: HISTORY_TASK_QUEUE });
  try {
    const results: HistoryEconomyResult[] = [];
    for (const provider of ['gbg-go-v2', 'idnow'] as const) {
      log(`history economy: ${provider}, ${opts.journeys} + ${opts.journeys} journeys, ${opts.inProgressPolls} in-progress polls each…`);
      const ids = Array.from({ length: opts.journeys }, () => `sim-complete-after-${opts.inProgressPolls}-${randomUUID()}`);
      const product = await mapLimit(ids, 16, async (journeyId) => {
        const input = { provider, journeyId: `${journeyId}-p`, polling: { baseIntervalMs: opts.intervalMs } };
        await startJourneyAwait(client, input, { taskQueue: HISTORY_TASK_QUEUE });
        const handle = getJourneyHandle(client, input);
        await handle.result();
        return historyOf(client, handle.workflowId);
      });
      const naive = await mapLimit(ids, 16, async (journeyId) => {
        const input: NaivePollInput = { provider, journeyId: `${journeyId}-n`, intervalMs: opts.intervalMs };
        const handle = await client.workflow.start('naivePollJourney', {
          taskQueue: HISTORY_TASK_QUEUE,
          workflowId: `naive:${provider}:${input.journeyId}`,
          args: [input],
        });
        await handle.result();
        return historyOf(client, handle.workflowId);
      });
      results.push({ provider, options: opts, product: analyse(product, true), naive: analyse(naive, false) });
    }
    return results;
  } finally {
    await worker.call('stopWorker', { taskQueue: HISTORY_TASK_QUEUE });
  }
}
