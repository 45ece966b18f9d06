/**
 * A provider outage on the production topology (PostgreSQL-backed Temporal server with SQL visibility, a worker
 * process as `npm run build` ships it, the simulator in its own process answering 503 for every journey): 30
 * journeys in flight show in `list --stale` while they retry and give up; when the provider is back one
 * `journey-await redrive --since …` re-opens exactly those, each ends at its provider state with one new run, and
 * a second redrive starts nothing. A completed, a rejected and a running journey are untouched.
 *
 * Short policy, as in test/cli/redrive.outage.test.ts: the default one gives up about 41 minutes into an outage (so
 * a 45-minute outage outlasts it); here 1 s polls, no backoff, 8 errors (7 s), and the outage lasts until all gave up.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../dev/cluster/cluster';
import {
  appEnvironment,
  startSimulatorProcess,
  startWorkerProcess,
  type ServiceProcess,
  type SimulatorProcess,
} from '../../dev/cluster/topology';
import { scriptJourney, setSimulatorOutage, type SimulatedStack } from '../../dev/stack/simulator-admin';
import { EXIT } from '../../src/cli';
import {
  connectClient,
  getJourneyStatus,
  listJourneys,
  startJourneyAwait,
  type JourneyState,
  type RedriveReport,
} from '../../src/client';
import { journeyDataConverter } from '../../src/config';
import { PROVIDERS, type JourneyProvider } from '../../src/contract/vocabulary';
import { journeyWorkflowId } from '../../src/contract/identifiers';
import { eventually } from '../helpers/eventually';
import { freePorts } from '../helpers/free-ports';
import { runCliCaptured } from '../helpers/run-cli';

const SHORT_POLICY = { baseIntervalMs: 1_000, errorBackoffMs: 0, maxConsecutiveErrors: 8 };
const ENDINGS = [
  { step: 'completed', status: 'completed' },
  { step: 'completed outcome=rejected', status: 'completed' },
  { step: 'failed', status: 'failed' },
];

let cluster: Cluster;
let simulator: SimulatorProcess;
let worker: ServiceProcess;
let stack: SimulatedStack;
let client: Client;
let failed = false;

beforeAll(async () => {
  cluster = await startCluster();
  const [simulatorPort, webhookPort] = await freePorts(2);
  simulator = await startSimulatorProcess({ port: simulatorPort!, logFile: path.join(cluster.dir, 'simulator.log') });
  const env = appEnvironment({
    temporalAddress: cluster.address,
    namespace: cluster.namespace,
    simulator,
    webhookPort: webhookPort!,
  });
  stack = { simulatorUrl: simulator.url, webhookUrl: `http://127.0.0.1:${webhookPort}`, env };
  worker = await startWorkerProcess({ name: 'worker', env, logFile: path.join(cluster.dir, 'worker.log') });
  client = await connectClient({
    connectionOptions: { address: cluster.address },
    namespace: cluster.namespace,
    dataConverter: journeyDataConverter(env),
  });
});

afterAll(async () => {
  await client?.connection.close().catch(() => {});
  await Promise.all([worker, simulator].filter(Boolean).map((p) => p.stop()));
  await cluster?.stop({ keepFiles: failed });
});

interface Journey {
  provider: JourneyProvider;
  journeyId: string;
  workflowId: string;
}

const journey = (provider: JourneyProvider, name: string): Journey => {
  const journeyId = `${name}-${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  return { provider, journeyId, workflowId: journeyWorkflowId(provider, journeyId) };
};

/** Runs per workflow id through SQL visibility, oldest first. */
async function runsOf(workflowId: string): Promise<{ runId: string; status: string; startTime: Date }[]> {
  const runs = [];
  for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    runs.push({ runId: wf.runId, status: wf.status.name, startTime: wf.startTime });
  return runs.reverse();
}

it('30 journeys through a provider outage: list --stale, give up, one redrive, each ends right, once', async () => {
  try {
    const since = new Date(Date.now() - 1_000).toISOString();
    const outage = Array.from({ length: 30 }, (_, i) => ({
      ...journey(PROVIDERS[i % 3]!, `outage${i}`),
      ending: ENDINGS[Math.floor(i / 3) % ENDINGS.length]!,
    }));
    const completed = journey('gbg-go-v2', 'done');
    const rejected = journey('idnow', 'sim-http-400');
    const running = journey('gbg-go-v1', 'running');
    await Promise.all([
      ...outage.map((j) => scriptJourney(stack, j.provider, j.journeyId, ['in_progress x3', j.ending.step])),
      scriptJourney(stack, completed.provider, completed.journeyId, ['completed']),
      scriptJourney(stack, running.provider, running.journeyId, ['in_progress']),
    ]);
    const start = (j: Journey, polling = SHORT_POLICY) =>
      startJourneyAwait(client, { provider: j.provider, journeyId: j.journeyId, polling });
    await Promise.all([...outage.map((j) => start(j)), start(completed), start(rejected)]);
    const runningRunId = (await start(running, { ...SHORT_POLICY, maxConsecutiveErrors: 1_000 })).runId;
    const handle = (j: Journey) => client.workflow.getHandle<() => Promise<JourneyState>>(j.workflowId);
    expect(await handle(completed).result()).toMatchObject({ status: 'completed' });
    await expect(handle(rejected).result()).rejects.toThrow();

    // Each journey in flight has fetched once; then the provider answers 503 for all of them.
    const polled = await eventually(
      async () => {
        const polls = await Promise.all(
          [...outage, running].map(async (j) => (await getJourneyStatus(client, j)).progress?.polls ?? 0),
        );
        return polls.every((n) => n >= 1) ? true : undefined;
      },
      60_000,
      100,
    );
    expect(polled).toBe(true);
    await setSimulatorOutage(stack, true);

    const inFlight = new Set([...outage, running].map((j) => j.workflowId));
    const stale = await eventually(
      async () => {
        const rows = (await listJourneys(client, { staleFor: 1_000, limit: 1000 })).filter((r) =>
          inFlight.has(r.workflowId),
        );
        return rows.length === inFlight.size ? rows : undefined;
      },
      60_000,
      250,
    );
    expect(stale?.length, 'list --stale through SQL visibility while they retry').toBe(inFlight.size);
    for (const row of stale!) {
      expect(row.lastError).toBe('FetchFailed HTTP 503');
      expect(row.fetchErrors).toBeGreaterThanOrEqual(1);
    }

    const gaveUp = await eventually(
      async () => {
        const statuses = await Promise.all(outage.map(async (j) => (await handle(j).describe()).status.name));
        return statuses.every((s) => s === 'FAILED') ? true : undefined;
      },
      120_000,
      500,
    );
    expect(gaveUp).toBe(true);
    await setSimulatorOutage(stack, false);

    const redrive = await runCliCaptured(client, ['redrive', '--since', since, '--yes', '--json']);
    expect(redrive.code, redrive.err).toBe(EXIT.DONE);
    const report = JSON.parse(redrive.out) as RedriveReport;
    expect(report.reopened).toBe(outage.length);
    expect(
      report.journeys
        .filter((r) => r.outcome === 'reopened')
        .map((r) => r.workflowId)
        .sort(),
    ).toEqual(outage.map((j) => j.workflowId).sort());

    const states = await Promise.all(outage.map((j) => handle(j).result()));
    expect(states.map((s, i) => `${outage[i]!.workflowId} ${s.status}`)).toEqual(
      outage.map((j) => `${j.workflowId} ${j.ending.status}`),
    );
    const newRunStarts: number[] = [];
    for (const j of outage) {
      const runs = await eventually(async () => {
        const r = await runsOf(j.workflowId);
        return r.length === 2 && r[1]!.status === 'COMPLETED' ? r : undefined;
      }, 30_000);
      expect(
        runs?.map((r) => r.status),
        j.workflowId,
      ).toEqual(['FAILED', 'COMPLETED']);
      newRunStarts.push(runs![1]!.startTime.getTime());
    }

    const again = JSON.parse((await runCliCaptured(client, ['redrive', '--since', since, '--yes', '--json'])).out);
    expect((again as RedriveReport).reopened).toBe(0);
    for (const j of outage) expect((await runsOf(j.workflowId)).length).toBe(2);
    expect((await runsOf(completed.workflowId)).map((r) => r.status)).toEqual(['COMPLETED']);
    expect((await runsOf(rejected.workflowId)).map((r) => r.status)).toEqual(['FAILED']);
    expect((await runsOf(running.workflowId)).map((r) => [r.runId, r.status])).toEqual([[runningRunId, 'RUNNING']]);
    const spread = Math.max(...newRunStarts) - Math.min(...newRunStarts);
    process.stdout.write(
      `[cluster outage] re-opened ${report.reopened} journeys; new runs started within ${spread} ms\n`,
    );
  } catch (err) {
    failed = true;
    throw err;
  }
});
