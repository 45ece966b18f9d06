/**
 * `npm run bench [-- --quick] [--only=fetch,history,webhook,scale,soak,waiting,crash] [--db=memory|file] [--out=.bench]`: what
 * journey-await exists for, measured on loopback against the embedded Temporal dev server and the provider simulator,
 * beside the naive way. `waiting` (what waiting 1 h and 24 h costs) runs on a time-skipping server of its own
 * (bench/waiting-cost.ts), before the dev server starts. Writes .bench/results.json and .bench/chart.svg, prints a short table and, after a full run on the dev
 * server, updates docs/performance.md's tables.
 * `--server=cluster`: the journey scale scenario only, on a PostgreSQL-backed Temporal server with 1 and 2 worker
 * processes (bench/cluster.ts).
 * `--ladder=1000,1500,2000`: the scale steps to try (both loops) instead of the plan's; `--profile`: a V8 CPU profile
 * of the worker per scale step, in <out>/profiles (open in Chrome DevTools or speedscope).
 * Default run < 23 min (waiting ~4 of them, crash ~5); --quick < 5 min.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderChart } from './chart';
import { performanceBlocks, writePerformanceDoc } from './performance-doc';
import { runFetchCost, type FetchCostOptions, type FetchCostResult } from './fetch-cost';
import { runHistoryEconomy, type HistoryEconomyOptions, type HistoryEconomyResult } from './history-economy';
import { CLUSTER_SERVER_DESCRIPTION, runClusterScale, type ClusterScaleResult } from './cluster';
import { runScaleSideBySide, type ScaleResult, type ScaleStep } from './scale';
import { StackError, startStack, type DbMode, type Stack } from './stack';
import type { WorkerTuning } from './worker-process';
import { runWebhookShortCircuit, type WebhookOptions, type WebhookResult } from './webhook-short-circuit';
import { runWebhookSoak, SOAK_RECEIVERS, type WebhookSoakOptions, type WebhookSoakResult } from './webhook-soak';
import {
  dollarsPerThousandJourneys,
  runWaitingCost,
  WAITING_CASES,
  waitingCaseName,
  type WaitingCase,
  type WaitingCostResult,
} from './waiting-cost';
import {
  crashRecoveryTables,
  runCrashRecovery,
  type CrashRecoveryOptions,
  type CrashRecoveryResult,
} from './crash-recovery';

const SCENARIOS = ['fetch', 'history', 'webhook', 'scale', 'soak', 'waiting', 'crash'] as const;
type Scenario = (typeof SCENARIOS)[number];

export interface BenchResults {
  quick: boolean;
  startedAt: string;
  durationSec?: number;
  machine: { cpus: number; memGiB: number; node: string; platform: string };
  setup: { server: string; worker: string; workerTuning?: WorkerTuning; simulator: string };
  fetchCost?: FetchCostResult;
  historyEconomy?: HistoryEconomyResult[];
  webhook?: WebhookResult;
  webhookSoak?: WebhookSoakResult[];
  waitingCost?: WaitingCostResult;
  crashRecovery?: CrashRecoveryResult;
  scale?: (ScaleResult | ClusterScaleResult)[];
  errors: { scenario: string; message: string }[];
}

interface Plan {
  budgetSec: number;
  fetch: FetchCostOptions;
  history: HistoryEconomyOptions;
  webhook: WebhookOptions;
  soak: WebhookSoakOptions;
  /** The journeys kept waiting on the time-skipping server (bench/waiting-cost.ts). */
  waiting: readonly WaitingCase[];
  /** Two worker processes, one killed, per sticky timeout (bench/crash-recovery.ts). */
  crash: CrashRecoveryOptions;
  /** N for both loops, climbed side by side (bench/scale.ts). */
  scaleLadder: number[];
  /**
   * Whole poll intervals (10 s): a workflow on schedule then polls as often in the window whatever its phase, so
   * "polls done against scheduled" measures the step, not how the starts fell (15 s windows read up to 108 % for
   * the sleep loop).
   */
  windowMs: number;
  settleMs: number;
}

const QUICK: Plan = {
  budgetSec: 305,
  fetch: { sequential: 300, concurrency: 32, durationMs: 1_500 },
  history: { inProgressPolls: 3, journeys: 2, intervalMs: 1_000 },
  webhook: { pairs: 4, intervalMs: 10_000 },
  soak: { requests: 2_000, concurrency: 32, restMs: 10_000 },
  waiting: WAITING_CASES.filter((c) => c.hours === 1),
  crash: { journeys: 40, intervalMs: 10_000, settleMs: 20_000, stickyTimeoutsMs: [10_000, 2_000] },
  scaleLadder: [250],
  windowMs: 10_000,
  settleMs: 2_000,
};

const FULL: Plan = {
  budgetSec: 1_360,
  fetch: { sequential: 2_000, concurrency: 64, durationMs: 5_000 },
  history: { inProgressPolls: 6, journeys: 3, intervalMs: 1_000 },
  webhook: { pairs: 20, intervalMs: 10_000 },
  soak: { requests: 10_000, concurrency: 32, restMs: 20_000 },
  waiting: WAITING_CASES,
  crash: {
    journeys: 100,
    intervalMs: 10_000,
    settleMs: 25_000,
    stickyTimeoutsMs: [10_000, 5_000, 2_000],
    slowShare: 0.4,
    liveJourneys: 1_500,
  },
  // Steps of at most 25 % from 1,000; each loop stops at its first N that does not hold.
  scaleLadder: [500, 1_000, 1_250, 1_500, 1_750, 2_000, 2_500, 3_000, 4_000],
  windowMs: 20_000,
  settleMs: 3_000,
};

interface Args {
  quick: boolean;
  only: Scenario[];
  out: string;
  db: DbMode;
  cluster: boolean;
  ladder?: number[];
  profile: boolean;
}

function parseArgs(argv: string[]): Args {
  let quick = false;
  let cluster = false;
  let profile = false;
  let ladder: number[] | undefined;
  let db: DbMode = 'memory';
  let only: Scenario[] = [...SCENARIOS];
  let out = path.resolve(__dirname, '..', '.bench');
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg.startsWith('--only=')) {
      only = arg.slice(7).split(',') as Scenario[];
      const bad = only.filter((s) => !SCENARIOS.includes(s));
      if (bad.length) throw new Error(`unknown scenario(s) ${bad.join(', ')}; choose from ${SCENARIOS.join(', ')}`);
    } else if (arg.startsWith('--out=')) out = path.resolve(arg.slice(6));
    else if (arg === '--db=file' || arg === '--db=memory') db = arg.slice(5) as DbMode;
    else if (arg === '--profile') profile = true;
    else if (arg.startsWith('--ladder=')) {
      ladder = arg.slice(9).split(',').map(Number);
      if (!ladder.every((n) => Number.isInteger(n) && n > 0))
        throw new Error(`--ladder: whole numbers > 0, got ${arg}`);
    } else if (arg === '--server=cluster' || arg === '--server=dev') cluster = arg === '--server=cluster';
    else if (arg === '--help' || arg === '-h') {
      console.log(
        'usage: npm run bench -- [--quick] [--only=fetch,history,webhook,scale,soak,waiting,crash] [--db=memory|file] [--server=dev|cluster] [--ladder=N,N,…] [--profile] [--out=.bench]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  return { quick, only, out, db, cluster, ladder, profile };
}

const started = Date.now();
function log(msg: string): void {
  process.stdout.write(`[bench +${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
}

function table(title: string, header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [`\n${title}`, line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

function report(r: BenchResults): string {
  const parts: string[] = [];
  if (r.historyEconomy) {
    parts.push(
      table(
        '1. History economy (per in-progress poll cycle: median; per completed journey: median)',
        [
          'provider / way',
          'events/cycle',
          'bytes/cycle',
          'result bytes/poll',
          'provider calls/journey',
          'actions/poll',
          'events/journey',
          'bytes/journey',
          'bytes/hour @10s',
          'hard limit after',
        ],
        r.historyEconomy.flatMap((p) =>
          (['product', 'naive'] as const).flatMap((way) => {
            const w = p[way];
            if (!w) return [];
            return [
              [
                `${p.provider} ${way}`,
                w.cycleEvents.median,
                w.cycleBytes.median,
                w.resultPayloadBytes.median,
                w.providerCallsPerJourney.median,
                w.actionsPerPoll.median,
                w.journeyEvents.median,
                w.journeyBytes.median,
                w.bytesPerHourAt10s,
                typeof w.hoursToHardLimitAt10s === 'number' ? `${w.hoursToHardLimitAt10s} h` : 'never (CAN)',
              ],
            ];
          }),
        ),
      ),
    );
  }
  if (r.webhook) {
    const w = r.webhook;
    parts.push(
      table(
        `2. Webhook short-circuit (${w.options.pairs} pairs, ${w.options.intervalMs / 1000} s interval, webhook via ${w.delivery}; ms from provider completion)`,
        ['journey', 'median ms', 'p99 ms'],
        [
          ['webhook POST answered', w.webhookPostMs.median, w.webhookPostMs.p99],
          ['webhook → signalled', w.webhookToSignaledMs.median, w.webhookToSignaledMs.p99],
          ['webhook → completed', w.webhookToCompletionMs.median, w.webhookToCompletionMs.p99],
          ['poll only → completed', w.pollOnlyToCompletionMs.median, w.pollOnlyToCompletionMs.p99],
        ],
      ),
    );
  }
  for (const s of r.scale ?? []) {
    parts.push(
      table(
        `3. Scale${'workers' in s ? ` on the cluster, ${s.workers} worker process${s.workers > 1 ? 'es' : ''}` : ''}, ${s.kind === 'journey' ? 'journeys (awaitJourneyCompletion + fetchState)' : 'sleep-only loop (dev server ceiling)'}: max N with p99 lag < 1 s and ≥ 95 % of polls done = ${s.maxHeldN} (${s.stoppedBecause})`,
        [
          'N',
          'sched/s',
          'done/s',
          'lag p50 ms',
          'lag p99 ms',
          'worker CPU %',
          'worker RSS MB',
          'server CPU %',
          'server RSS MB',
          'CPU ms/poll: worker',
          'server',
          'simulator',
          'errors',
        ],
        s.steps.map((x) => [
          x.n,
          x.scheduledPerSec,
          x.achievedPerSec,
          x.lagMs.median,
          x.lagMs.p99,
          x.worker.cpuPercent,
          x.worker.rssMbMax,
          x.server?.cpuPercent ?? '-',
          x.server?.rssMb ?? '-',
          x.cpuMsPerPoll.worker,
          x.cpuMsPerPoll.server ?? '-',
          x.cpuMsPerPoll.simulator ?? '-',
          x.errors,
        ]),
      ),
    );
  }
  const journeys = r.scale?.find((s) => s.kind === 'journey' && !('workers' in s));
  const sleeps = r.scale?.find((s) => s.kind === 'sleep');
  if (journeys && sleeps && sleeps.maxHeldN > 0) {
    const ratio = journeys.maxHeldN / sleeps.maxHeldN;
    parts.push(
      `\nScale ceiling, same run, side by side: journeys ${journeys.maxHeldN} / sleep loop ${sleeps.maxHeldN} = ${(ratio * 100).toFixed(0)} % (target ≥ 80 %)` +
        (sleeps.stoppedBecause.startsWith('p99')
          ? ''
          : `; the sleep loop did not reach its ceiling (${sleeps.stoppedBecause})`),
    );
    const cost = costComparison(journeys.steps, sleeps.steps);
    if (cost) parts.push(cost);
  }
  if (r.fetchCost) {
    const f = r.fetchCost;
    parts.push(
      table(
        `4. fetch cost (${f.provider}; ${f.options.sequential} sequential, then ${f.options.durationMs / 1000} s at concurrency ${f.options.concurrency})`,
        ['client', 'p50 ms', 'p99 ms', 'fetches/s'],
        [
          [
            'fetchState (activity client)',
            f.fetchState.latencyMs.median,
            f.fetchState.latencyMs.p99,
            f.fetchState.perSec,
          ],
          ['bare undici request', f.bareUndici.latencyMs.median, f.bareUndici.latencyMs.p99, f.bareUndici.perSec],
        ],
      ),
    );
  }
  if (r.webhookSoak?.length) {
    const { options, durationMs } = r.webhookSoak[0]!;
    parts.push(
      table(
        `5. Webhook receiver soak (its own process; ${options.requests} shuffled requests, ${options.concurrency} at a time, in ${(durationMs / 1000).toFixed(1)} s; then ${options.restMs / 1000} s of rest)`,
        [
          'receiver',
          'RSS before MiB',
          'peak MiB',
          'after rest MiB',
          'heap used before/at peak/after rest MiB',
          'statuses',
          'no answer',
        ],
        r.webhookSoak.map((w) => [
          w.receiver,
          w.rssMb.before,
          w.rssMb.peak,
          w.rssMb.afterRest,
          [w.memory.before, w.memory.peak, w.memory.afterRest].map((m) => Math.round(m.heapUsedMb)).join('/'),
          Object.entries(w.statuses)
            .map(([k, v]) => `${k}×${v}`)
            .join(' '),
          w.transportErrors,
        ]),
      ),
    );
  }
  if (r.waitingCost) {
    const w = r.waitingCost;
    parts.push(
      table(
        `6. What waiting costs (time-skipping server, ${w.wallSec} s of real time; counted from each chain's histories)`,
        [
          'journey',
          'ended',
          'polls',
          'failed',
          'actions',
          'events',
          'runs',
          'max run events',
          'bytes',
          '$/1,000 journeys',
        ],
        w.rows.map((x) => [
          waitingCaseName(x),
          x.ended,
          x.polls,
          x.failedPolls,
          x.actions,
          x.events,
          x.runs,
          x.maxRunEvents,
          x.bytes,
          dollarsPerThousandJourneys(x).toFixed(2),
        ]),
      ) + `\npreset's first 15 minutes wait as the default's: ${w.presetFirst15MinAsDefault ? 'yes' : 'NO'}`,
    );
  }
  if (r.crashRecovery) {
    for (const c of crashRecoveryTables(r.crashRecovery)) parts.push(table(c.title, c.header, c.rows));
  }
  for (const e of r.errors) parts.push(`\n!! ${e.scenario} failed: ${e.message}`);
  return parts.join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const chosen = args.quick ? QUICK : FULL;
  const plan = args.ladder ? { ...chosen, scaleLadder: args.ladder } : chosen;
  const deadline = started + plan.budgetSec * 1000;
  const results: BenchResults = {
    quick: args.quick,
    startedAt: new Date(started).toISOString(),
    machine: {
      cpus: os.cpus().length,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
    },
    setup: {
      server: `Temporal CLI dev server (temporal server start-dev), SQLite ${args.db === 'file' ? 'file in a temp dir' : 'in memory'}, 127.0.0.1, no UI`,
      worker:
        'child process (bench/worker-process.ts): one Worker per task queue; RSS/CPU from its process.memoryUsage/cpuUsage',
      simulator: 'child process (bench/simulator-process.ts), no request log',
    },
    errors: [],
  };
  log(
    `journey-await bench${args.quick ? ' --quick' : ''}: ${args.only.join(', ')}; budget ${plan.budgetSec} s; output in ${path.relative(process.cwd(), args.out) || args.out}`,
  );

  const maxN = Math.max(...plan.scaleLadder);
  if (args.cluster) {
    results.setup.server = CLUSTER_SERVER_DESCRIPTION;
    results.setup.worker =
      "1, then 2 child processes (bench/worker-process.ts); CPU and RSS summed over them, lag p99 the worse worker's";
    try {
      const cluster = await runClusterScale(
        {
          ladder: plan.scaleLadder,
          windowMs: plan.windowMs,
          settleMs: plan.settleMs,
          maxCachedWorkflows: Math.ceil(maxN * 1.2),
          deadline: deadline - 15_000,
        },
        log,
      );
      results.scale = cluster.results;
      if (cluster.workerTuning) results.setup.workerTuning = cluster.workerTuning;
    } catch (err) {
      log(`scale on the cluster failed: ${(err as Error).message}`);
      results.errors.push({ scenario: 'scale', message: (err as Error).message });
    }
    // Beside the dev server's results, not over them (unless --out says where).
    return finish(
      results,
      process.argv.some((a) => a.startsWith('--out=')) ? args.out : path.join(args.out, 'cluster'),
      false,
    );
  }
  const attempt = async (scenario: Scenario, fn: () => Promise<void>) => {
    if (!args.only.includes(scenario)) return;
    try {
      await fn();
    } catch (err) {
      log(`${scenario} failed: ${(err as Error).message}`);
      results.errors.push({ scenario, message: (err as Error).message });
    }
  };
  await attempt('waiting', async () => {
    results.waitingCost = await runWaitingCost(log, plan.waiting);
  });
  if (args.only.every((s) => s === 'waiting')) return finish(results, args.out, !args.quick);
  let stack: Stack;
  try {
    stack = await startStack(
      log,
      Math.ceil(maxN * 1.2),
      args.db,
      args.profile ? path.join(args.out, 'profiles') : undefined,
    );
  } catch (err) {
    if (err instanceof StackError) {
      console.error(`\nbench: the stack could not start.\n${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  results.setup.workerTuning = stack.workerTuning;
  log(
    `stack up: Temporal ${stack.address} (server pid ${stack.serverPid ?? 'unknown'}), simulator ${stack.simulatorUrl}, worker pid ${stack.worker.pid}`,
  );

  try {
    await attempt('fetch', async () => {
      results.fetchCost = await runFetchCost(stack, plan.fetch, log);
    });
    await attempt('history', async () => {
      results.historyEconomy = await runHistoryEconomy(stack, plan.history, log);
    });
    await attempt('webhook', async () => {
      results.webhook = await runWebhookShortCircuit(stack, plan.webhook, log);
    });
    await attempt('soak', async () => {
      results.webhookSoak = [];
      for (const receiver of SOAK_RECEIVERS)
        results.webhookSoak.push(await runWebhookSoak(stack, plan.soak, log, receiver));
    });
    await attempt('crash', async () => {
      results.crashRecovery = await runCrashRecovery(stack, plan.crash, log);
    });
    await attempt('scale', async () => {
      const base = { intervalMs: 10_000, windowMs: plan.windowMs, settleMs: plan.settleMs, lagLimitMs: 1_000 };
      results.scale = await runScaleSideBySide(
        stack,
        { ...base, ladder: plan.scaleLadder, deadline: deadline - 10_000 },
        log,
      );
    });
  } finally {
    log('stopping the stack…');
    await stack.stop();
  }

  finish(results, args.out, !args.quick);
}

/**
 * What a poll costs against a sleep wake-up, at the largest N both held: on one machine the ceilings' ratio
 * follows the whole machine's CPU per unit; with workers on machines of their own (they scale out), it follows
 * the server's alone.
 */
function costComparison(journeySteps: ScaleStep[], sleepSteps: ScaleStep[]): string | undefined {
  const common = journeySteps
    .filter((j) => j.held && sleepSteps.some((s) => s.held && s.n === j.n))
    .map((j) => j.n)
    .at(-1);
  const journey = journeySteps.find((s) => s.n === common)?.cpuMsPerPoll;
  const sleep = sleepSteps.find((s) => s.n === common)?.cpuMsPerPoll;
  if (!journey?.server || !sleep?.server) return undefined;
  const journeyTotal = journey.worker + journey.server + (journey.simulator ?? 0);
  const sleepTotal = sleep.worker + sleep.server;
  const pct = (v: number) => `${(v * 100).toFixed(0)} %`;
  return (
    `CPU per poll at N=${common}, same run: journeys ${journeyTotal.toFixed(1)} ms (worker ${journey.worker}, server ${journey.server}, simulator ${journey.simulator ?? '-'}), ` +
    `sleep loop ${sleepTotal.toFixed(1)} ms (worker ${sleep.worker}, server ${sleep.server}): ` +
    `by machine CPU journeys can reach ${pct(sleepTotal / journeyTotal)} of the sleep loop's N here; ` +
    `by server CPU alone (workers on their own machines) ${pct(sleep.server / journey.server)}`
  );
}

/** `updatePerformanceDoc`: docs/performance.md shows the last full run on the dev server, not a quick or cluster one. */
function finish(results: BenchResults, out: string, updatePerformanceDoc: boolean): void {
  results.durationSec = Math.round((Date.now() - started) / 1000);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(path.join(out, 'chart.svg'), renderChart(results));
  console.log(report(results));
  console.log(
    `\nwrote ${path.join(out, 'results.json')} and ${path.join(out, 'chart.svg')} (${results.durationSec} s)`,
  );
  if (updatePerformanceDoc) {
    writePerformanceDoc(performanceBlocks(results));
    console.log('updated docs/performance.md');
  }
  if (results.errors.length) process.exit(1);
}

main().catch((err) => {
  console.error('bench failed:', err);
  process.exit(1);
});
