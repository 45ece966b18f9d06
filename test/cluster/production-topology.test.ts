/**
 * The production topology on a real Temporal server (built from go.temporal.io/server, the version of
 * docker-compose's image) on PostgreSQL with SQL visibility: two worker processes and the webhook receiver as
 * `npm run build` ships them, the provider simulator in its own process. 200 journeys across the three providers,
 * list filters (provider, status, decision) through SQL visibility, a worker SIGKILLed mid-run, the server
 * restarted mid-run.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../dev/cluster/cluster';
import {
  appEnvironment,
  startSimulatorProcess,
  startWebhookProcess,
  startWorkerProcess,
  type ServiceProcess,
  type SimulatorProcess,
} from '../../dev/cluster/topology';
import { scriptJourney, sendProviderWebhook, type SimulatedStack } from '../../dev/stack/simulator-admin';
import { connectClient, listJourneys, startJourneyAwait } from '../../src/client';
import { journeyDataConverter } from '../../src/config';
import type { JourneyState } from '../../src/contract/journey-state';
import {
  DECISIONS,
  JOURNEY_STATUSES,
  PROVIDERS,
  type JourneyProvider,
  type JourneyStatus,
} from '../../src/contract/vocabulary';
import { journeyWorkflowId } from '../../src/contract/identifiers';
import type { PollingPolicy } from '../../src/contract/polling';
import { DEFAULT_TASK_QUEUE, WORKFLOW_TYPE } from '../../src/contract/workflow';
import { eventually } from '../helpers/eventually';
import { freePorts } from '../helpers/free-ports';

/** Short polls keep the run short; the schedule's shape is what production uses. */
const POLLING: PollingPolicy = { baseIntervalMs: 1_000, errorBackoffMs: 500, maxConsecutiveErrors: 30 };

interface Outcome {
  script: string[];
  status: JourneyStatus;
}

/**
 * Simulator scripts (one step per fetch, the last repeating) and the status each journey must end in. GBG has no
 * aborted or expired journeys of its own (its adapters map those spellings to failed), so those are IDnow's.
 * A rejected outcome makes all three decisions occur (GBG GO v1 reports none: its journeys stay `undecided`).
 */
const OUTCOMES: (Outcome & { providers?: JourneyProvider[] })[] = [
  { script: ['in_progress', 'completed'], status: 'completed' },
  { script: ['in_progress', 'completed outcome=rejected'], status: 'completed' },
  { script: ['in_progress', '503', 'completed'], status: 'completed' },
  { script: ['in_progress x2', 'failed'], status: 'failed' },
  { script: ['in_progress', 'aborted'], status: 'aborted', providers: ['idnow'] },
  { script: ['in_progress', 'expired'], status: 'expired', providers: ['idnow'] },
];

function outcomeOf(provider: JourneyProvider, n: number): Outcome {
  const possible = OUTCOMES.filter((o) => !o.providers || o.providers.includes(provider));
  return possible[n % possible.length]!;
}

interface Journey {
  provider: JourneyProvider;
  journeyId: string;
  workflowId: string;
  status: JourneyStatus;
}

let cluster: Cluster;
let simulator: SimulatorProcess;
let workers: ServiceProcess[] = [];
let webhooks: ServiceProcess;
let stack: SimulatedStack;
let env: Record<string, string>;
let client: Client;
const started: Journey[] = [];
let failed = false;

function startWorker(n: number): Promise<ServiceProcess> {
  return startWorkerProcess({ name: `worker ${n}`, env, logFile: path.join(cluster.dir, `worker-${n}.log`) });
}

async function workflowPollers(): Promise<string[]> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: cluster.namespace,
    taskQueue: { name: DEFAULT_TASK_QUEUE },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return pollers.map((p) => p.identity ?? '');
}

/** Scripts `count` journeys in the simulator (providers in turn) and starts their workflows. */
async function startJourneys(
  batch: string,
  count: number,
  outcome: (provider: JourneyProvider, n: number) => Outcome,
): Promise<Journey[]> {
  const journeys = Array.from({ length: count }, (_, i) => {
    const provider = PROVIDERS[i % PROVIDERS.length]!;
    const journeyId = `${batch}-${String(i).padStart(3, '0')}`;
    return {
      provider,
      journeyId,
      workflowId: journeyWorkflowId(provider, journeyId),
      ...outcome(provider, Math.floor(i / PROVIDERS.length)),
    };
  });
  await Promise.all(journeys.map((j) => scriptJourney(stack, j.provider, j.journeyId, j.script)));
  const results = await Promise.all(
    journeys.map((j) => startJourneyAwait(client, { provider: j.provider, journeyId: j.journeyId, polling: POLLING })),
  );
  expect(results.filter((r) => r.alreadyFinished)).toEqual([]);
  const out = journeys.map(({ provider, journeyId, workflowId, status }) => ({
    provider,
    journeyId,
    workflowId,
    status,
  }));
  started.push(...out);
  return out;
}

async function results(journeys: Journey[]): Promise<Map<string, JourneyState>> {
  const states = await Promise.all(
    journeys.map((j) => client.workflow.getHandle<() => Promise<JourneyState>>(j.workflowId).result()),
  );
  return new Map(journeys.map((j, i) => [j.workflowId, states[i]!]));
}

/** Every journey ended in its expected status; their final states by workflow id. */
async function expectRightStates(journeys: Journey[]): Promise<Map<string, JourneyState>> {
  const states = await results(journeys);
  const wrong = journeys
    .filter((j) => states.get(j.workflowId)?.status !== j.status)
    .map((j) => `${j.workflowId}: ${states.get(j.workflowId)?.status} ≠ ${j.status}`);
  expect(wrong).toEqual([]);
  return states;
}

/** Executions per workflow id, through SQL visibility. */
async function executionCounts(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const wf of client.workflow.list({ query: `WorkflowType = '${WORKFLOW_TYPE}'`, pageSize: 1000 })) {
    counts.set(wf.workflowId, (counts.get(wf.workflowId) ?? 0) + 1);
  }
  return counts;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  cluster = await startCluster();
  const [simulatorPort, webhookPort] = await freePorts(2);
  simulator = await startSimulatorProcess({ port: simulatorPort!, logFile: path.join(cluster.dir, 'simulator.log') });
  env = appEnvironment({
    temporalAddress: cluster.address,
    namespace: cluster.namespace,
    simulator,
    webhookPort: webhookPort!,
  });
  stack = { simulatorUrl: simulator.url, webhookUrl: `http://127.0.0.1:${webhookPort}`, env };
  workers = await Promise.all([startWorker(1), startWorker(2)]);
  webhooks = await startWebhookProcess({ env, logFile: path.join(cluster.dir, 'webhooks.log') });
  client = await connectClient({
    connectionOptions: { address: cluster.address },
    namespace: cluster.namespace,
    dataConverter: journeyDataConverter(env),
  });
  // Both workers poll before anything starts, so both take journeys.
  expect(await eventually(async () => ((await workflowPollers()).length >= 2 ? true : undefined), 60_000, 500)).toBe(
    true,
  );
});

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail' || ctx.task.result?.errors?.length) failed = true;
});

afterAll(async () => {
  await client?.connection.close().catch(() => {});
  await Promise.all([webhooks, ...workers, simulator].filter(Boolean).map((p) => p.stop()));
  // After a failure the server's, PostgreSQL's and every process's log stay (the path is printed).
  await cluster?.stop({ keepFiles: failed });
});

describe('journey-await on a PostgreSQL-backed Temporal cluster', () => {
  let batch: Journey[];
  let finalStates: Map<string, JourneyState>;

  it('200 journeys across the three providers complete with the right states on two workers', async () => {
    batch = await startJourneys(`cluster-all-${randomUUID().slice(0, 8)}`, 200, outcomeOf);
    expect(new Set(batch.map((j) => j.provider))).toEqual(new Set(PROVIDERS));
    expect(new Set(batch.map((j) => j.status))).toEqual(new Set(JOURNEY_STATUSES.filter((s) => s !== 'in_progress')));
    finalStates = await expectRightStates(batch);
  });

  it('JourneyStatus and JourneyProvider list filters return the right sets through SQL visibility', async () => {
    for (const provider of PROVIDERS) {
      for (const status of JOURNEY_STATUSES) {
        const expected = batch
          .filter((j) => j.provider === provider && j.status === status)
          .map((j) => j.workflowId)
          .sort();
        const listed = await eventually(
          async () => {
            const ids = (await listJourneys(client, { provider, status, limit: 1000 })).map((s) => s.workflowId).sort();
            return JSON.stringify(ids) === JSON.stringify(expected) ? ids : undefined;
          },
          30_000,
          500,
        );
        expect(listed, `${provider} ${status}`).toEqual(expected);
      }
    }
    const completed = await listJourneys(client, { status: 'completed', limit: 1000 });
    expect(completed).toHaveLength(batch.filter((j) => j.status === 'completed').length);
  });

  it('the JourneyDecision list filter returns exactly the journeys that ended with that decision', async () => {
    // Only this batch exists yet, so each list holds exactly its journeys with that final decision.
    const byDecision = new Map(
      DECISIONS.map((decision) => [
        decision,
        batch
          .filter((j) => finalStates.get(j.workflowId)?.decision === decision)
          .map((j) => j.workflowId)
          .sort(),
      ]),
    );
    expect(DECISIONS.filter((decision) => byDecision.get(decision)!.length === 0)).toEqual([]);
    for (const [decision, expected] of byDecision) {
      const listed = await eventually(
        async () => {
          const rows = await listJourneys(client, { decision, limit: 1000 });
          const ids = rows.map((r) => r.workflowId).sort();
          return JSON.stringify(ids) === JSON.stringify(expected) ? rows : undefined;
        },
        30_000,
        500,
      );
      expect(listed?.map((r) => r.workflowId).sort(), decision).toEqual(expected);
      expect(new Set(listed?.map((r) => r.journeyDecision)), decision).toEqual(new Set([decision]));
    }
  });

  it('a worker SIGKILLed mid-run: the other finishes every journey', async () => {
    const journeys = await startJourneys(`cluster-kill-${randomUUID().slice(0, 8)}`, 60, () => ({
      script: ['in_progress x4', 'completed'],
      status: 'completed',
    }));
    await sleep(2_000);
    await workers[0]!.stop({ kill: true });
    expect(workers[0]!.child.signalCode).toBe('SIGKILL');
    await expectRightStates(journeys);
    workers[0] = await startWorker(1);
  });

  it('the Temporal server restarted mid-run: every journey completes, none duplicated; webhooks answered 503 while it is down, 2xx after', async () => {
    const journeys = await startJourneys(`cluster-restart-${randomUUID().slice(0, 8)}`, 60, () => ({
      script: ['in_progress x6', 'completed'],
      status: 'completed',
    }));
    await sleep(2_000);
    const hooked = journeys[0]!;
    await cluster.server.stop();
    const whileDown = await sendProviderWebhook(stack, hooked.provider, hooked.journeyId);
    expect(whileDown.status).toBe(503);
    await sleep(3_000);
    await cluster.server.start();
    await cluster.waitUntilServing();
    const after = await eventually(
      async () => {
        const r = await sendProviderWebhook(stack, hooked.provider, hooked.journeyId);
        return r.status >= 200 && r.status < 300 ? r : undefined;
      },
      60_000,
      1_000,
    );
    expect(after?.status).toBeGreaterThanOrEqual(200);
    await expectRightStates(journeys);

    const counts = await eventually(
      async () => {
        const c = await executionCounts();
        return started.every((j) => c.has(j.workflowId)) ? c : undefined;
      },
      30_000,
      500,
    );
    expect([...counts!.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(new Set(counts!.keys())).toEqual(new Set(started.map((j) => j.workflowId)));
  });
});
