/**
 * The worker process: configuration errors (exit 2, one line per variable), and a real start against the dev
 * server and the simulator: metrics, a journey completed, graceful SIGTERM letting an in-flight fetch finish.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DEFAULT_WORKER_TUNING, workerSettingsFromEnv, ConfigError } from '../../src/config';
import { journeySearchAttributeKeys } from '../../src/contract/workflow';
import { startSimulator, type Simulator } from '../../dev/simulator';
import { startJourneyWorkflow } from '../helpers/start-journey';
import { workflowSource } from '../../src/worker';
import { createLocalEnv } from '../helpers/temporal-env';
import { eventually } from '../helpers/eventually';
import { spawnEntry } from '../helpers/entry-process';
import { freePort } from '../helpers/free-ports';
import { startTcpRelay } from '../helpers/tcp-relay';

const spawnWorker = (env: Record<string, string>) => spawnEntry('src/worker.ts', env);

describe('configuration errors', () => {
  const cases: { name: string; env: Record<string, string>; expected: RegExp[] }[] = [
    {
      name: 'no provider at all',
      env: {},
      expected: [/GBG_CLIENT_ID\/GBG_CLIENT_SECRET or IDNOW_CLIENT_ID\/IDNOW_CLIENT_SECRET: missing/],
    },
    { name: 'GBG client secret missing', env: { GBG_CLIENT_ID: 'id' }, expected: [/^\s+GBG_CLIENT_SECRET: missing$/m] },
    {
      name: 'IDnow client id missing',
      env: { IDNOW_CLIENT_SECRET: 's3cr3t-value' },
      expected: [/^\s+IDNOW_CLIENT_ID: missing$/m],
    },
    {
      name: 'GBG password grant without a password, malformed METRICS_BIND and task queue',
      env: {
        GBG_CLIENT_ID: 'id',
        GBG_CLIENT_SECRET: 'sec',
        GBG_GRANT: 'password',
        GBG_USERNAME: 'u',
        METRICS_BIND: 'nonsense',
        JOURNEY_TASK_QUEUE: 'bad queue!',
      },
      expected: [
        /METRICS_BIND: malformed/,
        /JOURNEY_TASK_QUEUE: malformed/,
        /GBG_USERNAME: the password grant needs GBG_USERNAME and GBG_PASSWORD/,
      ],
    },
    {
      name: 'malformed GBG region',
      env: { GBG_CLIENT_ID: 'id', GBG_CLIENT_SECRET: 'sec', GBG_REGION: 'mars' },
      expected: [/GBG_REGION:/],
    },
  ];

  it('the worker process exits with code 2 and names each missing or malformed variable', async () => {
    const results = await Promise.all(cases.map((c) => spawnWorker(c.env).exited));
    results.forEach((r, i) => {
      const c = cases[i]!;
      expect(r.code, `${c.name}: ${r.stderr}`).toBe(2);
      for (const re of c.expected) expect(r.stderr, c.name).toMatch(re);
      expect(r.stderr, c.name).not.toContain('s3cr3t-value');
      expect(r.stderr, c.name).not.toMatch(/\n\s+at /); // a message, not a stack trace
    });
  });

  it('reports every problem at once, one line each', () => {
    let error: unknown;
    try {
      workerSettingsFromEnv({ GBG_CLIENT_ID: 'id', IDNOW_CLIENT_ID: 'id', METRICS_BIND: 'x', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'LOG_LEVEL: malformed (expected TRACE, DEBUG, INFO, WARN or ERROR)',
      'METRICS_BIND: malformed (expected host:port, e.g. 127.0.0.1:9464, or off)',
      'GBG_CLIENT_SECRET: missing',
      'IDNOW_CLIENT_SECRET: missing',
    ]);
  });

  it('sizes the worker for many sleeping journeys, overridable per setting', () => {
    const creds = { IDNOW_CLIENT_ID: 'id', IDNOW_CLIENT_SECRET: 'secret' };
    expect(workerSettingsFromEnv(creds).tuning).toEqual(DEFAULT_WORKER_TUNING);
    const tuned = workerSettingsFromEnv({
      ...creds,
      WORKER_MAX_CACHED_WORKFLOWS: '500',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '50',
      WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '80',
      WORKER_WORKFLOW_THREADS: '1',
    });
    expect(tuned.tuning).toEqual({
      maxCachedWorkflows: 500,
      maxConcurrentWorkflowTaskExecutions: 50,
      maxConcurrentLocalActivityExecutions: 80,
      workflowThreadPoolSize: 1,
    });
    const problems = (() => {
      try {
        workerSettingsFromEnv({
          ...creds,
          WORKER_MAX_CACHED_WORKFLOWS: '30',
          WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: 'many',
          WORKER_WORKFLOW_THREADS: '0',
        });
      } catch (err) {
        return (err as ConfigError).problems;
      }
    })();
    expect(problems).toEqual([
      'WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: malformed (expected a whole number, 2 to 100000)',
      'WORKER_WORKFLOW_THREADS: malformed (expected a whole number, 1 to 64)',
      'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: malformed (cannot exceed WORKER_MAX_CACHED_WORKFLOWS)',
    ]);
  });

  it('uses the prebuilt workflow bundle when present, the sources otherwise', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bundle-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    expect(workflowSource(dir)).toHaveProperty('workflowsPath');
    writeFileSync(path.join(dir, 'workflow-bundle.js'), '// bundle');
    expect(workflowSource(dir)).toEqual({ workflowBundle: { codePath: path.join(dir, 'workflow-bundle.js') } });
  });
});

describe('a running worker (dev server + simulator)', () => {
  let env: TestWorkflowEnvironment;
  let sim: Simulator;
  beforeAll(async () => {
    env = await createLocalEnv({ server: { searchAttributes: journeySearchAttributeKeys } });
    sim = await startSimulator();
  });
  afterAll(async () => {
    await sim?.close();
    await env?.teardown();
  });

  it('completes journeys, serves metrics, and on SIGTERM lets an in-flight fetch finish before exiting 0', async () => {
    const taskQueue = `worker-${randomUUID().slice(0, 8)}`;
    const metricsPort = await freePort();
    const quick = `quick-${randomUUID()}`;
    const slow = `slow-${randomUUID()}`;
    sim.script('gbg-go-v2', quick, ['in_progress', 'completed']);
    sim.script('idnow', slow, ['slow 3s completed']);
    const worker = spawnWorker({
      ...sim.env(),
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      JOURNEY_TASK_QUEUE: taskQueue,
      METRICS_BIND: `127.0.0.1:${metricsPort}`,
      LOG_LEVEL: 'INFO',
    });
    const quickHandle = await startJourneyWorkflow(
      env.client,
      { provider: 'gbg-go-v2', journeyId: quick, polling: { baseIntervalMs: 1_000 } },
      { taskQueue },
    );
    // A worker that dies fails the test at once, with its output, instead of leaving result() waiting.
    expect(await worker.whileRunning(quickHandle.result())).toMatchObject({ status: 'completed', source: 'poll' });

    const metrics = await request(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.statusCode).toBe(200);
    expect(await metrics.body.text()).toMatch(/temporal_/);

    const slowHandle = await startJourneyWorkflow(env.client, { provider: 'idnow', journeyId: slow }, { taskQueue });
    const fetching = eventually(() => ((sim.journey('idnow', slow)?.fetches ?? 0) >= 1 ? true : undefined));
    expect(await worker.whileRunning(fetching)).toBe(true);
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    expect(exit.code, exit.stderr).toBe(0);
    // The in-flight fetch (a local activity) finished within the grace time: its result is in history, no failure.
    const events = (await slowHandle.fetchHistory()).events ?? [];
    const fetches = events.flatMap((e) =>
      e.markerRecordedEventAttributes?.markerName === 'core_local_activity' ? [e.markerRecordedEventAttributes] : [],
    );
    expect(fetches).toHaveLength(1);
    expect(fetches[0]!.failure).toBeFalsy();
    expect(fetches[0]!.details?.result?.payloads).toHaveLength(1);
    // Structured logs: JSON lines, no credentials.
    const lines = exit.stdout.trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(exit.stdout).toContain('"msg":"worker started"');
    expect(exit.stdout + exit.stderr).not.toContain(sim.credentials.gbg.clientSecret);
    expect(exit.stdout + exit.stderr).not.toContain(sim.credentials.idnow.clientSecret);
  });
});

describe('a Temporal address that stops answering', () => {
  it('SIGTERM still ends the worker: exit 1 once the grace time and margin have passed, saying why', async () => {
    const server = await createLocalEnv();
    // The worker reaches the server through a relay whose port this test holds throughout: once the server has
    // gone, its own port could be taken by any other connection on the machine before something rebinds it.
    const relay = await startTcpRelay(Number(server.address.split(':').pop()));
    let serverGone: Promise<void> | undefined;
    const stopServer = () => (serverGone ??= server.teardown());
    try {
      const worker = spawnWorker({
        IDNOW_CLIENT_ID: 'id',
        IDNOW_CLIENT_SECRET: 'secret',
        TEMPORAL_ADDRESS: relay.address,
        METRICS_BIND: 'off',
        LOG_LEVEL: 'INFO',
        WORKER_SHUTDOWN_GRACE_MS: '1000',
      });
      await worker.waitForOutput(/"msg":"worker started"/);
      // The server goes away and its address stays taken: connections are accepted, calls never answered.
      relay.silence();
      await stopServer();
      worker.child.kill('SIGTERM');
      const exit = await worker.exited;
      expect(exit.code, exit.stderr).toBe(1);
      expect(exit.stdout).toContain('"msg":"worker did not stop in time; exiting"');
    } finally {
      await relay.close();
      await stopServer();
    }
  });
});
