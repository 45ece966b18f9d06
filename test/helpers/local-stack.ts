/** The suites that drive journeys end to end share one set-up: a dev server, the provider simulator and a journey worker. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll } from 'vitest';
import { startSimulator, type Simulator } from '../../dev/simulator';
import { createActivities } from '../../src/activities';
import { journeySearchAttributeKeys } from '../../src/contract/workflow';
import { createJourneyWorker } from './journey-worker';
import { createLocalEnv } from './temporal-env';
import { bundleJourneyWorkflows } from './workflow-env';

export interface LocalJourneyStack {
  env: TestWorkflowEnvironment;
  sim: Simulator;
}

/**
 * Starts the stack before the suite's tests and stops it after them; its fields are set once the suite's first
 * beforeAll has run. `createEnv` replaces the default dev server (one with the journey search attributes).
 */
export function useLocalJourneyStack(
  taskQueue: string,
  { createEnv = () => createLocalEnv({ server: { searchAttributes: journeySearchAttributeKeys } }) } = {},
): LocalJourneyStack {
  const stack = {} as LocalJourneyStack;
  let worker: Worker | undefined;
  let workerDone: Promise<void> | undefined;
  beforeAll(async () => {
    stack.env = await createEnv();
    stack.sim = await startSimulator();
    worker = await createJourneyWorker(stack.env, {
      bundle: await bundleJourneyWorkflows(),
      taskQueue,
      activities: createActivities({ config: stack.sim.providerConfig() }),
    });
    workerDone = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await workerDone?.catch(() => {});
    await stack.sim?.close();
    await stack.env?.teardown();
  });
  return stack;
}
