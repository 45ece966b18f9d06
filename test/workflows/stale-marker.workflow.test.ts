/**
 * The stale marker, read from the history on the time-skipping server (fetchState scripted): an ordinary in-progress
 * poll adds no event and no action; a failing streak upserts the marker at each failed fetch (JourneyStaleSince only
 * at its first) behind the registry's patch, and the next success clears it.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  journeyFetchErrorsKey,
  journeyLastErrorKey,
  journeyStaleSinceKey,
  journeyStatusKey,
} from '../../src/contract/workflow';
import { PATCHES } from '../../src/workflows/versions';
import { createJourneyWorker } from '../helpers/journey-worker';
import { startJourneyWorkflow } from '../helpers/start-journey';
import {
  bundleJourneyWorkflows,
  createJourneyTestEnv,
  eventMs,
  EventType,
  journeyInput,
  maybeSaveHistory,
  repeat,
  scriptedFetch,
  type FetchCall,
  type FetchStep,
} from '../helpers/workflow-env';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([createJourneyTestEnv(), bundleJourneyWorkflows()]);
});
afterAll(() => env?.teardown());

const STALE_KEYS = [journeyStaleSinceKey.name, journeyFetchErrorsKey.name, journeyLastErrorKey.name];

/** Runs one journey to its end with a scripted fetchState; its history and the calls. */
async function run(steps: FetchStep[]): Promise<{ history: History; calls: FetchCall[] }> {
  const { activities, calls } = scriptedFetch(env, steps);
  const taskQueue = `stale-${randomUUID()}`;
  const worker = await createJourneyWorker(env, { bundle, taskQueue, activities });
  return worker.runUntil(async () => {
    const handle = await startJourneyWorkflow(
      env.client,
      journeyInput({ polling: { baseIntervalMs: 10_000, errorBackoffMs: 5_000, maxConsecutiveErrors: 30 } }),
      { taskQueue },
    );
    await handle.result();
    return { history: await handle.fetchHistory(), calls };
  });
}

/** Each upsert's fields, decoded: `null` for a field the upsert removes. */
function upserts(history: History): Record<string, unknown>[] {
  return (history.events ?? [])
    .filter((e) => e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
    .map((e) => {
      const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {};
      return Object.fromEntries(
        Object.entries(fields).map(([key, payload]) => {
          const value: unknown = payload.data?.length ? JSON.parse(Buffer.from(payload.data).toString()) : null;
          return [key, Array.isArray(value) && value.length === 0 ? null : value];
        }),
      );
    });
}

function patchMarkers(history: History): string[] {
  return (history.events ?? []).flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id] : [];
  });
}

/** Events between consecutive fetches (local-activity markers): one number per poll cycle. */
function cycleLengths(history: History): number[] {
  const events: HistoryEvent[] = history.events ?? [];
  const at = events.flatMap((e, i) =>
    e.markerRecordedEventAttributes?.markerName === 'core_local_activity' ? [i] : [],
  );
  return at.slice(1).map((index, k) => index - at[k]!);
}

describe('stale marker in history', () => {
  it('an ordinary in-progress poll adds no event, no upsert and no patch marker', async () => {
    const { history } = await run([...repeat({ status: 'in_progress' }, 6), { status: 'completed' }]);
    const lengths = cycleLengths(history);
    expect(lengths).toHaveLength(6);
    // Every cycle after the first is the same size: nothing is added by polling in progress.
    expect(new Set(lengths.slice(1)).size).toBe(1);
    expect(patchMarkers(history)).toEqual([]);
    // The only upsert: the end's status and decision (the start set in_progress), never a stale field.
    expect(upserts(history).map((u) => Object.keys(u).sort())).toEqual([['JourneyDecision', journeyStatusKey.name]]);
    for (const u of upserts(history)) for (const key of STALE_KEYS) expect(u).not.toHaveProperty(key);
  });

  it('a streak sets the marker at its first failure, counts each, and the next success clears it', async () => {
    const fail: FetchStep = { fail: 'transient', httpStatus: 503 };
    const { history, calls } = await run([
      { status: 'in_progress' },
      fail,
      fail,
      { fail: 'transient', httpStatus: 429 },
      { status: 'in_progress' },
      { status: 'in_progress' },
      { status: 'completed' },
    ]);
    maybeSaveHistory('l-stale-marker-streak', history);
    expect(patchMarkers(history)).toEqual([PATCHES.staleMarker.id]);
    const all = upserts(history);
    const stale = all.filter((u) => STALE_KEYS.some((k) => k in u));
    // The first fetch succeeded at calls[0]: the workflow's clock then is when the last success was.
    const lastSuccess = new Date(calls[0]!.at);
    expect(stale).toHaveLength(4);
    expect(Math.abs(Date.parse(stale[0]!.JourneyStaleSince as string) - lastSuccess.getTime())).toBeLessThan(1_000);
    expect(stale.map((u) => [u.JourneyFetchErrors, u.JourneyLastError])).toEqual([
      [1, 'FetchFailed HTTP 503'],
      [2, 'FetchFailed HTTP 503'],
      [3, 'FetchFailed HTTP 429'],
      [null, null],
    ]);
    expect(stale.slice(1, 3).every((u) => !('JourneyStaleSince' in u))).toBe(true);
    expect(stale[3]).toEqual({ JourneyStaleSince: null, JourneyFetchErrors: null, JourneyLastError: null });
    // The clearing upsert comes with the success (the same workflow task as its fetch), not as an extra poll.
    const events = history.events ?? [];
    const clearing = events.filter((e) => e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)[
      all.indexOf(stale[3]!)
    ]!;
    expect(eventMs(clearing) - calls[4]!.at).toBeLessThan(1_000);
    // After the streak, polls are ordinary again: the cycle sizes match the first in-progress cycle.
    const lengths = cycleLengths(history);
    expect(lengths.at(-1)).toBe(lengths[0]);
  });
});
