/**
 * When the stale marker (JourneyStaleSince, JourneyFetchErrors, JourneyLastError) changes, as a pure function:
 * only a failed fetch, or the first success after failed ones, upserts anything, so an ordinary poll adds no
 * history event and no action. `staleMarkerUpdates` is pure; `publishStaleMarker` is the workflow's one call.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { JourneyState } from '../contract/journey-state';
import type { FetchFailureDetails } from '../contract/errors';
import { journeyFetchErrorsKey, journeyLastErrorKey, journeyStaleSinceKey } from '../contract/workflow';
import { isPatched, PATCHES } from './versions';

/** What one fetch left behind, as the workflow counts it. */
export interface FetchOutcome {
  /** Consecutive failed fetches before this fetch. */
  errorsBefore: number;
  /** Consecutive failed fetches after it (0 when it succeeded). */
  errorsAfter: number;
  /** The failure's type and details, when it failed. */
  failure?: { type?: string; details?: FetchFailureDetails };
  /** Epoch ms of the last successful fetch before this one (the journey's start when there was none). */
  lastSuccessAt: number;
}

/** `FetchFailed HTTP 503`: the type and status only, never the message (it may quote the provider's reply). */
export function lastErrorLabel(failure: FetchOutcome['failure']): string {
  const status = failure?.details?.httpStatus;
  return `${failure?.type ?? 'Error'}${status !== undefined ? ` HTTP ${status}` : ''}`;
}

/** The upserts this fetch calls for: none for a success after a success. */
export function staleMarkerUpdates(outcome: FetchOutcome): SearchAttributeUpdatePair[] {
  if (outcome.errorsAfter === 0) {
    if (outcome.errorsBefore === 0) return [];
    return [
      { key: journeyStaleSinceKey, value: null },
      { key: journeyFetchErrorsKey, value: null },
      { key: journeyLastErrorKey, value: null },
    ];
  }
  const updates: SearchAttributeUpdatePair[] = [
    { key: journeyFetchErrorsKey, value: outcome.errorsAfter },
    { key: journeyLastErrorKey, value: lastErrorLabel(outcome.failure) },
  ];
  if (outcome.errorsBefore === 0)
    updates.unshift({ key: journeyStaleSinceKey, value: new Date(outcome.lastSuccessAt) });
  return updates;
}

/**
 * Called after every fetch with the error count before and after it: upserts what changed, in runs that record
 * PATCHES.staleMarker (asked only when there is something to upsert, so a healthy run records no marker either).
 * The last successful fetch is the last state's `observedAt`, or the journey's first start.
 */
export function publishStaleMarker(
  errorsBefore: number,
  errorsAfter: number,
  lastState: JourneyState | undefined,
  failure?: FetchOutcome['failure'],
): void {
  const lastSuccessAt = lastState ? Date.parse(lastState.observedAt) : workflowInfo().startTime.getTime();
  const updates = staleMarkerUpdates({ errorsBefore, errorsAfter, lastSuccessAt, ...(failure ? { failure } : {}) });
  if (updates.length > 0 && isPatched(PATCHES.staleMarker)) upsertSearchAttributes(updates);
}
