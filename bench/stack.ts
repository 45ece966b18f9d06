/**
 * The bench's stack, all on loopback: the Temporal CLI dev server (SQLite in a temp dir, like `npm start`),
 * the provider simulator and the worker, each in its own process, and a client in this one.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { ProviderConfig } from '../src/providers/config';
import { startJourneyAwait } from '../src/client';
import { journeyWorkflowId } from '../src/contract/identifiers';
import { journeySearchAttributeKeys } from '../src/contract/workflow';
import { devServerExecutable, INSTALL_HINT, withStartRetries } from '../dev/temporal-servers';
import { forkRpc, type RpcChild } from './rpc';
import type { InitArgs, WorkerTuning } from './worker-process';

export interface Stack {
  client: Client;
  address: string;
  namespace: string;
  simulatorUrl: string;
  providerConfig: ProviderConfig;
  worker: RpcChild;
  simulator: RpcChild;
  workerTuning: WorkerTuning;
  /** The dev server's process id, when it could be found (for its CPU and RSS). */
  serverPid?: number;
  dataDir: string;
  stop(): Promise<void>;
}

export class StackError extends Error {
  override readonly name = 'StackError';
}

/** Children of this process whose command line contains `needle`. */
function childPid(needle: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) return Number(entry);
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}

export interface ProcUsage {
  cpuMs: number;
  rssMb: number;
}

/** CPU time (user + system) and RSS of any process, from /proc. */
export function procUsage(pid: number | undefined): ProcUsage | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    const rssPages = Number(fields[21]);
    return { cpuMs: (ticks * 1000) / 100, rssMb: (rssPages * 4096) / 1_048_576 };
  } catch {
    return undefined;
  }
}

export type DbMode = 'memory' | 'file';

/** `profileDir`: the worker writes a CPU profile of each scale window there. */
export async function startStack(
  log: (msg: string) => void,
  maxCachedWorkflows: number,
  db: DbMode,
  profileDir?: string,
): Promise<Stack> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'journey-await-bench-'));
  let env: TestWorkflowEnvironment;
  log(`starting the Temporal dev server (CLI, SQLite ${db === 'file' ? 'file in a temp dir' : 'in memory'})…`);
  try {
    const executable = await devServerExecutable();
    env = await withStartRetries(executable, () =>
      TestWorkflowEnvironment.createLocal({
        server: {
          executable,
          ip: '127.0.0.1',
          ui: false,
          ...(db === 'file' ? { dbFilename: path.join(dataDir, 'temporal.sqlite') } : {}),
          searchAttributes: journeySearchAttributeKeys,
          // Under overload the server logs every slow persistence call; the lag figures show it instead.
          log: { format: 'pretty', level: 'never' },
        },
      }),
    );
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new StackError(`could not start the Temporal dev server: ${(err as Error).message}\n${INSTALL_HINT}`);
  }
  const address = env.address;
  const namespace = env.namespace ?? 'default';
  const serverPid = childPid('start-dev');

  const stops: (() => Promise<void>)[] = [
    async () => env.teardown(),
    async () => rmSync(dataDir, { recursive: true, force: true }),
  ];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    log('starting the provider simulator (child process)…');
    const simulator = await forkRpc('simulator', path.join(__dirname, 'simulator-process.ts'));
    stops.push(() => simulator.stop());
    const info = await simulator.call<{ url: string; providerConfig: ProviderConfig }>('info');

    log('starting the worker (child process) and bundling workflows…');
    const worker = await forkRpc('worker', path.join(__dirname, 'worker-entry.cjs'));
    stops.push(() => worker.stop());
    const initArgs: InitArgs = {
      address,
      namespace,
      providerConfig: info.providerConfig,
      maxCachedWorkflows,
      profileDir,
    };
    const { tuning } = await worker.call<{ tuning: WorkerTuning }>('init', initArgs);

    return {
      client: env.client,
      address,
      namespace,
      simulatorUrl: info.url,
      providerConfig: info.providerConfig,
      worker,
      simulator,
      workerTuning: tuning,
      serverPid,
      dataDir,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw new StackError(`could not start the bench stack: ${(err as Error).message}`);
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** A wait whose end may already have passed (a schedule running late): then none. */
export const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Terminates the bench's workflows once a scenario is done with them; one already closed is no error. */
export async function terminateAll(client: Client, workflowIds: string[], reason: string): Promise<void> {
  await mapLimit(workflowIds, 64, (id) =>
    client.workflow
      .getHandle(id)
      .terminate(reason)
      .catch(() => undefined),
  );
}

/**
 * Starts `count` GBG GO v2 journeys polling every `intervalMs`, spread evenly over one interval so their polls are
 * evenly phased. Each workflow id joins `ids` as it starts, so a failed start leaves the others to terminate.
 * `journeyIdOf(i)` names journey i (and may script it in the simulator first).
 */
export async function startSpreadJourneys(
  stack: Pick<Stack, 'client'>,
  opts: { count: number; intervalMs: number; taskQueue: string; concurrency: number },
  journeyIdOf: (i: number) => string | Promise<string>,
  ids: string[],
): Promise<void> {
  const t0 = Date.now();
  await mapLimit(
    Array.from({ length: opts.count }, (_, i) => i),
    opts.concurrency,
    async (i) => {
      await sleepMs(t0 + (i * opts.intervalMs) / opts.count - Date.now());
      const journeyId = await journeyIdOf(i);
      ids.push(journeyWorkflowId('gbg-go-v2', journeyId));
      await startJourneyAwait(
        stack.client,
        { provider: 'gbg-go-v2', journeyId, polling: { baseIntervalMs: opts.intervalMs } },
        { taskQueue: opts.taskQueue },
      );
    },
  );
}

/** Scripts a journey through the simulator's admin API. */
export async function scriptJourney(
  simulatorUrl: string,
  provider: string,
  journeyId: string,
  script: string[],
): Promise<void> {
  const res = await fetch(`${simulatorUrl}/__admin/journeys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider, journeyId, script }),
  });
  if (res.status !== 201) throw new Error(`simulator admin API: HTTP ${res.status} ${await res.text()}`);
}
