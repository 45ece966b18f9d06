/**
 * The bench's worker, in a child process so its RSS and CPU are the worker's alone. Journeys run on the product's
 * own worker (`runWorker` from src/worker.ts: its tuning, prebuilt bundle and activities), with an activity
 * interceptor that times each poll; the naive loop and the sleep-only loop (bench workflows) run on plain Workers
 * given the same tuning. It records, per workflow, how late each poll or wake-up came compared with its schedule.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import type { ActivityInboundCallsInterceptor, ActivityExecuteInput, Next } from '@temporalio/worker';
import { Context } from '@temporalio/activity';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type InjectedSinks,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import {
  DEFAULT_COMMON_SETTINGS,
  DEFAULT_WORKER_STICKY_TIMEOUT_MS,
  DEFAULT_WORKER_TUNING,
  journeyDataConverter,
  temporalConnectionFromEnv,
  type TemporalConnection,
  type WorkerSettings,
} from '../src/config';
import { silentLogger } from '../src/logger';
import type { ProviderConfig } from '../src/providers/config';
import { runWorker, type RunningWorker } from '../src/worker';
import { createNaiveActivities } from './naive-activity';
import { serveRpc } from './rpc';
import type { BenchSinks } from './sleep-workflow';
import { summarize, type Summary } from './stats';

export interface InitArgs {
  address: string;
  namespace: string;
  providerConfig: ProviderConfig;
  /** Kept above the largest N, so no workflow is evicted and replayed from scratch each cycle. */
  maxCachedWorkflows: number;
  /** When set, each measurement window is CPU-profiled into `<profileDir>/<label>.cpuprofile`. */
  profileDir?: string;
}

/** The product worker's tuning (src/config/worker.ts), the cache raised to the largest N when that is higher. */
export type WorkerTuning = WorkerSettings['tuning'];

export interface WindowStats {
  wallMs: number;
  /** fetchState calls that finished inside the window, and how many of them failed. */
  fetches: number;
  fetchErrors: number;
  /** Poll lag: this fetch's start − (previous fetch's end + interval), per workflow. */
  pollLagMs: Summary;
  /** The same from the activity's scheduled time (excludes the dispatch to the worker). */
  scheduleLagMs: Summary;
  /** sleepLoop wake-ups inside the window and their lag: workflow clock gap − interval. */
  ticks: number;
  tickLagMs: Summary;
  cpuPercent: number;
  rssMb: { mean: number; max: number };
  heapUsedMb: number;
}

let connection: NativeConnection | undefined;
let connectConfig: TemporalConnection | undefined;
let benchBundle: WorkflowBundleWithSourceMap | undefined;
let productBundlePath: string | undefined;
let init: InitArgs | undefined;
let tuning: WorkerTuning | undefined;
const workers = new Map<string, { worker: Worker; running: Promise<void> }>();

// Recorders. Per-workflow state survives window boundaries; the samples only count inside a window.
let intervalMs = 10_000;
let windowOpen = false;
const lastFetchEnd = new Map<string, number>();
const lastTick = new Map<string, number>();
let pollLags: number[] = [];
let scheduleLags: number[] = [];
let tickLags: number[] = [];
let fetches = 0;
let fetchErrors = 0;
let ticks = 0;
let windowStart = { at: 0, cpu: process.cpuUsage() };
let rssSamples: number[] = [];
let rssTimer: NodeJS.Timeout | undefined;
let profiler: { session: Session; file: string } | undefined;

/** Times each fetchState call (a local activity in the product) without touching the activity itself. */
class PollTimer implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: Context) {}
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const info = this.ctx.info;
    if (info.activityType !== 'fetchState') return next(input);
    const workflowId = info.workflowExecution?.workflowId ?? info.activityId;
    const startedAt = Date.now();
    const prevEnd = lastFetchEnd.get(workflowId);
    if (windowOpen && prevEnd !== undefined) {
      pollLags.push(startedAt - prevEnd - intervalMs);
      scheduleLags.push(info.currentAttemptScheduledTimestampMs - prevEnd - intervalMs);
    }
    let ok = false;
    try {
      const result = await next(input);
      ok = true;
      return result;
    } finally {
      lastFetchEnd.set(workflowId, Date.now());
      if (windowOpen) {
        fetches++;
        if (!ok) fetchErrors++;
      }
    }
  }
}

const sinks: InjectedSinks<BenchSinks> = {
  bench: {
    tick: {
      fn(info, workflowTimeMs: number) {
        const prev = lastTick.get(info.workflowId);
        lastTick.set(info.workflowId, workflowTimeMs);
        if (!windowOpen) return;
        ticks++;
        if (prev !== undefined) tickLags.push(workflowTimeMs - prev - intervalMs);
      },
    },
  },
};

serveRpc({
  async init(args: InitArgs) {
    init = args;
    Runtime.install({ logger: new DefaultLogger('WARN') });
    connectConfig = temporalConnectionFromEnv({
      env: {
        TEMPORAL_ADDRESS: args.address,
        TEMPORAL_NAMESPACE: args.namespace,
        TEMPORAL_CONFIG_FILE: path.join(os.tmpdir(), 'no-such.toml'),
      },
    });
    connection = await NativeConnection.connect({ address: args.address });
    const logger = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;
    // The product's workflows prebuilt once, as `npm run build` ships them; the naive and sleep loops apart.
    const product = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'src', 'workflows'), logger });
    productBundlePath = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-bundle-')), 'workflow-bundle.js');
    writeFileSync(productBundlePath, product.code);
    benchBundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'workflows.ts'), logger });
    tuning = {
      ...DEFAULT_WORKER_TUNING,
      maxCachedWorkflows: Math.max(DEFAULT_WORKER_TUNING.maxCachedWorkflows, args.maxCachedWorkflows),
    };
    return { pid: process.pid, tuning };
  },

  /** `product`: awaitJourneyCompletion through runWorker; otherwise the bench's naive and sleep loops. */
  /** `stickyTimeoutMs`: the product worker's WORKER_STICKY_TIMEOUT_MS (its default otherwise). */
  async startWorker({
    taskQueue,
    product = true,
    stickyTimeoutMs = DEFAULT_WORKER_STICKY_TIMEOUT_MS,
  }: {
    taskQueue: string;
    product?: boolean;
    stickyTimeoutMs?: number;
  }) {
    if (!connection || !connectConfig || !benchBundle || !productBundlePath || !init || !tuning)
      throw new Error('init first');
    if (product) {
      const settings: WorkerSettings = {
        ...DEFAULT_COMMON_SETTINGS,
        taskQueue,
        shutdownGraceMs: 2_000,
        stickyTimeoutMs,
        tuning,
        workflowBundle: productBundlePath,
        providers: init.providerConfig,
      };
      const running: RunningWorker = await runWorker(settings, connectConfig, silentLogger, {
        dataConverter: journeyDataConverter(),
        interceptors: { activity: [(ctx) => ({ inbound: new PollTimer(ctx) })] },
      });
      workers.set(taskQueue, { worker: running.worker, running: running.done });
      return;
    }
    const worker = await Worker.create({
      connection,
      namespace: init.namespace,
      taskQueue,
      workflowBundle: benchBundle,
      activities: createNaiveActivities(init.providerConfig),
      sinks,
      ...tuning,
      shutdownGraceTime: '2s',
    });
    workers.set(taskQueue, { worker, running: worker.run() });
  },

  async stopWorker({ taskQueue }: { taskQueue: string }) {
    const w = workers.get(taskQueue);
    if (!w) return;
    workers.delete(taskQueue);
    w.worker.shutdown();
    await w.running;
  },

  async windowStart({ interval, label }: { interval: number; label: string }) {
    if (init?.profileDir) {
      const session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      profiler = { session, file: path.join(init.profileDir, `${label}.cpuprofile`) };
    }
    intervalMs = interval;
    pollLags = [];
    scheduleLags = [];
    tickLags = [];
    fetches = fetchErrors = ticks = 0;
    rssSamples = [process.memoryUsage().rss];
    clearInterval(rssTimer);
    rssTimer = setInterval(() => rssSamples.push(process.memoryUsage().rss), 500);
    windowStart = { at: Date.now(), cpu: process.cpuUsage() };
    windowOpen = true;
  },

  async windowEnd(): Promise<WindowStats> {
    windowOpen = false;
    clearInterval(rssTimer);

    const wallMs = Date.now() - windowStart.at;
    const cpu = process.cpuUsage(windowStart.cpu);
    rssSamples.push(process.memoryUsage().rss);
    const mb = (b: number) => b / 1_048_576;
    const stats: WindowStats = {
      wallMs,
      fetches,
      fetchErrors,
      pollLagMs: summarize(pollLags),
      scheduleLagMs: summarize(scheduleLags),
      ticks,
      tickLagMs: summarize(tickLags),
      cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
      rssMb: { mean: mb(rssSamples.reduce((s, v) => s + v, 0) / rssSamples.length), max: mb(Math.max(...rssSamples)) },
      heapUsedMb: mb(process.memoryUsage().heapUsed),
    };
    // After the figures, so writing the profile is not counted in them.
    if (profiler) {
      const { profile } = await profiler.session.post('Profiler.stop');
      profiler.session.disconnect();
      mkdirSync(path.dirname(profiler.file), { recursive: true });
      writeFileSync(profiler.file, JSON.stringify(profile));
      profiler = undefined;
    }
    return stats;
  },

  forget() {
    lastFetchEnd.clear();
    lastTick.clear();
  },

  usage() {
    return { rssMb: process.memoryUsage().rss / 1_048_576, cpu: process.cpuUsage() };
  },
});

async function shutdown(): Promise<void> {
  for (const { worker } of workers.values()) worker.shutdown();
  await Promise.allSettled([...workers.values()].map((w) => w.running));
  await connection?.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
