/**
 * `crash`: what a worker's death costs the journeys it held. Per sticky schedule-to-start timeout, two product
 * worker processes (bench/worker-process.ts) share a task queue; journeys kept in progress by the simulator poll
 * on their schedule until one worker is killed with SIGKILL. From each journey's history (the identity on
 * WorkflowTaskStarted says which process ran a task), a journey the dead worker held suffered, for its first poll
 * after the kill, an extra delay: from the moment that poll was due (its TimerFired) to the surviving worker's
 * WorkflowTaskStarted. A journey on the surviving worker gives the same figure as a control (the normal dispatch).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { EventType, eventMs, historyOf, type HistoryEvent } from './history';
import { forkRpc, type RpcChild } from './rpc';
import { mapLimit, scriptJourney, sleepMs, startSpreadJourneys, terminateAll, type Stack } from './stack';
import { rounded, summarize, type Summary } from './stats';
import { runStickyLive, type StickyLiveCase } from './sticky-live';
import type { InitArgs } from './worker-process';

export interface CrashRecoveryOptions {
  /** Journeys per sticky setting, started over one poll interval. */
  journeys: number;
  intervalMs: number;
  /** Polling on both workers before the kill. */
  settleMs: number;
  stickyTimeoutsMs: number[];
  /** This share of the journeys takes SLOW_FETCH_MS per fetch, so some have one in flight at the kill. */
  slowShare?: number;
  /** Then, per setting, one live worker holding this many journeys for `liveWindowMs` (bench/sticky-live.ts). */
  liveJourneys?: number;
  liveWindowMs?: number;
}

/** How a journey reached the surviving worker, from its history. */
export type MovedBy = 'sticky timeout' | 'task timeout' | 'straight to the normal queue';

export interface CrashCase {
  stickyTimeoutMs: number;
  journeys: number;
  /** Journeys whose last task before the kill ran on the killed worker. */
  held: number;
  /** Of those, the ones the surviving worker took over within the wait. */
  recovered: number;
  movedBy: Record<MovedBy, number>;
  /** Extra delay of the held journeys' first poll after the kill: due (TimerFired) → WorkflowTaskStarted. */
  extraDelayMs: Summary;
  /** The same, split by how they moved: waiting between polls (sticky) or with a fetch in flight (task timeout). */
  byStickyMs: Summary;
  byTaskTimeoutMs: Summary;
  /** The same on the surviving worker's own journeys. */
  controlDelayMs: Summary;
  /** The takeover task (replay from history, then the fetch) against a control journey's next task (the fetch). */
  takeoverTaskMs: Summary;
  controlTaskMs: Summary;
  /** Workflow task timeouts (any) before the kill: a live worker's sticky timeouts under this setting. */
  timeoutsBeforeKill: number;
}

export interface CrashRecoveryResult {
  options: CrashRecoveryOptions;
  cases: CrashCase[];
  live: StickyLiveCase[];
}

const WORKFLOW_TASK_TIMEOUT_MS = 10_000;
const SLOW_FETCH_MS = 5_000;
const TimeoutType = temporal.api.enums.v1.TimeoutType;

interface Delay {
  held: boolean;
  delayMs?: number;
  /** The surviving worker's first task for the journey: started → completed (replay, then the poll's fetch). */
  taskMs?: number;
  movedBy?: MovedBy;
}

const started = (e: HistoryEvent) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED;
const identityOf = (e: HistoryEvent) => e.workflowTaskStartedEventAttributes?.identity ?? '';

/** One journey's first poll after the kill, from its history; `killedPid`'s tasks carry the identity `<pid>@host`. */
export function delayAfterKill(events: HistoryEvent[], killAt: number, killedPid: number): Delay {
  const killed = (e: HistoryEvent) => identityOf(e).startsWith(`${killedPid}@`);
  const lastBefore = events.filter((e) => started(e) && eventMs(e) < killAt).at(-1);
  if (!lastBefore) return { held: false };
  const held = killed(lastBefore);
  const nextIndex = events.findIndex((e) => started(e) && eventMs(e) >= killAt && !killed(e));
  if (nextIndex === -1) return { held };
  const next = events[nextIndex]!;
  const due = events
    .slice(0, nextIndex)
    .filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED)
    .at(-1);
  if (!due) return { held };
  const between = events.slice(events.indexOf(lastBefore), nextIndex);
  const timeouts = between.map((e) => e.workflowTaskTimedOutEventAttributes?.timeoutType).filter((t) => t != null);
  const movedBy: MovedBy = timeouts.includes(TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE)
    ? 'task timeout'
    : timeouts.includes(TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START)
      ? 'sticky timeout'
      : 'straight to the normal queue';
  const completed = events.slice(nextIndex).find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  const taskMs = completed ? eventMs(completed) - eventMs(next) : undefined;
  return { held, delayMs: eventMs(next) - eventMs(due), taskMs, movedBy };
}

async function startWorkers(stack: Stack, taskQueue: string, stickyTimeoutMs: number): Promise<RpcChild[]> {
  const workers = await Promise.all(
    ['a', 'b'].map((k) => forkRpc(`crash worker ${k}`, path.join(__dirname, 'worker-entry.cjs'))),
  );
  const init: InitArgs = {
    address: stack.address,
    namespace: stack.namespace,
    providerConfig: stack.providerConfig,
    maxCachedWorkflows: 1_000,
  };
  await Promise.all(workers.map((w) => w.call('init', init)));
  await Promise.all(workers.map((w) => w.call('startWorker', { taskQueue, stickyTimeoutMs })));
  return workers;
}

async function runCase(
  stack: Stack,
  opts: CrashRecoveryOptions,
  stickyTimeoutMs: number,
  log: (msg: string) => void,
): Promise<CrashCase> {
  const tag = randomUUID().slice(0, 8);
  const taskQueue = `bench-crash-${tag}`;
  log(`crash: sticky ${stickyTimeoutMs / 1000} s: two worker processes on ${taskQueue}…`);
  const [killed, survivor] = (await startWorkers(stack, taskQueue, stickyTimeoutMs)) as [RpcChild, RpcChild];
  const ids: string[] = [];
  try {
    await startSpreadJourneys(
      stack,
      { count: opts.journeys, intervalMs: opts.intervalMs, taskQueue, concurrency: 4 },
      async (i) => {
        const slow = i < Math.round((opts.slowShare ?? 0) * opts.journeys);
        const journeyId = `${slow ? 'crash-slow' : 'sim-complete-after-9999'}-${tag}-${i}`;
        if (slow)
          await scriptJourney(stack.simulatorUrl, 'gbg-go-v2', journeyId, [
            `slow ${SLOW_FETCH_MS}ms in_progress x9999`,
          ]);
        return journeyId;
      },
      ids,
    );
    await sleepMs(opts.settleMs);
    const killAt = Date.now();
    process.kill(killed.pid, 'SIGKILL');
    log(`crash: sticky ${stickyTimeoutMs / 1000} s: killed worker pid ${killed.pid}; waiting for the takeover…`);
    await sleepMs(opts.intervalMs + Math.max(stickyTimeoutMs, WORKFLOW_TASK_TIMEOUT_MS) + 5_000);
    const histories = await mapLimit(ids, 16, (id) => historyOf(stack.client, id));
    const delays = histories.map((events) => delayAfterKill(events, killAt, killed.pid));
    const heldDelays = delays.filter((d) => d.held);
    const movedBy: Record<MovedBy, number> = {
      'sticky timeout': 0,
      'task timeout': 0,
      'straight to the normal queue': 0,
    };
    for (const d of heldDelays) if (d.movedBy) movedBy[d.movedBy]++;
    const timeoutsBeforeKill = histories
      .flat()
      .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT && eventMs(e) < killAt).length;
    const ms = (ds: Delay[], pick: (d: Delay) => number | undefined = (d) => d.delayMs) =>
      ds.flatMap((d) => (pick(d) === undefined ? [] : [pick(d)!]));
    const control = delays.filter((d) => !d.held);
    const result: CrashCase = {
      stickyTimeoutMs,
      journeys: ids.length,
      held: heldDelays.length,
      recovered: ms(heldDelays).length,
      movedBy,
      extraDelayMs: rounded(summarize(ms(heldDelays)), 0),
      byStickyMs: rounded(summarize(ms(heldDelays.filter((d) => d.movedBy !== 'task timeout'))), 0),
      byTaskTimeoutMs: rounded(summarize(ms(heldDelays.filter((d) => d.movedBy === 'task timeout'))), 0),
      controlDelayMs: rounded(summarize(ms(control)), 0),
      takeoverTaskMs: rounded(summarize(ms(heldDelays, (d) => d.taskMs)), 0),
      controlTaskMs: rounded(summarize(ms(control, (d) => d.taskMs)), 0),
      timeoutsBeforeKill,
    };
    log(
      `crash: sticky ${stickyTimeoutMs / 1000} s: ${result.recovered}/${result.held} held journeys taken over, ` +
        `extra delay p50 ${result.extraDelayMs.median} ms max ${result.extraDelayMs.max} ms ` +
        `(control p50 ${result.controlDelayMs.median} ms max ${result.controlDelayMs.max} ms)`,
    );
    return result;
  } finally {
    await survivor.stop();
    await killed.stop();
    await terminateAll(stack.client, ids, 'bench crash done');
  }
}

/** Each sticky setting on a fresh pair of worker processes, one after the other (the same run, the same machine). */
export async function runCrashRecovery(
  stack: Stack,
  opts: CrashRecoveryOptions,
  log: (msg: string) => void,
): Promise<CrashRecoveryResult> {
  const cases: CrashCase[] = [];
  for (const sticky of opts.stickyTimeoutsMs) cases.push(await runCase(stack, opts, sticky, log));
  const live: StickyLiveCase[] = [];
  const { liveJourneys: journeys, liveWindowMs: windowMs = 30_000, intervalMs } = opts;
  if (journeys) {
    for (const stickyTimeoutMs of opts.stickyTimeoutsMs)
      live.push(await runStickyLive(stack, { journeys, intervalMs, windowMs, stickyTimeoutMs }, log));
  }
  return { options: opts, cases, live };
}

interface Table {
  title: string;
  header: string[];
  rows: string[][];
}

/** The bench's printed tables: the kill, then the live worker. */
export function crashRecoveryTables(r: CrashRecoveryResult): Table[] {
  const tables = [killTable(r)];
  if (r.live.length) {
    tables.push({
      title: `7b. One live worker process holding ${r.live[0]!.journeys} journeys polling every ${r.options.intervalMs / 1000} s, ${r.live[0]!.windowMs / 1000} s: tasks lost to the sticky timeout`,
      header: ['sticky timeout', 'polls due', 'sticky timeouts', 'start lag p50 ms', 'p99 ms', 'max ms'],
      rows: r.live.map((c) => [
        `${c.stickyTimeoutMs / 1000} s`,
        String(c.due),
        String(c.stickyTimeouts),
        String(c.startLagMs.median),
        String(c.startLagMs.p99),
        String(c.startLagMs.max),
      ]),
    });
  }
  return tables;
}

/** p50/max, or – when no journey moved that way (a quick run may have none mid-fetch). */
const medianMax = (s: Summary) => (s.n ? `${s.median}/${s.max}` : '–');

function killTable(r: CrashRecoveryResult): Table {
  return {
    title: `7. Worker killed (SIGKILL), 2 worker processes, ${r.options.journeys} journeys polling every ${r.options.intervalMs / 1000} s: extra delay of the dead worker's journeys (poll due → started on the other worker)`,
    header: [
      'sticky timeout',
      'held',
      'taken over',
      'p50 ms',
      'max ms',
      'by sticky / task timeout / straight',
      'waiting p50/max ms',
      'mid-fetch p50/max ms',
      'control p50/max ms',
      'task p50 ms: takeover / control',
      'timeouts before kill',
    ],
    rows: r.cases.map((c) => [
      `${c.stickyTimeoutMs / 1000} s`,
      String(c.held),
      String(c.recovered),
      String(c.extraDelayMs.median),
      String(c.extraDelayMs.max),
      `${c.movedBy['sticky timeout']} / ${c.movedBy['task timeout']} / ${c.movedBy['straight to the normal queue']}`,
      medianMax(c.byStickyMs),
      medianMax(c.byTaskTimeoutMs),
      medianMax(c.controlDelayMs),
      `${c.takeoverTaskMs.median} / ${c.controlTaskMs.median}`,
      String(c.timeoutsBeforeKill),
    ]),
  };
}
