import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalEnv, createTimeSkippingEnv, installTestRuntime } from '../helpers/temporal-env';
import { sleepForAnHour, testStatusKey, upsertStatus } from '../helpers/workflows/foundation';
import { eventually } from '../helpers/eventually';
import { cachedWorkflowBundle } from '../helpers/workflow-bundle-cache';

let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  installTestRuntime();
  bundle = await cachedWorkflowBundle({
    workflowsPath: path.join(__dirname, '..', 'helpers', 'workflows', 'foundation.ts'),
  });
});

describe('time-skipping test server (Maven build)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  it('skips a 1-hour sleep, measured on the server clock', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'foundation',
      workflowBundle: bundle,
    });
    const before = await env.currentTimeMs();
    const result = await worker.runUntil(
      env.client.workflow.execute(sleepForAnHour, { taskQueue: 'foundation', workflowId: `sleep-${randomUUID()}` }),
    );
    const skipped = (await env.currentTimeMs()) - before;
    expect(result).toBe('woke');
    expect(skipped).toBeGreaterThanOrEqual(60 * 60 * 1000);
  });
});

describe('dev server (Temporal CLI build)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createLocalEnv({ server: { searchAttributes: [testStatusKey] } });
  });
  afterAll(() => env?.teardown());

  it('finds an upserted Keyword search attribute with a visibility query', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'foundation',
      workflowBundle: bundle,
    });
    const status = `status-${randomUUID()}`;
    const workflowId = `upsert-${randomUUID()}`;
    await worker.runUntil(
      env.client.workflow.execute(upsertStatus, { taskQueue: 'foundation', workflowId, args: [status] }),
    );
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of env.client.workflow.list({ query: `JourneyStatus = '${status}'` }))
        ids.push(wf.workflowId);
      return ids.length > 0 ? ids : undefined;
    });
    expect(found).toEqual([workflowId]);
  });
});
