/**
 * A service's own workflow: onboard a customer once their identity-verification journey finishes. It runs
 * journey-await's `awaitJourneyCompletion` as a child workflow and branches on the normalised result.
 * journey-await's names come from `journey-await/workflow`, the entry that is safe in the workflow sandbox (no
 * client, no Node imports).
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ApplicationFailure, ChildWorkflowFailure, executeChild } from '@temporalio/workflow';
import {
  DEFAULT_TASK_QUEUE,
  JOURNEY_POLLING_EXHAUSTED,
  JOURNEY_REJECTED_BY_PROVIDER,
  journeyWorkflowId,
  WORKFLOW_TYPE,
  type AwaitJourneyCompletion,
  type AwaitJourneyInput,
  type JourneyState,
} from 'journey-await/workflow';

export interface OnboardingInput {
  customerId: string;
  provider: AwaitJourneyInput['provider'];
  /** The journey (GBG instanceId, IDnow sessionId) the service started at the provider. */
  journeyId: string;
  /** How long the customer has to finish the journey. Default 30 minutes. */
  maxWaitMs?: number;
  /** Where the journey-await worker listens. Default `journey-await`. */
  journeyTaskQueue?: string;
}

export type OnboardingDecision = 'approved' | 'declined' | 'timed-out' | 'manual-review';

export interface OnboardingResult {
  customerId: string;
  decision: OnboardingDecision;
  /** Why, in words an operator can act on (never the customer's data). */
  reason: string;
}

export async function onboardCustomer(input: OnboardingInput): Promise<OnboardingResult> {
  const decide = (decision: OnboardingDecision, reason: string): OnboardingResult => ({
    customerId: input.customerId,
    decision,
    reason,
  });
  const journey: AwaitJourneyInput = {
    provider: input.provider,
    journeyId: input.journeyId,
    deadline: new Date(Date.now() + (input.maxWaitMs ?? 30 * 60_000)).toISOString(),
  };
  let state: JourneyState;
  try {
    state = await executeChild<AwaitJourneyCompletion>(WORKFLOW_TYPE, {
      // journey-await's workflow id: the webhook receiver signals the same execution. A child cannot join a running
      // one, so start it right after the journey is created at the provider, before any webhook can arrive.
      workflowId: journeyWorkflowId(journey.provider, journey.journeyId),
      taskQueue: input.journeyTaskQueue ?? DEFAULT_TASK_QUEUE,
      args: [journey],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      // The provider's webhook came first and its receiver started the journey's workflow: a child cannot join it.
      return decide('manual-review', 'the journey was already being awaited (its webhook arrived first)');
    }
    const cause = err instanceof ChildWorkflowFailure ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === JOURNEY_POLLING_EXHAUSTED) {
      return decide('manual-review', 'the provider could not be reached');
    }
    if (cause instanceof ApplicationFailure && cause.type === JOURNEY_REJECTED_BY_PROVIDER) {
      return decide('manual-review', 'the provider does not know this journey');
    }
    throw err;
  }
  if (state.status === 'expired')
    return decide('timed-out', `no result within ${(input.maxWaitMs ?? 30 * 60_000) / 60_000} minutes`);
  if (state.status === 'completed' && state.decision === 'accepted')
    return decide('approved', `verified by ${state.provider}`);
  if (state.decision === 'rejected') return decide('declined', `${state.provider} rejected the journey`);
  return decide('manual-review', `journey ended ${state.status} (${state.providerStatus})`);
}
