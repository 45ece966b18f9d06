/**
 * The versioning mechanism itself (docs/design.md "Versioning"), on a tiny workflow in test/helpers/workflows/patching/:
 * a history recorded before a change replays after it when the change is gated with a registry patch, and fails
 * without the gate; the patch's deprecated stage replays what the patched code recorded. Histories are recorded on
 * the time-skipping server and replayed as the replay test replays the product's.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definedPatches, definePatch, PATCHES, type WorkflowPatch } from '../../src/workflows/versions';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { cachedWorkflowBundle } from '../helpers/workflow-bundle-cache';

type History = temporal.api.history.v1.IHistory;
/** What Worker.runReplayHistory throws for a history the code no longer reproduces. */
const nondeterminism = { name: 'DeterminismViolationError' };
const stages = ['before', 'patched', 'unpatched', 'deprecated'] as const;
type Stage = (typeof stages)[number];

let env: TestWorkflowEnvironment;
const bundles = {} as Record<Stage, WorkflowBundleWithSourceMap>;
const recorded = {} as Record<'before' | 'patched', History>;

const bundleOf = (stage: Stage) =>
  cachedWorkflowBundle({ workflowsPath: path.join(__dirname, '../helpers/workflows/patching', `${stage}.ts`) });

/** Runs the workflow of `stage` to completion (time skips the minute) and returns its history. */
async function record(stage: Stage): Promise<History> {
  const taskQueue = `patching-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundles[stage],
  });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start('patchingExample', { taskQueue, workflowId: randomUUID() });
    expect(await handle.result()).toBe('done');
    return handle.fetchHistory();
  });
}

async function replay(stage: Stage, history: History): Promise<unknown> {
  return Worker.runReplayHistory({ workflowBundle: bundles[stage] }, history).then(
    () => undefined,
    (err: unknown) => err,
  );
}

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  for (const stage of stages) bundles[stage] = await bundleOf(stage);
  recorded.before = await record('before');
  recorded.patched = await record('patched');
});
afterAll(() => env?.teardown());

describe('a change gated with a registry patch', () => {
  it('replays a history recorded before the change', async () => {
    expect(await replay('patched', recorded.before)).toBeUndefined();
  });

  it('without the gate, the same history fails to replay', async () => {
    expect(await replay('unpatched', recorded.before)).toMatchObject(nondeterminism);
  });

  it('new executions record the marker and take the new branch; the deprecated stage replays them', async () => {
    const markers = (recorded.patched.events ?? []).filter((e) => e.markerRecordedEventAttributes);
    expect(markers).toHaveLength(1);
    expect(await replay('deprecated', recorded.patched)).toBeUndefined();
    // Why deprecateAfter waits until no execution from before the patch is left:
    expect(await replay('deprecated', recorded.before)).toMatchObject(nondeterminism);
  });
});

describe('the registry', () => {
  it('refuses a second patch with the same id', () => {
    const patch: WorkflowPatch = {
      id: `twice-${randomUUID()}`,
      since: 'test',
      deprecateAfter: 'test',
      removeAfter: 'test',
      change: 'none',
    };
    definePatch(patch);
    expect(() => definePatch({ ...patch })).toThrow(/defined twice/);
  });

  it("holds each of the product's patches with when it came and when it can go", () => {
    const product: WorkflowPatch[] = Object.values(PATCHES);
    for (const patch of product) {
      expect(definedPatches()).toContain(patch);
      for (const field of ['since', 'deprecateAfter', 'removeAfter', 'change'] as const)
        expect(patch[field], `${patch.id}.${field}`).not.toBe('');
    }
  });
});
