/** Settings of the worker (`src/worker.ts`): metrics, shutdown grace, workflow bundle and provider credentials. */
import { z } from 'zod';
import { parseProviderConfig, type ProviderConfig } from '../providers/config';
import { DEFAULT_COMMON_SETTINGS, parseCommonSettings, type CommonSettings } from './common';
import { booleanText, durationMs, EnvReader, hostPort, type Env, type Parsed } from './env';

export const DEFAULT_METRICS_BIND = '127.0.0.1:9464';
export const DEFAULT_WORKER_SHUTDOWN_GRACE_MS = 10_000;
/**
 * How long a journey's workflow task waits on the sticky queue of the worker that holds it in memory before any
 * worker may take it: after that worker dies, its journeys poll this much late. Half the SDK's 10 s; a live worker
 * slower than this to take a task loses it to a full replay elsewhere (docs/operating.md, "When a worker dies").
 */
export const DEFAULT_WORKER_STICKY_TIMEOUT_MS = 5_000;

/**
 * Worker sizing for many mostly-sleeping journeys, chosen by `npm run bench` (scale: N journeys polling every
 * 10 s on 2 cores). The cache keeps every open journey's state in memory, so a poll never replays its history.
 * A poll is two workflow activations (start the fetch, handle its result); two workflow threads run different
 * journeys' activations side by side (in runs with N rising without restarts: 1,750 journeys held against 1,500
 * on one). Task slots stay modest: with 200 the worker took in more tasks than it could run and each waited
 * behind the others (one thread held 1,250 journeys with 200 slots, 1,500 with 40).
 */
export interface WorkerTuning {
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentLocalActivityExecutions: number;
  workflowThreadPoolSize: number;
}

export const DEFAULT_WORKER_TUNING: WorkerTuning = {
  maxCachedWorkflows: 10_000,
  maxConcurrentWorkflowTaskExecutions: 40,
  maxConcurrentLocalActivityExecutions: 100,
  workflowThreadPoolSize: 2,
};

const slots = z.coerce.number().int().min(2).max(100_000);

function parseWorkerTuning(r: EnvReader): WorkerTuning {
  const read = (name: string, fallback: number) => r.parse(name, slots, fallback, 'a whole number, 2 to 100000');
  const tuning: WorkerTuning = {
    maxCachedWorkflows: read('WORKER_MAX_CACHED_WORKFLOWS', DEFAULT_WORKER_TUNING.maxCachedWorkflows),
    maxConcurrentWorkflowTaskExecutions: read(
      'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
      DEFAULT_WORKER_TUNING.maxConcurrentWorkflowTaskExecutions,
    ),
    maxConcurrentLocalActivityExecutions: read(
      'WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES',
      DEFAULT_WORKER_TUNING.maxConcurrentLocalActivityExecutions,
    ),
    workflowThreadPoolSize: r.parse(
      'WORKER_WORKFLOW_THREADS',
      z.coerce.number().int().min(1).max(64),
      DEFAULT_WORKER_TUNING.workflowThreadPoolSize,
      'a whole number, 1 to 64',
    ),
  };
  if (tuning.maxConcurrentWorkflowTaskExecutions > tuning.maxCachedWorkflows) {
    r.problem('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: malformed (cannot exceed WORKER_MAX_CACHED_WORKFLOWS)');
  }
  return tuning;
}

export interface WorkerSettings extends CommonSettings {
  /** `host:port` for the Prometheus scrape endpoint, or undefined when METRICS_BIND=off. */
  metricsBind?: string;
  shutdownGraceMs: number;
  /** WORKER_STICKY_TIMEOUT_MS: the Worker's stickyQueueScheduleToStartTimeout. */
  stickyTimeoutMs: number;
  tuning: WorkerTuning;
  /** JOURNEY_WORKFLOW_BUNDLE: a prebuilt workflow bundle to load instead of the one next to the worker. */
  workflowBundle?: string;
  providers: ProviderConfig;
}

/** METRICS_BIND=off (or false, 0, no, none): no Prometheus endpoint. */
export function metricsDisabled(value: string | undefined): boolean {
  return booleanText.safeParse(value?.trim() ?? '').data === false;
}

/** At least one provider's API credentials are required. */
export function parseWorkerSettings(env: Env): Parsed<WorkerSettings> {
  const r = new EnvReader(env);
  const common = r.use(parseCommonSettings(env), DEFAULT_COMMON_SETTINGS);
  const metricsOff = metricsDisabled(r.text('METRICS_BIND'));
  const metricsBind = metricsOff
    ? undefined
    : r.parse('METRICS_BIND', hostPort, DEFAULT_METRICS_BIND, 'host:port, e.g. 127.0.0.1:9464, or off');
  const shutdownGraceMs = r.parse(
    'WORKER_SHUTDOWN_GRACE_MS',
    durationMs(0, 600_000),
    DEFAULT_WORKER_SHUTDOWN_GRACE_MS,
    'milliseconds (or a duration like 10s), 0 to 600000',
  );
  const stickyTimeoutMs = r.parse(
    'WORKER_STICKY_TIMEOUT_MS',
    durationMs(1_000, 60_000),
    DEFAULT_WORKER_STICKY_TIMEOUT_MS,
    'milliseconds (or a duration like 3s), 1000 to 60000',
  );
  const tuning = parseWorkerTuning(r);
  const workflowBundle = r.text('JOURNEY_WORKFLOW_BUNDLE');
  const providers = r.use(parseProviderConfig(env), {});
  if (r.issues.length === 0 && !providers.gbg && !providers.idnow) {
    r.problem(
      'GBG_CLIENT_ID/GBG_CLIENT_SECRET or IDNOW_CLIENT_ID/IDNOW_CLIENT_SECRET: missing (configure at least one provider)',
    );
  }
  return r.result({
    ...common,
    metricsBind,
    shutdownGraceMs,
    stickyTimeoutMs,
    tuning,
    ...(workflowBundle ? { workflowBundle } : {}),
    providers,
  });
}
