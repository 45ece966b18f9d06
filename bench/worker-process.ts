/**
 * The bench's worker, in a child process so its RSS and CPU are the worker's alone. It runs one Worker per task
 * queue (the product's awaitJourneyCompletion + fetchState, the naive loop + its raw activity, the sleep-only
 * loop), and records, per workflow, how late each poll or wake-up came compared with its schedule.
 */
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type InjectedSinks, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, createProviderAgent } from '../src/activities';
import type { FetchStateInput, JourneyPoll } from '../src/journey';
import type { ProviderConfig } from '../src/providers/config';
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
}

export interface WorkerTuning {
  maxCachedWorkflows: number;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentWorkflowTaskExecutions: number;
}

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

const quiet = { debug() {}, warn() {} };

let connection: NativeConnection | undefined;
let bundle: WorkflowBundleWithSourceMap | undefined;
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

function recordedFetchState(fetchState: (input: FetchStateInput) => Promise<JourneyPoll>) {
  return async function (input: FetchStateInput): Promise<JourneyPoll> {
    const info = Context.current().info;
    const workflowId = info.workflowExecution?.workflowId ?? input.journeyId;
    const startedAt = Date.now();
    const prevEnd = lastFetchEnd.get(workflowId);
    if (windowOpen && prevEnd !== undefined) {
      pollLags.push(startedAt - prevEnd - intervalMs);
      scheduleLags.push(info.currentAttemptScheduledTimestampMs - prevEnd - intervalMs);
    }
    let ok = false;
    try {
      const state = await fetchState(input);
      ok = true;
      return state;
    } finally {
      lastFetchEnd.set(workflowId, Date.now());
      if (windowOpen) {
        fetches++;
        if (!ok) fetchErrors++;
      }
    }
  };
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
    connection = await NativeConnection.connect({ address: args.address });
    bundle = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'workflows.ts'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never,
    });
    tuning = { maxCachedWorkflows: args.maxCachedWorkflows, maxConcurrentActivityTaskExecutions: 200, maxConcurrentWorkflowTaskExecutions: 40 };
    return { pid: process.pid, tuning };
  },

  async startWorker({ taskQueue }: { taskQueue: string }) {
    if (!connection || !bundle || !init || !tuning) throw new Error('init first');
    const agent = createProviderAgent({ connections: 64 });
    const { fetchState } = createActivities({ config: init.providerConfig, dispatcher: agent, logger: quiet });
    const worker = await Worker.create({
      connection,
      namespace: init.namespace,
      taskQueue,
      workflowBundle: bundle,
      activities: { fetchState: recordedFetchState(fetchState), ...createNaiveActivities(init.providerConfig) },
      sinks,
      ...tuning,
      shutdownGraceTime: '2s',
    });
    const running = worker.run().finally(() => agent.close());
    workers.set(taskQueue, { worker, running });
  },

  async stopWorker({ taskQueue }: { taskQueue: string }) {
    const w = workers.get(taskQueue);
    if (!w) return;
    workers.delete(taskQueue);
    w.worker.shutdown();
    await w.running;
  },

  windowStart({ interval }: { interval: number }) {
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

  windowEnd(): WindowStats {
    windowOpen = false;
    clearInterval(rssTimer);
    const wallMs = Date.now() - windowStart.at;
    const cpu = process.cpuUsage(windowStart.cpu);
    rssSamples.push(process.memoryUsage().rss);
    const mb = (b: number) => b / 1_048_576;
    return {
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
