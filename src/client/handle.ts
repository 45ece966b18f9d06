/** Finding a journey's workflow: its handle and its description, by provider and journey id. */
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { JourneyProvider } from '../contract/vocabulary';
import { validateJourneyRef } from '../contract/input';
import { journeyWorkflowId } from '../contract/identifiers';
import type { awaitJourneyCompletion } from '../workflows';
import { JourneyNotFoundError, rethrowTemporalError } from './errors';

export interface JourneyRef {
  provider: JourneyProvider;
  journeyId: string;
}

export type JourneyHandle = WorkflowHandle<typeof awaitJourneyCompletion>;

/** The journey's workflow (the latest run: `result()` follows continue-as-new to the final state). */
export function getJourneyHandle(client: Client, ref: JourneyRef): JourneyHandle {
  validateJourneyRef(ref);
  return client.workflow.getHandle<typeof awaitJourneyCompletion>(journeyWorkflowId(ref.provider, ref.journeyId));
}

/** The latest run's description; JourneyNotFoundError when there is none. */
export async function describeJourney(client: Client, workflowId: string): Promise<WorkflowExecutionDescription> {
  try {
    return await client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new JourneyNotFoundError(workflowId);
    rethrowTemporalError(err);
  }
}
