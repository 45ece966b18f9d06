/**
 * `npm run bench -- --server=cluster`: the journey scale scenario on the production topology's server (a real
 * Temporal server on PostgreSQL, dev/cluster) with 1 and then 2 worker processes, so the figures say what one
 * worker holds and what a second adds, each on a fresh cluster. Each worker process is the bench's usual one
 * (bench/worker-process.ts); the scale harness sees them as one worker group whose window figures are merged.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { journeyDataConverter } from '../src/config';
import { startCluster } from '../dev/cluster/cluster';
import { TEMPORAL_SERVER_VERSION } from '../dev/cluster/settings';
import { forkRpc, type RpcChild } from './rpc';
import { runScale, type ScaleOptions, type ScaleResult } from './scale';
import type { Stack } from './stack';
import type { Summary } from './stats';
import type { InitArgs, WorkerTuning } from './worker-process';

export const CLUSTER_SERVER_DESCRIPTION = `Temporal server ${TEMPORAL_SERVER_VERSION} (go.temporal.io/server) on PostgreSQL with SQL visibility, 127.0.0.1 (dev/cluster)`;

export type ClusterScaleResult = ScaleResult & { workers: number };

const isSummary = (v: unknown): v is Summary => typeof v === 'object' && v !== null && 'p99' in v && 'n' in v;

/**
 * Merges the workers' summaries: counts add, mean is weighted, median is the sample-weighted mean of the medians
 * (an approximation) and p99 the worst worker's p99 (an upper bound).
 */
function mergeSummaries(parts: Summary[]): Summary {
  const withData = parts.filter((s) => s.n > 0);
  if (withData.length === 0) return parts[0]!;
  const n = withData.reduce((t, s) => t + s.n, 0);
  const weighted = (pick: (s: Summary) => number) => withData.reduce((t, s) => t + pick(s) * s.n, 0) / n;
  return {
    n,
    median: weighted((s) => s.median),
    mean: weighted((s) => s.mean),
    p99: Math.max(...withData.map((s) => s.p99)),
    min: Math.min(...withData.map((s) => s.min)),
    max: Math.max(...withData.map((s) => s.max)),
  };
}

/** One window over several processes: counts, CPU and memory add up, the wall time is the longest, summaries merge. */
function mergeWindows(parts: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(parts[0] ?? {})) {
    const values = parts.map((p) => p[key]);
    if (key === 'wallMs') out[key] = Math.max(...(values as number[]));
    else if (values.every((v) => typeof v === 'number')) out[key] = (values as number[]).reduce((t, v) => t + v, 0);
    else if (values.every(isSummary)) out[key] = mergeSummaries(values);
    else if (values.every((v) => typeof v === 'object' && v !== null))
      out[key] = mergeWindows(values as Record<string, unknown>[]);
    else out[key] = values[0];
  }
  return out;
}

/** Several worker processes behind the one-worker interface the scale harness drives. */
function workerGroup(children: RpcChild[]): RpcChild {
  return {
    pid: children[0]!.pid,
    async call<T>(op: string, args?: unknown, timeoutMs?: number): Promise<T> {
      const results = await Promise.all(children.map((c) => c.call<unknown>(op, args, timeoutMs)));
      return (op === 'windowEnd' ? mergeWindows(results as Record<string, unknown>[]) : results[0]) as T;
    },
    async stop() {
      await Promise.all(children.map((c) => c.stop()));
    },
  };
}

async function runOnFreshCluster(
  workers: number,
  plan: { ladder: number[]; windowMs: number; settleMs: number; maxCachedWorkflows: number; deadline: number },
  log: (msg: string) => void,
): Promise<{ result: ClusterScaleResult; workerTuning: WorkerTuning }> {
  const cluster = await startCluster({ log });
  const stops: (() => Promise<void>)[] = [() => cluster.stop()];
  try {
    const connection = await Connection.connect({ address: cluster.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: cluster.namespace, dataConverter: journeyDataConverter() });
    const simulator = await forkRpc('simulator', path.join(__dirname, 'simulator-process.ts'));
    stops.push(() => simulator.stop());
    const info = await simulator.call<{ url: string; providerConfig: InitArgs['providerConfig'] }>('info');
    const children = await Promise.all(
      Array.from({ length: workers }, (_, k) => forkRpc(`worker ${k + 1}`, path.join(__dirname, 'worker-process.ts'))),
    );
    const group = workerGroup(children);
    stops.push(() => group.stop());
    const initArgs: InitArgs = {
      address: cluster.address,
      namespace: cluster.namespace,
      providerConfig: info.providerConfig,
      maxCachedWorkflows: plan.maxCachedWorkflows,
    };
    const workerTuning = (
      await Promise.all(children.map((c) => c.call<{ tuning: WorkerTuning }>('init', initArgs)))
    )[0]!.tuning;
    const stack: Stack = {
      client,
      address: cluster.address,
      namespace: cluster.namespace,
      simulatorUrl: info.url,
      providerConfig: info.providerConfig,
      worker: group,
      simulator,
      workerTuning,
      serverPid: cluster.server.pid,
      dataDir: cluster.dir,
      stop: async () => {},
    };
    const opts: ScaleOptions = {
      ladder: plan.ladder,
      intervalMs: 10_000,
      windowMs: plan.windowMs,
      settleMs: plan.settleMs,
      lagLimitMs: 1_000,
      deadline: plan.deadline,
    };
    return { result: { ...(await runScale(stack, 'journey', opts, log)), workers }, workerTuning };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

/** 1 then 2 worker processes, each on a fresh cluster (no backlog from the other run), with an equal share of the time. */
export async function runClusterScale(
  plan: { ladder: number[]; windowMs: number; settleMs: number; maxCachedWorkflows: number; deadline: number },
  log: (msg: string) => void,
): Promise<{ results: ClusterScaleResult[]; workerTuning?: WorkerTuning }> {
  const results: ClusterScaleResult[] = [];
  let workerTuning: WorkerTuning | undefined;
  const counts = [1, 2];
  for (const [i, workers] of counts.entries()) {
    log(
      `cluster scale with ${workers} worker process${workers > 1 ? 'es' : ''}: starting a fresh cluster (builds the server on first run)…`,
    );
    const deadline = Date.now() + (plan.deadline - Date.now()) / (counts.length - i);
    const run = await runOnFreshCluster(workers, { ...plan, deadline }, log);
    results.push(run.result);
    workerTuning = run.workerTuning;
  }
  return { results, workerTuning };
}
