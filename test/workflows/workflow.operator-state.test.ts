/**
 * What operators see matches what happened (time-skipping server): JourneyStatus ends `failed` when the workflow
 * gives up or the provider rejects the request, `cancelled` when it is cancelled; JourneyDecision follows the
 * journey's decision; the CLI and the workflow's details show the journey's own error budget.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeyStartOptions } from '../../src/client';
import type { AwaitJourneyInput } from '../../src/contract/input';
import { journeyDecisionKey, journeyProgressQuery, journeyStatusKey } from '../../src/contract/workflow';
import type { awaitJourneyCompletion } from '../../src/workflows';
import {
  bundleJourneyWorkflows,
  createJourneyTestEnv,
  journeyInput,
  maybeSaveHistory,
  repeat,
  scriptedFetch,
  type FetchStep,
} from '../helpers/workflow-env';
import { createJourneyWorker } from '../helpers/journey-worker';
import { runCliCaptured } from '../helpers/run-cli';

let env: TestWorkflowEnvironment;
let bundle: Awaited<ReturnType<typeof bundleJourneyWorkflows>>;

beforeAll(async () => {
  [env, bundle] = await Promise.all([createJourneyTestEnv(), bundleJourneyWorkflows()]);
});
afterAll(async () => {
  await env?.teardown();
});

/** Runs one journey with a scripted fetchState; `during` acts on the handle while the worker runs. */
async function run(
  steps: FetchStep[],
  input: AwaitJourneyInput,
  during?: (h: WorkflowHandle<typeof awaitJourneyCompletion>) => Promise<void>,
) {
  const taskQueue = `ops-${randomUUID()}`;
  const { activities } = scriptedFetch(env, steps);
  const worker = await createJourneyWorker(env, { bundle, taskQueue, activities });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof awaitJourneyCompletion>(
      'awaitJourneyCompletion',
      journeyStartOptions(input, taskQueue),
    );
    await during?.(handle);
    const outcome = await handle.result().then(
      () => 'completed',
      (err: Error) => err.name,
    );
    const attributes = (await handle.describe()).typedSearchAttributes;
    return {
      handle,
      outcome,
      status: attributes.get(journeyStatusKey),
      decision: attributes.get(journeyDecisionKey),
      taskQueue,
    };
  });
}

describe('JourneyStatus and JourneyDecision tell the truth', () => {
  it('gave up after its own budget: failed and undecided, in the CLI too', async () => {
    const input = journeyInput({ polling: { baseIntervalMs: 1_000, maxConsecutiveErrors: 3 } });
    const r = await run(repeat({ fail: 'transient' }, 3), input);
    expect(r.outcome).toBe('WorkflowFailedError');
    expect(r).toMatchObject({ status: 'failed', decision: 'undecided' });
    maybeSaveHistory('j-operator-state-gave-up', await r.handle.fetchHistory());

    const { code, out } = await runCliCaptured(env.client, [
      'status',
      input.provider,
      input.journeyId,
      '--task-queue',
      r.taskQueue,
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(/journey status:\s+failed/);
  });

  it('the progress query and the current details carry the journey’s own budget', async () => {
    const input = journeyInput({ polling: { baseIntervalMs: 60_000, maxConsecutiveErrors: 7 } });
    await run([{ fail: 'transient' }, { status: 'completed' }], input, async (handle) => {
      const progress = await waitFor(
        () => handle.query(journeyProgressQuery),
        (p) => p.consecutiveErrors === 1,
      );
      expect(progress.maxConsecutiveErrors).toBe(7);
      const { currentDetails } = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
      expect(currentDetails).toContain('errors 1/7');
      const { out } = await runCliCaptured(env.client, ['status', input.provider, input.journeyId]);
      expect(out).toContain('errors 1/7');
      expect(out).not.toContain('/30');
    });
  });

  it('rejected by the provider (400/422): failed', async () => {
    const r = await run([{ fail: 'rejected', httpStatus: 400 }], journeyInput());
    expect(r.outcome).toBe('WorkflowFailedError');
    expect(r.status).toBe('failed');
  });

  it('cancelled: cancelled', async () => {
    const r = await run([{ status: 'in_progress' }], journeyInput(), async (handle) => {
      await waitFor(
        () => handle.query(journeyProgressQuery),
        (p) => p.polls >= 1,
      );
      await handle.cancel();
    });
    expect(r.outcome).toBe('WorkflowFailedError');
    expect(r.status).toBe('cancelled');
    maybeSaveHistory('j-operator-state-cancelled', await r.handle.fetchHistory());
  });

  it('completed and accepted: JourneyDecision accepted', async () => {
    const r = await run(
      [{ status: 'in_progress' }, { status: 'completed' }],
      journeyInput({ polling: { baseIntervalMs: 1_000 } }),
    );
    expect(r).toMatchObject({ outcome: 'completed', status: 'completed', decision: 'accepted' });
  });
});

async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached');
}
