/**
 * The contract's error catalogue: the typed error every entry point throws for bad journey input, and the failure
 * types that cross the workflow boundary (`fetchState` throws ApplicationFailures of the FETCH_* types; the workflow
 * fails with the JOURNEY_* types and INVALID_JOURNEY_INPUT). Details of a fetch failure are one
 * `FetchFailureDetails` object. Safe to import from workflow code.
 */
import type { JourneyProvider } from './vocabulary';

/** Bad journey input: `field` names what was wrong (e.g. `polling.baseIntervalMs`), `problem` says how. */
export class InvalidJourneyInputError extends Error {
  override readonly name = 'InvalidJourneyInputError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`invalid journey input: ${field} ${problem}`);
  }
}

/** The failure type of a workflow whose input breaks the contract. */
export const INVALID_JOURNEY_INPUT = 'InvalidJourneyInput';
export const FETCH_FAILED = 'FetchFailed';
export const FETCH_REJECTED = 'FetchRejected';
/**
 * The fetch stopped because the journey's cancellation was requested while it ran (the activity asked the
 * server). Not a failed fetch: the workflow waits for the cancellation, which reaches it in its next task.
 */
export const FETCH_CANCELLED = 'FetchCancelled';
export const JOURNEY_POLLING_EXHAUSTED = 'JourneyPollingExhausted';
export const JOURNEY_REJECTED_BY_PROVIDER = 'JourneyRejectedByProvider';

export interface FetchFailureDetails {
  provider: JourneyProvider;
  /** HTTP status of the provider's reply, when there was one. */
  httpStatus?: number;
  /** The provider's request id (GBG `X-Request-ID`), for support tickets. */
  requestId?: string;
  /** From a 429's (or 503's) Retry-After, at most 10 min: the workflow waits at least this long before the next poll. */
  retryAfterMs?: number;
}
