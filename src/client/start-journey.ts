/** Starting a journey's workflow, and waking it with a webhook signal: both idempotent per journey. */
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import type { AwaitJourneyInput } from '../contract/input';
import { DEFAULT_TASK_QUEUE, journeyWebhookSignal, WORKFLOW_TYPE, type JourneyWebhook } from '../contract/workflow';
import type { awaitJourneyCompletion } from '../workflows';
import { validateJourneyRef } from '../contract/input';
import { checkOptionalBounded, checkPublicInputFields, checkWebhook } from './arguments';
import { rethrowTemporalError } from './errors';
import { describeJourney, type JourneyRef } from './handle';
import { journeyStartOptions } from './start-options';
import { applyJourneyDefaults, journeyDefaultsOf } from './journey-defaults';

export interface StartJourneyResult {
  workflowId: string;
  runId: string;
  /** The journey had already finished: nothing was started (a finished journey is never started again). */
  alreadyFinished: boolean;
}

/**
 * Starts the journey's workflow, or joins it when it is already running (USE_EXISTING): the one way services,
 * the CLI, the demo and tests start a journey. A journey that has finished is not started again
 * (REJECT_DUPLICATE): the result says so and points at the finished run. Follow it with `getJourneyHandle`.
 */
export async function startJourneyAwait(
  client: Client,
  journeyInput: AwaitJourneyInput,
  opts: { taskQueue?: string } = {},
): Promise<StartJourneyResult> {
  checkPublicInputFields(journeyInput);
  // The client's defaults (setJourneyDefaults) under the journey's own settings.
  const input = applyJourneyDefaults(journeyInput, journeyDefaultsOf(client), Date.now());
  const options = journeyStartOptions(input, opts.taskQueue ?? DEFAULT_TASK_QUEUE); // checks the rest first
  const workflowId = options.workflowId;
  try {
    const handle = await client.workflow.start<typeof awaitJourneyCompletion>(WORKFLOW_TYPE, options);
    return { workflowId, runId: handle.firstExecutionRunId, alreadyFinished: false };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const description = await describeJourney(client, workflowId);
      return { workflowId, runId: description.runId, alreadyFinished: true };
    }
    rethrowTemporalError(err);
  }
}

export type SignalOutcome = 'signalled' | 'already-finished';

/**
 * Delivers a provider webhook to the journey's workflow with start semantics: a running journey is signalled;
 * a journey not started yet is started with the signal (the webhook is kept); a finished journey is left alone
 * (REJECT_DUPLICATE) and the call still succeeds, so a provider's late retry is answered 2xx.
 */
export async function signalJourneyWebhook(
  client: Client,
  ref: JourneyRef & { environment?: string },
  webhook: JourneyWebhook,
  opts: { taskQueue?: string; timeoutMs?: number } = {},
): Promise<SignalOutcome> {
  validateJourneyRef(ref);
  checkWebhook(webhook);
  checkOptionalBounded(opts.timeoutMs, 'callTimeoutMs', 'timeoutMs');
  // A journey this signal starts gets the client's defaults, as if the service had started it.
  const input = applyJourneyDefaults(
    {
      provider: ref.provider,
      journeyId: ref.journeyId,
      ...(ref.environment !== undefined ? { environment: ref.environment } : {}),
    },
    journeyDefaultsOf(client),
    Date.now(),
  );
  const options = journeyStartOptions(input, opts.taskQueue ?? DEFAULT_TASK_QUEUE);
  const call = () =>
    client.workflow.signalWithStart<typeof awaitJourneyCompletion, [JourneyWebhook]>(WORKFLOW_TYPE, {
      ...options,
      signal: journeyWebhookSignal,
      signalArgs: [webhook],
    });
  try {
    await (opts.timeoutMs ? client.withDeadline(Date.now() + opts.timeoutMs, call) : call());
    return 'signalled';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError || err instanceof WorkflowNotFoundError)
      return 'already-finished';
    rethrowTemporalError(err);
  }
}
