/**
 * awaitJourneyCompletion: polls a provider's journey through the `fetchState` activity until it reaches a
 * terminal status, woken early by `journeyWebhook` signals, bounded by an optional deadline, and continued as
 * new before its history gets long. DESIGN.md "The workflow" is the contract.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { FetchStateInput, JourneyState, JourneyStatus } from '../journey';
import {
  FETCH_REJECTED,
  JOURNEY_POLLING_EXHAUSTED,
  JOURNEY_REJECTED_BY_PROVIDER,
  journeyProgressQuery,
  journeyProviderKey,
  journeyStatusKey,
  journeyWebhookSignal,
  type AwaitJourneyInput,
  type FetchFailureDetails,
  type JourneyProgress,
  type JourneyWebhook,
} from '../shared';
import { INVALID_JOURNEY_INPUT, InvalidJourneyInputError, validateJourneyInput } from '../journey-input';
import { isExhausted, nextPollDelayMs, resolvePolicy } from './schedule';

/** Continue as new well before Temporal's own suggestion (4,096 events), so a run's history stays cheap to replay. */
export const DEFAULT_HISTORY_EVENT_BUDGET = 2_000;
/**
 * Events one more poll cycle can add before the next budget check (timer, activity, two workflow tasks ≈ 11,
 * a webhook ≈ 3 more) plus the continue-as-new itself: continuing this early keeps every run under the budget.
 */
const CYCLE_HEADROOM_EVENTS = 20;
const MIN_HISTORY_EVENT_BUDGET = 2 * CYCLE_HEADROOM_EVENTS;
/** Webhook event ids remembered for de-duplication; bounded so a chatty provider cannot grow the state forever. */
export const SEEN_EVENT_IDS_LIMIT = 500;

/** What a run hands to the next one on continue-as-new, so the chain behaves like a single run. Internal. */
export interface CarriedState {
  polls: number;
  consecutiveErrors: number;
  lastError?: string;
  lastFailure?: { type?: string; details?: FetchFailureDetails };
  lastState?: JourneyState;
  seenEventIds: string[];
  webhooksReceived: number;
  /** Epoch ms of the poll the previous run had scheduled. */
  nextPollAt: number;
  /** A webhook arrived that no fetch has answered yet. */
  wakeRequested: boolean;
}

/** The workflow's argument: the public input plus internal fields that callers leave out. */
export interface JourneyWorkflowInput extends AwaitJourneyInput {
  /** Internal: continue as new once a run's history would pass this many events (tests use a tiny one). */
  historyEventBudget?: number;
  /** Internal: state carried over continue-as-new. */
  carried?: CarriedState;
}

/** Failure details of `JourneyPollingExhausted`. */
export interface PollingExhaustedDetails {
  consecutiveErrors: number;
  polls: number;
  lastError?: string;
  lastErrorType?: string;
  lastErrorDetails?: FetchFailureDetails;
}

// Only the type of the activity crosses into workflow code; the implementation lives in src/activities.
interface FetchActivities {
  fetchState(input: FetchStateInput): Promise<JourneyState>;
}

const { fetchState } = proxyActivities<FetchActivities>({
  // Provider HTTP timeouts are enforced inside the activity; this only catches a stuck worker.
  startToCloseTimeout: '30s',
  // The workflow owns the error count and backoff, so every attempt is one visible activity in history.
  retry: { maximumAttempts: 1 },
  // Cancelling the journey must not wait up to 30 s for a fetch to notice: request the activity's cancellation
  // and move on (the activity aborts its HTTP call when its heartbeat sees the cancellation).
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

export async function awaitJourneyCompletion(input: JourneyWorkflowInput): Promise<JourneyState> {
  rejectInvalidInput(input);
  const policy = resolvePolicy(input.polling);
  // Below the minimum a fresh run would continue as new again before its first poll, forever.
  const budget = Math.max(input.historyEventBudget ?? DEFAULT_HISTORY_EVENT_BUDGET, MIN_HISTORY_EVENT_BUDGET);
  const historyIsLong = (): boolean => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength + CYCLE_HEADROOM_EVENTS > budget;
  };
  const deadlineMs = parseDeadline(input.deadline);
  const carried = input.carried;

  let polls = carried?.polls ?? 0;
  let consecutiveErrors = carried?.consecutiveErrors ?? 0;
  let lastError = carried?.lastError;
  let lastFailure = carried?.lastFailure;
  let lastState = carried?.lastState;
  let webhooksReceived = carried?.webhooksReceived ?? 0;
  let wakeRequested = carried?.wakeRequested ?? false;
  // The first poll happens at start; a continued run keeps the schedule of the run before it.
  let nextPollAt: number = carried?.nextPollAt ?? Date.now();
  let waiting = false;
  const seenEventIds = new Set(carried?.seenEventIds ?? []);

  // Handlers first, so signals buffered before the first workflow task (signal-with-start) are not dropped.
  setHandler(journeyWebhookSignal, (webhook: JourneyWebhook) => {
    if (webhook.eventId !== undefined) {
      if (seenEventIds.has(webhook.eventId)) return;
      seenEventIds.add(webhook.eventId);
      // A Set iterates in insertion order: drop the oldest id.
      if (seenEventIds.size > SEEN_EVENT_IDS_LIMIT) seenEventIds.delete(seenEventIds.values().next().value as string);
    }
    webhooksReceived++;
    // Only a wake-up: the provider API, not the webhook body, decides the state. Set even while a fetch is in
    // flight, so the next wait returns at once and the change is not missed.
    wakeRequested = true;
  });
  setHandler(journeyProgressQuery, (): JourneyProgress => ({
    status: lastState?.status ?? 'in_progress',
    polls,
    consecutiveErrors,
    lastError,
    nextPollAt: waiting ? new Date(nextPollAt).toISOString() : undefined,
    lastState,
    webhooksReceived,
  }));

  ensureProviderSearchAttribute(input);
  let indexedStatus = workflowInfo().typedSearchAttributes.get(journeyStatusKey);
  const publishStatus = (status: JourneyStatus): void => {
    if (indexedStatus === status) return;
    upsertSearchAttributes([{ key: journeyStatusKey, value: status }]);
    indexedStatus = status;
  };
  const publishDetails = (): void => {
    const status = lastState ? `**${lastState.status}** (provider: \`${lastState.providerStatus}\`)` : '**not fetched yet**';
    const errors = lastError ? ` · errors ${consecutiveErrors}/${policy.maxConsecutiveErrors}: ${lastError}` : '';
    setCurrentDetails(`${status} · polls ${polls}${errors}`);
  };

  try {
    for (;;) {
      if (historyIsLong()) {
        // Signal handlers are synchronous today; waiting keeps that true if one ever awaits.
        await condition(allHandlersFinished);
        const next: CarriedState = {
          polls,
          consecutiveErrors,
          lastError,
          lastFailure,
          lastState,
          seenEventIds: [...seenEventIds],
          webhooksReceived,
          nextPollAt,
          wakeRequested,
        };
        await continueAsNew<typeof awaitJourneyCompletion>({ ...input, carried: next });
      }

      // Wait for the scheduled poll, a webhook, or the deadline, whichever comes first. A flood of (duplicate)
      // webhooks also ends the wait once the history gets long, so the next run can take over.
      const waitMs = Math.min(nextPollAt, deadlineMs) - Date.now();
      if (!wakeRequested && waitMs > 0) {
        waiting = true;
        const inSeconds = Math.round((nextPollAt - Date.now()) / 1000);
        await condition(() => wakeRequested || historyIsLong(), waitMs, {
          summary: `poll #${polls} · next in ${inSeconds}s · errors ${consecutiveErrors}/${policy.maxConsecutiveErrors}`,
        });
        waiting = false;
        // Woken early, neither by a webhook nor by the clock: the history is long, so hand over first.
        if (!wakeRequested && Date.now() < Math.min(nextPollAt, deadlineMs)) continue;
      }
      if (Date.now() >= deadlineMs) {
        const expired = expiredState(input, lastState);
        lastState = expired;
        publishStatus(expired.status);
        setCurrentDetails(`**expired**: deadline ${input.deadline} passed after ${polls} polls`);
        await condition(allHandlersFinished);
        return expired;
      }

      const byWebhook = wakeRequested;
      wakeRequested = false;
      polls++;
      let retryAfterMs: number | undefined;
      try {
        const state = await fetchState.executeWithOptions(
          {
            summary: `poll #${polls}${byWebhook ? ' · webhook' : ''} · errors ${consecutiveErrors}/${policy.maxConsecutiveErrors}`,
          },
          [{ provider: input.provider, journeyId: input.journeyId, environment: input.environment }],
        );
        consecutiveErrors = 0;
        lastError = undefined;
        lastFailure = undefined;
        lastState = state;
        publishStatus(state.status);
        publishDetails();
        if (state.terminal) {
          lastState = { ...state, source: byWebhook ? 'webhook' : 'poll' };
          await condition(allHandlersFinished);
          return lastState;
        }
      } catch (err) {
        if (isCancellation(err)) throw err;
        const failure = describeFetchFailure(err);
        if (failure.type === FETCH_REJECTED) {
          // Bad request, malformed journey id: no number of retries will fix it.
          throw ApplicationFailure.create({
            type: JOURNEY_REJECTED_BY_PROVIDER,
            message: `${input.provider} rejected journey ${shortId(input.journeyId)}: ${failure.message}`,
            nonRetryable: true,
            details: [failure.details],
            cause: err as Error,
          });
        }
        consecutiveErrors++;
        lastError = failure.message;
        lastFailure = { type: failure.type, details: failure.details };
        retryAfterMs = failure.details?.retryAfterMs;
        publishDetails();
        log.info('fetchState failed', { consecutiveErrors, type: failure.type });
        if (isExhausted(consecutiveErrors, policy)) {
          const details: PollingExhaustedDetails = {
            consecutiveErrors,
            polls,
            lastError,
            lastErrorType: failure.type,
            lastErrorDetails: failure.details,
          };
          throw ApplicationFailure.create({
            type: JOURNEY_POLLING_EXHAUSTED,
            message: `gave up after ${consecutiveErrors} consecutive failed fetches; last: ${lastError}`,
            nonRetryable: true,
            details: [details],
          });
        }
      }
      nextPollAt = Date.now() + nextPollDelayMs(consecutiveErrors, policy, retryAfterMs);
    }
  } catch (err) {
    if (isCancellation(err)) {
      // Cancelling the workflow also cancels the in-flight fetch (TRY_CANCEL): just say so and stop.
      setCurrentDetails(`**cancelled** after ${polls} polls`);
    }
    throw err;
  }
}

/** Marks executions that check the input contract; older ones (which may hold such input) replay as they ran. */
export const INPUT_CONTRACT_PATCH = 'journey-input-contract';

/**
 * An execution started by another tool (or an old client) gets the same contract as the client library: it
 * fails at once with `InvalidJourneyInput` naming the field, instead of polling with a broken policy.
 * `patched()` is only reached for bad input, so valid executions record no marker.
 */
function rejectInvalidInput(input: AwaitJourneyInput): void {
  try {
    validateJourneyInput(input);
  } catch (err) {
    if (!(err instanceof InvalidJourneyInputError) || !patched(INPUT_CONTRACT_PATCH)) return;
    throw ApplicationFailure.create({ type: INVALID_JOURNEY_INPUT, message: err.message, nonRetryable: true, details: [{ field: err.field }] });
  }
}

function parseDeadline(deadline: string | undefined): number {
  if (deadline === undefined) return Number.POSITIVE_INFINITY;
  const ms = Date.parse(deadline);
  if (Number.isNaN(ms)) {
    throw ApplicationFailure.nonRetryable(`deadline is not an ISO timestamp: ${deadline}`, INVALID_JOURNEY_INPUT);
  }
  return ms;
}

/** Start helpers set JourneyProvider; a workflow started any other way sets it itself, so operators can filter. */
function ensureProviderSearchAttribute(input: AwaitJourneyInput): void {
  if (workflowInfo().typedSearchAttributes.get(journeyProviderKey) !== input.provider) {
    upsertSearchAttributes([{ key: journeyProviderKey, value: input.provider }]);
  }
}

/**
 * The deadline's verdict. It keeps what the last successful fetch saw (steps, provider status, decision) and
 * overrides status/terminal/source; without any successful fetch the provider status is `unknown`.
 * `observedAt` is when the workflow gave up.
 */
function expiredState(input: AwaitJourneyInput, lastState: JourneyState | undefined): JourneyState {
  const neverFetched: Pick<JourneyState, 'provider' | 'journeyId' | 'providerStatus' | 'decision' | 'steps'> = {
    provider: input.provider,
    journeyId: input.journeyId,
    providerStatus: 'unknown',
    decision: 'undecided',
    steps: [],
  };
  return { ...neverFetched, ...lastState, status: 'expired', terminal: true, source: 'deadline', observedAt: new Date().toISOString() };
}

interface FetchFailure {
  type?: string;
  message: string;
  details?: FetchFailureDetails;
}

/** The activity's own ApplicationFailure sits under ActivityFailure; timeouts and others count as transient. */
function describeFetchFailure(err: unknown): FetchFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as FetchFailureDetails | undefined;
    return { type: cause.type ?? undefined, message: cause.message, details: details ?? undefined };
  }
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { message: String(cause) };
}

/** Journey ids are opaque tokens, not PII, but there is no need to print them whole in failures. */
function shortId(journeyId: string): string {
  return journeyId.length > 8 ? `${journeyId.slice(0, 5)}…` : journeyId;
}
