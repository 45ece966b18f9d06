/**
 * A service's own workflow: onboard a customer once their identity-verification journey finishes. It runs
 * journey-await's `awaitJourneyCompletion` as a child workflow and branches on the normalised result.
 * Only types come from journey-await here: workflow code stays free of client and Node imports.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ApplicationFailure, ChildWorkflowFailure, executeChild } from '@temporalio/workflow';
import type { AwaitJourneyInput, JourneyState } from 'journey-await';

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

/** journey-await's workflow, by type: `awaitJourneyCompletion(input) → JourneyState`. */
type AwaitJourneyCompletion = (input: AwaitJourneyInput) => Promise<JourneyState>;

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
    state = await executeChild<AwaitJourneyCompletion>('awaitJourneyCompletion', {
      // journey-await's workflow id: the webhook receiver signals the same execution. A child cannot join a running
      // one, so start it right after the journey is created at the provider, before any webhook can arrive.
      workflowId: `journey:${journey.provider}:${journey.journeyId}`,
      taskQueue: input.journeyTaskQueue ?? 'journey-await',
      args: [journey],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      // The provider's webhook came first and its receiver started the journey's workflow: a child cannot join it.
      return decide('manual-review', 'the journey was already being awaited (its webhook arrived first)');
    }
    const cause = err instanceof ChildWorkflowFailure ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === 'JourneyPollingExhausted') {
      return decide('manual-review', 'the provider could not be reached');
    }
    if (cause instanceof ApplicationFailure && cause.type === 'JourneyRejectedByProvider') {
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
