/**
 * Tests start journeys through the product's one start helper (`startJourneyAwait`) and then hold the
 * journey's handle, with the run the start returned as `firstExecutionRunId`.
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { getJourneyHandle, startJourneyAwait } from '../../src/client';
import type { AwaitJourneyInput } from '../../src/contract/input';
import type { awaitJourneyCompletion } from '../../src/workflows';

export async function startJourneyWorkflow(
  client: Client,
  input: AwaitJourneyInput,
  opts: { taskQueue?: string } = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof awaitJourneyCompletion>> {
  const started = await startJourneyAwait(client, input, opts);
  return { ...getJourneyHandle(client, input), firstExecutionRunId: started.runId };
}
