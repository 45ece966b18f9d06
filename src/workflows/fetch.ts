/** How the workflow calls `fetchState`: a local activity, so a poll costs one workflow task. */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FetchStateInput, JourneyPoll } from '../contract/journey-state';
import type { FetchFailureDetails } from '../contract/errors';
import { FETCH_TOTAL_TIMEOUT_MS } from '../contract/workflow';

/**
 * The activity enforces FETCH_TOTAL_TIMEOUT_MS over its whole exchange (token + state + data blocks) and reports
 * a classified FetchFailed when it passes. The local activity's own timeout sits a little above, so that error,
 * not a bare timeout, is what the workflow sees; it only fires for a worker that is stuck. A fetch slower than
 * the workflow task timeout does not fail the task: the SDK keeps the task alive (a task "heartbeat") while a
 * local activity runs.
 */
const LOCAL_FETCH_TIMEOUT_MS = FETCH_TOTAL_TIMEOUT_MS + 1_000;

const { fetchState } = proxyLocalActivities<Activities>({
  startToCloseTimeout: LOCAL_FETCH_TIMEOUT_MS,
  // The workflow owns the error count and backoff: one attempt per poll, retried only by the next poll.
  retry: { maximumAttempts: 1 },
  // A cancel request reaches a workflow only between its tasks, and a running local activity holds the task
  // open; so fetchState asks the server itself while a fetch is slow and aborts with FETCH_CANCELLED (see
  // src/activities/cancel-watch.ts). A cancellation delivered first by the SDK resolves the call at once and
  // aborts the fetch through its cancellation signal.
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

/** One poll of the provider; `summary` labels its marker in the Web UI. */
export function fetchJourneyState(input: FetchStateInput, summary: string): Promise<JourneyPoll> {
  return fetchState.executeWithOptions({ summary }, [input]);
}

export interface FetchFailure {
  type?: string;
  message: string;
  details?: FetchFailureDetails;
}

/** The activity's own ApplicationFailure sits under ActivityFailure; timeouts and others count as transient. */
export function describeFetchFailure(err: unknown): FetchFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as FetchFailureDetails | undefined;
    return { type: cause.type ?? undefined, message: cause.message, details: details ?? undefined };
  }
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { message: String(cause) };
}
