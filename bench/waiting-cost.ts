/**
 * What waiting costs: journeys kept in progress for 1 hour and for 24 hours on the time-skipping server (24 h of
 * Temporal's clock in seconds of real time), under the default policy, the recommended preset and the naive
 * activity loop, plus an hour of provider outage. The product runs as in the testing kit (the real
 * awaitJourneyCompletion and fetchState over HTTP against the provider simulator); the naive loop polls its own
 * simulator the same way. Polls, billable actions, events and bytes are counted from the journeys' histories
 * (every run of a continue-as-new chain); CPU is polls × the measured CPU per poll (the scale scenario's, or the
 * last one docs/performance.md shows); dollars at Temporal Cloud's list price of $50 per million actions.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { startSimulator } from '../dev/simulator';
import { getJourneyHandle, startJourneyAwait } from '../src/client';
import type { AwaitJourneyInput } from '../src/contract/input';
import { POLLING_PRESETS } from '../src/contract/polling';
import { createJourneyTestEnvironment } from '../testing';
import { countActions } from './history-economy';
import { chainHistory, eventBytes, eventMs, EventType, type HistoryEvent } from './history';
import { createNaiveActivities } from './naive-activity';
import type { NaivePollInput } from './naive-workflow';

const HOUR = 3_600_000;
const NAIVE_TASK_QUEUE = 'bench-waiting-naive';
/** Temporal Cloud's list price. */
export const DOLLARS_PER_ACTION = 50 / 1_000_000;
/** A run's hard limit: the server terminates a workflow whose history reaches it (the naive loop does not continue as new). */
export const HARD_LIMIT_EVENTS = 51_200;

export type WaitingWay = 'default' | 'preset' | 'naive';

export interface WaitingCase {
  way: WaitingWay;
  /** How long the journey stays open (Temporal's clock). */
  hours: number;
  /** Every fetch fails (HTTP 503): an hour of provider outage. */
  outage?: boolean;
}

export const WAITING_CASES: readonly WaitingCase[] = [
  { way: 'default', hours: 1 },
  { way: 'preset', hours: 1 },
  { way: 'naive', hours: 1 },
  { way: 'default', hours: 24 },
  { way: 'preset', hours: 24 },
  { way: 'naive', hours: 24 },
  { way: 'default', hours: 1, outage: true },
];

export interface WaitingCostRow extends WaitingCase {
  /** How the journey ended: expired (its deadline), failed (gave up on errors), or the naive loop's stop. */
  ended: string;
  /** Provider calls: local-activity markers (product) or activity tasks scheduled (naive). */
  polls: number;
  /** Failed fetches among them. */
  failedPolls: number;
  actions: number;
  events: number;
  bytes: number;
  /** Runs of the continue-as-new chain, and the largest run's events. */
  runs: number;
  maxRunEvents: number;
  /** The encoded failures alone (local-activity markers that carry one), bytes. */
  failureBytes: number;
  /** Product only: timer durations (s) of the first 15 minutes, to compare the preset with the default. */
  firstQuarterHourWaitsS?: number[];
}

export interface WaitingCostResult {
  rows: WaitingCostRow[];
  /** The preset's first 15 minutes waited exactly as the default's (timer durations from both histories). */
  presetFirst15MinAsDefault: boolean;
  wallSec: number;
}

export function waitingCaseName(c: WaitingCase): string {
  return `${c.hours} h ${c.way}${c.outage ? ' (provider outage)' : ''}`;
}

/**
 * Dollars per 1,000 such journeys at list price; for the 24 h rows, per 1,000 journey-days. A 1 h row is not
 * scaled to a day: the preset's first hour is its most expensive one.
 */
export function dollarsPerThousandJourneys(row: Pick<WaitingCostRow, 'actions'>): number {
  return row.actions * DOLLARS_PER_ACTION * 1_000;
}

const isLocalFetch = (e: HistoryEvent) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity';
const isFetch = (e: HistoryEvent) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED || isLocalFetch(e);
const isFailedFetch = (e: HistoryEvent) =>
  (isLocalFetch(e) && !!e.markerRecordedEventAttributes?.failure) ||
  e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED;

/** Timer durations (whole seconds) of the timers started within the chain's first `ms` of Temporal's clock. */
function waitsWithin(runs: HistoryEvent[][], ms: number): number[] {
  const events = runs.flat();
  const start = Number(events[0]?.eventTime?.seconds ?? 0) * 1000;
  return events
    .filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED)
    .filter((e) => Number(e.eventTime?.seconds ?? 0) * 1000 - start < ms)
    .map((e) => Math.round(Number(e.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0)));
}

export function analyseWaiting(c: WaitingCase, runs: HistoryEvent[][], ended: string): WaitingCostRow {
  const events = runs.flat();
  const sizes = events.map(eventBytes);
  return {
    ...c,
    ended,
    polls: events.filter(isFetch).length,
    failedPolls: events.filter(isFailedFetch).length,
    actions: runs.reduce((s, r) => s + countActions(r), 0),
    events: events.length,
    bytes: sizes.reduce((s, v) => s + v, 0),
    runs: runs.length,
    maxRunEvents: Math.max(...runs.map((r) => r.length)),
    failureBytes: events
      .filter((e) => isLocalFetch(e) && e.markerRecordedEventAttributes?.failure)
      .reduce((s, e) => s + eventBytes(e), 0),
    ...(c.way === 'naive' ? {} : { firstQuarterHourWaitsS: waitsWithin(runs, 15 * 60_000) }),
  };
}

/**
 * The naive loop never continues as new: a real server terminates its run when the history reaches the hard limit;
 * the time-skipping server does not, so the run is cut there and its end says when that was (Temporal's clock).
 */
export function cutAtHardLimit(runs: HistoryEvent[][], ended: string): { runs: HistoryEvent[][]; ended: string } {
  const run = runs[0];
  if (runs.length !== 1 || !run || run.length <= HARD_LIMIT_EVENTS) return { runs, ended };
  const kept = run.slice(0, HARD_LIMIT_EVENTS);
  const hours = (eventMs(kept.at(-1)!) - eventMs(kept[0]!)) / HOUR;
  return {
    runs: [kept],
    ended: `terminated at the ${HARD_LIMIT_EVENTS.toLocaleString('en-US')}-event limit, ${hours.toFixed(1)} h`,
  };
}

export async function runWaitingCost(
  log: (msg: string) => void,
  cases: readonly WaitingCase[] = WAITING_CASES,
): Promise<WaitingCostResult> {
  const wallStart = Date.now();
  const kit = await createJourneyTestEnvironment({ defaultScript: ['in_progress'], taskQueue: 'bench-waiting' });
  // A day of the naive loop is ~12 MB of history in one page: more than gRPC's default 4 MB a message, which the
  // SDK's own connection keeps (its larger limit is set under a key grpc-js ignores).
  const historyConnection = await Connection.connect({
    address: kit.env.address,
    channelArgs: { 'grpc.max_receive_message_length': 256 * 2 ** 20 },
  });
  const history = new Client({ connection: historyConnection });
  const naiveSim = await startSimulator({ defaultScript: ['in_progress'] });
  const naiveWorker = await Worker.create({
    connection: kit.nativeConnection,
    taskQueue: NAIVE_TASK_QUEUE,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'naive-workflow.ts'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never,
    }),
    activities: createNaiveActivities(naiveSim.providerConfig()),
  });
  let naiveFailure: unknown;
  const running = naiveWorker.run().catch((err: unknown) => {
    naiveFailure = err;
  });
  try {
    const client = kit.client;
    log(`waiting cost: ${cases.length} journeys on the time-skipping server, up to 24 h each…`);
    // One at a time: several journeys waiting on the time-skipping server at once did not finish.
    const rows: WaitingCostRow[] = [];
    for (const c of cases) {
      rows.push(
        await (async (): Promise<WaitingCostRow> => {
          const id = `${c.outage ? 'sim-http-503-' : 'wait-'}${randomUUID()}`;
          if (c.way === 'naive') {
            const input: NaivePollInput = {
              provider: 'gbg-go-v2',
              journeyId: id,
              intervalMs: 10_000,
              forMs: c.hours * HOUR,
            };
            const handle = await client.workflow.start('naivePollJourney', {
              taskQueue: NAIVE_TASK_QUEUE,
              workflowId: `naive:${id}`,
              args: [input],
            });
            const ended = await handle.result().then(
              () => 'expired',
              (err: Error & { cause?: Error }) => `failed (${err.cause?.message ?? err.message})`,
            );
            const cut = cutAtHardLimit(
              await chainHistory(history, handle.workflowId, handle.firstExecutionRunId),
              ended,
            );
            const row = analyseWaiting(c, cut.runs, cut.ended);
            log(`waiting cost: ${waitingCaseName(c)}: ${row.polls} polls, ${row.ended}`);
            return row;
          }
          const input: AwaitJourneyInput = {
            provider: 'gbg-go-v2',
            journeyId: id,
            deadline: new Date((await kit.now()) + c.hours * HOUR).toISOString(),
            ...(c.way === 'preset' ? { polling: POLLING_PRESETS.webhooks } : {}),
          };
          const started = await startJourneyAwait(client, input, { taskQueue: kit.taskQueue });
          const ended = await getJourneyHandle(client, input)
            .result()
            .then(
              (state) => state.status,
              (err: Error & { cause?: { type?: string } }) => `failed (${err.cause?.type ?? err.message})`,
            );
          const row = analyseWaiting(c, await chainHistory(history, started.workflowId, started.runId), ended);
          log(`waiting cost: ${waitingCaseName(c)}: ${row.polls} polls, ${ended}`);
          return row;
        })(),
      );
    }
    const firstWaits = (way: WaitingWay) =>
      JSON.stringify(rows.find((r) => r.way === way && r.hours === 24 && !r.outage)?.firstQuarterHourWaitsS);
    return {
      rows,
      presetFirst15MinAsDefault: firstWaits('preset') === firstWaits('default'),
      wallSec: Math.round((Date.now() - wallStart) / 1000),
    };
  } finally {
    if (naiveWorker.getState() === 'RUNNING') naiveWorker.shutdown();
    await running;
    if (naiveFailure) log(`waiting cost: the naive loop's worker failed: ${String(naiveFailure)}`);
    await naiveSim.close();
    await historyConnection.close();
    await kit.teardown();
  }
}
