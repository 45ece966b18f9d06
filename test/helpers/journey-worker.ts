/** Most suites run the bundled journey workflows on a test server with activities of their own: built in one place. */
import type { DataConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

export interface JourneyWorkerOptions {
  bundle: WorkflowBundleWithSourceMap;
  taskQueue: string;
  activities: object;
  dataConverter?: DataConverter;
}

export function createJourneyWorker(
  env: TestWorkflowEnvironment,
  { bundle, ...options }: JourneyWorkerOptions,
): Promise<Worker> {
  return Worker.create({ connection: env.nativeConnection, workflowBundle: bundle, ...options });
}
