/** The states and failures a journey ends with, built from its input and what it has seen. Pure. */
import { ApplicationFailure } from '@temporalio/workflow';
import type { JourneyPoll, JourneyState } from '../contract/journey-state';
import { JOURNEY_POLLING_EXHAUSTED, JOURNEY_REJECTED_BY_PROVIDER, type FetchFailureDetails } from '../contract/errors';
import type { AwaitJourneyInput } from '../contract/input';
import { shortJourneyId } from '../contract/identifiers';
import type { FetchFailure } from './fetch';

/** Failure details of `JourneyPollingExhausted`. */
export interface PollingExhaustedDetails {
  consecutiveErrors: number;
  polls: number;
  lastError?: string;
  lastErrorType?: string;
  lastErrorDetails?: FetchFailureDetails;
}

/** A poll made whole: an in-progress poll carries only what the next decision needs; the rest comes from the input. */
export function fetchedState(input: AwaitJourneyInput, poll: JourneyPoll, observedAt: number): JourneyState {
  return {
    provider: input.provider,
    journeyId: input.journeyId,
    terminal: false,
    decision: 'undecided',
    steps: [],
    source: 'poll',
    observedAt: new Date(observedAt).toISOString(),
    ...poll,
  };
}

/**
 * The deadline's verdict. It keeps what the last successful fetch saw (steps, provider status, decision) and
 * overrides status/terminal/source; without any successful fetch the provider status is `unknown`.
 * `observedAt` is when the workflow gave up.
 */
export function expiredState(input: AwaitJourneyInput, lastState: JourneyState | undefined, now: number): JourneyState {
  return {
    provider: input.provider,
    journeyId: input.journeyId,
    providerStatus: 'unknown',
    decision: 'undecided',
    steps: [],
    ...lastState,
    status: 'expired',
    terminal: true,
    source: 'deadline',
    observedAt: new Date(now).toISOString(),
  };
}

/** Bad request, malformed journey id: no number of retries will fix it. */
export function rejectedByProvider(
  input: AwaitJourneyInput,
  failure: FetchFailure,
  cause: unknown,
): ApplicationFailure {
  return ApplicationFailure.create({
    type: JOURNEY_REJECTED_BY_PROVIDER,
    message: `${input.provider} rejected journey ${shortJourneyId(input.journeyId)}: ${failure.message}`,
    nonRetryable: true,
    details: [failure.details],
    cause: cause as Error,
  });
}

export function pollingExhausted(details: PollingExhaustedDetails): ApplicationFailure {
  return ApplicationFailure.create({
    type: JOURNEY_POLLING_EXHAUSTED,
    message: `gave up after ${details.consecutiveErrors} consecutive failed fetches; last: ${details.lastError}`,
    nonRetryable: true,
    details: [details],
  });
}
