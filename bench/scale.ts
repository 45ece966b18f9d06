/**
 * 3. Scale: N concurrent journeys polling the simulator every 10 s, N escalating while the p99 poll lag stays
 * under 1 s and time remains. Each step adds journeys spread over one interval (so polls are evenly phased),
 * lets them settle, then measures a steady-state window in the worker process: polls/s achieved vs scheduled,
 * poll lag, worker RSS and CPU, and the dev server's CPU and RSS. The same harness with `sleepLoop` (a timer
 * in a loop, nothing else) gives the dev server's own ceiling on this machine.
 */
import { randomUUID } from 'node:crypto';
import { startJourneyAwait } from '../src/client';
import { mapLimit, procUsage, sleepMs, terminateAll, type Stack } from './stack';
import { rounded, type Summary } from './stats';
import type { WindowStats } from './worker-process';

export type ScaleKind = 'journey' | 'sleep';

/** A step holds only if at least this share of the scheduled polls (or wake-ups) happened in its window. */
const MIN_ACHIEVED_SHARE = 0.95;

export interface ScaleOptions {
  ladder: number[];
  intervalMs: number;
  /** Steady-state measurement per step. */
  windowMs: number;
  /** Wait after the last start of a step before measuring. */
  settleMs: number;
  /** Don't start a step that would end after this (epoch ms). */
  deadline: number;
  lagLimitMs: number;
}

export interface ScaleStep {
  n: number;
  scheduledPerSec: number;
  achievedPerSec: number;
  /** Journeys: poll lag (fetch start − previous fetch end − interval). Sleep: wake-up lag (clock gap − interval). */
  lagMs: Summary;
  /** Journeys only: lag of the activity's scheduled time. */
  scheduleLagMs?: Summary;
  errors: number;
  worker: { cpuPercent: number; rssMbMean: number; rssMbMax: number; heapUsedMb: number };
  server?: { cpuPercent: number; rssMb: number };
  /** CPU per poll (journeys) or wake-up (sleep), in ms, by process: what one unit of work costs the machine. */
  cpuMsPerPoll: { worker: number; server?: number; simulator?: number };
  /** How long starting this step's new workflows took (ms) vs the one interval they were spread over. */
  rampMs: number;
  held: boolean;
}

export interface ScaleResult {
  kind: ScaleKind;
  taskQueue: string;
  steps: ScaleStep[];
  /** Largest N whose p99 lag stayed under the limit (0: none did). */
  maxHeldN: number;
  stoppedBecause: string;
}

const r1 = (v: number) => Number(v.toFixed(1));

export async function runScale(
  stack: Stack,
  kind: ScaleKind,
  opts: ScaleOptions,
  log: (msg: string) => void,
): Promise<ScaleResult> {
  const { client, worker } = stack;
  const taskQueue = `bench-scale-${kind}`;
  const tag = randomUUID().slice(0, 8);
  const ids: string[] = [];
  const steps: ScaleStep[] = [];
  let stoppedBecause = 'ladder done';
  await worker.call('startWorker', { taskQueue, product: kind === 'journey' });
  let serial = 0;

  // Ids are never reused (a finished journey is never started again): each start takes the next serial number.
  const start = (): Promise<unknown> => {
    // Journeys the simulator keeps in progress for the whole run (sim-complete-after-N polls).
    const id = kind === 'journey' ? `sim-complete-after-9999-${tag}-${serial++}` : `scale-sleep-${tag}-${serial++}`;
    ids.push(kind === 'journey' ? `journey:gbg-go-v2:${id}` : id);
    return kind === 'journey'
      ? startJourneyAwait(
          client,
          { provider: 'gbg-go-v2', journeyId: id, polling: { baseIntervalMs: opts.intervalMs } },
          { taskQueue },
        )
      : client.workflow.start('sleepLoop', { taskQueue, workflowId: id, args: [opts.intervalMs] });
  };

  // The ladder first; past the first N that does not hold, refine from the largest N that held in steps of
  // ~25 % (terminating workflows to step down), so the ceiling is known to within a quarter.
  const ladder = [...opts.ladder];
  let heldMax = 0;
  let failedMin = Number.POSITIVE_INFINITY;
  const nextN = (): number | undefined => {
    if (failedMin === Number.POSITIVE_INFINITY) return ladder.shift();
    const refined = Math.round((heldMax * 1.25) / 10) * 10;
    return heldMax > 0 && refined < failedMin * 0.95 && !steps.some((st) => st.n === refined) ? refined : undefined;
  };
  try {
    for (let n = nextN(); n !== undefined; n = nextN()) {
      const stepDown = n < ids.length;
      const expected = opts.intervalMs + opts.settleMs + opts.windowMs;
      if (Date.now() + expected > opts.deadline) {
        stoppedBecause = `time budget: no room for N=${n}`;
        break;
      }
      if (stepDown) {
        log(`scale ${kind}: N=${n} (-${ids.length - n}), terminating…`);
        // The (empty) ramp below then lets the backlog of the larger N drain for one interval before measuring.
        await terminateAll(client, ids.splice(n), 'bench step down');
      }
      // Spread the new workflows over one interval, in 50 slices, so their polls are evenly phased.
      const from = ids.length;
      const add = Math.max(0, n - from);
      log(`scale ${kind}: N=${n} (+${add}), starting over ${opts.intervalMs / 1000} s…`);
      const rampStart = Date.now();
      const slices = 50;
      const pending: Promise<unknown>[] = [];
      for (let s = 0; s < slices; s++) {
        const lo = from + Math.floor((s * add) / slices);
        const hi = from + Math.floor(((s + 1) * add) / slices);
        pending.push(
          mapLimit(
            Array.from({ length: hi - lo }, (_, k) => lo + k),
            32,
            () => start(),
          ),
        );
        await sleepMs(rampStart + ((s + 1) * opts.intervalMs) / slices - Date.now());
      }
      await Promise.all(pending);
      const rampMs = Date.now() - rampStart;
      await sleepMs(opts.settleMs);

      const server0 = procUsage(stack.serverPid);
      const simulator0 = procUsage(stack.simulator.pid);
      const t0 = Date.now();
      await worker.call('windowStart', { interval: opts.intervalMs, label: `${kind}-N${n}` });
      await sleepMs(opts.windowMs);
      const w = await worker.call<WindowStats>('windowEnd');
      const server1 = procUsage(stack.serverPid);
      const simulator1 = procUsage(stack.simulator.pid);
      const wallMs = Date.now() - t0;

      const lag = kind === 'journey' ? w.pollLagMs : w.tickLagMs;
      const done = kind === 'journey' ? w.fetches : w.ticks;
      // Lag only covers workflows that ran twice in the window; the rate catches those left waiting altogether.
      const achievedShare = (done * opts.intervalMs) / (n * w.wallMs);
      const held = lag.n > 0 && lag.p99 < opts.lagLimitMs && achievedShare >= MIN_ACHIEVED_SHARE;
      const perPoll = (cpuMs: number) => Number((cpuMs / Math.max(done, 1)).toFixed(2));
      const windowCpuMs = (from?: { cpuMs: number }, to?: { cpuMs: number }) =>
        from && to ? perPoll(((to.cpuMs - from.cpuMs) * w.wallMs) / wallMs) : undefined;
      const step: ScaleStep = {
        n,
        scheduledPerSec: r1((n * 1000) / opts.intervalMs),
        achievedPerSec: r1((done * 1000) / w.wallMs),
        lagMs: rounded(lag, 0),
        ...(kind === 'journey' ? { scheduleLagMs: rounded(w.scheduleLagMs, 0) } : {}),
        errors: w.fetchErrors,
        worker: {
          cpuPercent: r1(w.cpuPercent),
          rssMbMean: r1(w.rssMb.mean),
          rssMbMax: r1(w.rssMb.max),
          heapUsedMb: r1(w.heapUsedMb),
        },
        ...(server0 && server1
          ? { server: { cpuPercent: r1(((server1.cpuMs - server0.cpuMs) / wallMs) * 100), rssMb: r1(server1.rssMb) } }
          : {}),
        cpuMsPerPoll: {
          worker: perPoll((w.cpuPercent / 100) * w.wallMs),
          server: windowCpuMs(server0, server1),
          // The simulator stands in for the provider: only the journeys call it.
          ...(kind === 'journey' ? { simulator: windowCpuMs(simulator0, simulator1) } : {}),
        },
        rampMs,
        held,
      };
      steps.push(step);
      log(
        `scale ${kind}: N=${n}: ${step.achievedPerSec}/${step.scheduledPerSec} per s, lag p50 ${step.lagMs.median} ms p99 ${step.lagMs.p99} ms, ` +
          `worker CPU ${step.worker.cpuPercent}% RSS ${step.worker.rssMbMax} MB${step.server ? `, server CPU ${step.server.cpuPercent}%` : ''}`,
      );
      if (held) heldMax = Math.max(heldMax, n);
      else {
        failedMin = Math.min(failedMin, n);
        stoppedBecause = `p99 lag ≥ ${opts.lagLimitMs} ms or < ${MIN_ACHIEVED_SHARE * 100} % of scheduled done, from N=${failedMin}: ${step.achievedPerSec}/${step.scheduledPerSec} per s, p99 lag ${lag.p99} ms`;
      }
    }
  } finally {
    log(`scale ${kind}: terminating ${ids.length} workflows…`);
    await worker.call('stopWorker', { taskQueue });
    await terminateAll(client, ids, 'bench step done');
    await worker.call('forget');
  }
  const held = steps.filter((s) => s.held);
  return { kind, taskQueue, steps, maxHeldN: held.length ? Math.max(...held.map((s) => s.n)) : 0, stoppedBecause };
}

/**
 * Journeys and the sleep loop at the same N, one right after the other, each from zero and settled for one whole
 * interval (every journey has polled twice) before its window: a shared, noisy machine then runs both under the
 * same conditions, so their ceilings can be compared. Each loop climbs until its first N that does not hold.
 */
export async function runScaleSideBySide(
  stack: Stack,
  opts: ScaleOptions,
  log: (msg: string) => void,
): Promise<[ScaleResult, ScaleResult]> {
  const results = (['journey', 'sleep'] as const).map((kind): ScaleResult => ({
    kind,
    taskQueue: `bench-scale-${kind}`,
    steps: [],
    maxHeldN: 0,
    stoppedBecause: 'ladder done',
  })) as [ScaleResult, ScaleResult];
  const climbing = new Set(results);
  for (const n of opts.ladder) {
    for (const result of results) {
      if (!climbing.has(result)) continue;
      const step = await runScale(stack, result.kind, { ...opts, ladder: [n], settleMs: opts.intervalMs }, log);
      result.steps.push(...step.steps);
      const held = step.steps[0]?.held === true;
      if (held) result.maxHeldN = n;
      if (!held) {
        result.stoppedBecause = step.stoppedBecause;
        climbing.delete(result);
      }
    }
    if (climbing.size === 0) break;
  }
  return results;
}
