/** The suites that run the product's worker as processes (`src/worker.ts`) share one set-up. */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startSimulator, type Simulator } from '../../dev/simulator';
import { journeySearchAttributeKeys } from '../../src/contract/workflow';
import { createLocalEnv } from './temporal-env';
import { bundleJourneyWorkflows } from './workflow-env';

export interface WorkerProcessStack {
  env: TestWorkflowEnvironment;
  sim: Simulator;
  /** One prebuilt workflow bundle every worker process loads (JOURNEY_WORKFLOW_BUNDLE), as production does. */
  bundlePath: string;
  /** Worker processes a test started: each is SIGKILLed after its test. */
  children: Set<ChildProcess>;
}

/** A dev server with the journey search attributes, the provider simulator and a bundle file, for one suite. */
export function useWorkerProcessStack(): WorkerProcessStack {
  const stack = { children: new Set<ChildProcess>() } as WorkerProcessStack;
  beforeAll(async () => {
    const [env, sim, bundle] = await Promise.all([
      createLocalEnv({ server: { searchAttributes: journeySearchAttributeKeys } }),
      startSimulator(),
      bundleJourneyWorkflows(),
    ]);
    Object.assign(stack, { env, sim });
    stack.bundlePath = path.join(mkdtempSync(path.join(tmpdir(), 'bundle-')), 'workflow-bundle.js');
    writeFileSync(stack.bundlePath, bundle.code);
  });
  afterEach(() => {
    for (const child of stack.children) child.kill('SIGKILL');
    stack.children.clear();
  });
  afterAll(async () => {
    await stack.sim?.close();
    await stack.env?.teardown();
    if (stack.bundlePath) rmSync(path.dirname(stack.bundlePath), { recursive: true, force: true });
  });
  return stack;
}
