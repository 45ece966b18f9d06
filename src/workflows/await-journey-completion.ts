/**
 * awaitJourneyCompletion: polls a provider's journey through `fetchState` (a local activity, see ./fetch) until it
 * reaches a terminal status, woken early by `journeyWebhook` signals, bounded by an optional deadline, and
 * continued as new before its history gets long. docs/design.md describes the contract.
 *
 * Longer than our ~250-line guideline on purpose: the loop, its signal/query handlers and continue-as-new share
 * one carried state and read best top to bottom in one file; the schedule and the fetch call live in ./schedule
 * and ./fetch.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { JourneyDecision, JourneyState } from '../journey';
import {
  FETCH_CANCELLED,
  FETCH_REJECTED,
  JOURNEY_POLLING_EXHAUSTED,
  JOURNEY_REJECTED_BY_PROVIDER,
  journeyDecisionKey,
  journeyProgressQuery,
  journeyProviderKey,
  journeyStatusKey,
  journeyWebhookSignal,
  type AwaitJourneyInput,
  type FetchFailureDetails,
  type JourneyProgress,
  type JourneyStatusAttribute,
  type JourneyWebhook,
} from '../workflow-contract';
import { INVALID_JOURNEY_INPUT, InvalidJourneyInputError, validateJourneyInput } from '../journey-input';
import { describeFetchFailure, fetchesLocally, fetchJourneyState } from './fetch';
import { isExhausted, nextPollDelayMs, resolvePolicy } from './schedule';
import { WakeableWait } from './wakeable-wait';
import { isNewWebhook } from './webhook-memory';

/** Continue as new well before Temporal's own suggestion (4,096 events), so a run's history stays cheap to replay. */
export const DEFAULT_HISTORY_EVENT_BUDGET = 2_000;
/**
 * Events one more poll cycle can add before the next budget check (a v0.1 cycle ≈ 11, a local-activity one ≈ 6,
 * a webhook ≈ 3 more) plus the continue-as-new itself: continuing this early keeps every run under the budget.
 */
const CYCLE_HEADROOM_EVENTS = 20;
const MIN_HISTORY_EVENT_BUDGET = 2 * CYCLE_HEADROOM_EVENTS;

/**
 * Everything the workflow knows about its journey, in one object: the handlers read and write it, and
 * continue-as-new hands it whole to the next run, so the chain behaves like a single run. Internal.
 */
export interface CarriedState {
  polls: number;
  consecutiveErrors: number;
  lastError?: string;
  lastFailure?: { type?: string; details?: FetchFailureDetails };
  lastState?: JourneyState;
  /** Oldest first, at most SEEN_EVENT_IDS_LIMIT (./webhook-memory). */
  seenEventIds: string[];
  webhooksReceived: number;
  /** Epoch ms of the next scheduled poll. */
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

/** A fresh journey: the first poll happens at start. */
function initialState(now: number): CarriedState {
  return {
    polls: 0,
    consecutiveErrors: 0,
    seenEventIds: [],
    webhooksReceived: 0,
    nextPollAt: now,
    wakeRequested: false,
  };
}

export async function awaitJourneyCompletion(input: JourneyWorkflowInput): Promise<JourneyState> {
  rejectInvalidInput(input);
  // Runs from before it keep JourneyStatus at the last fetched status to the end and set no JourneyDecision.
  const truthful = patched(OPERATOR_STATE_PATCH);
  const policy = resolvePolicy(input.polling);
  // Below the minimum a fresh run would continue as new again before its first poll, forever.
  const budget = Math.max(input.historyEventBudget ?? DEFAULT_HISTORY_EVENT_BUDGET, MIN_HISTORY_EVENT_BUDGET);
  const historyIsLong = (): boolean => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength + CYCLE_HEADROOM_EVENTS > budget;
  };
  const deadlineMs = parseDeadline(input.deadline);
  // A continued run keeps the schedule, counts and seen webhooks of the run before it.
  const state: CarriedState = input.carried ?? initialState(Date.now());
  let waiting = false;
  const wait = new WakeableWait();
  const locally = fetchesLocally();

  // Handlers first, so signals buffered before the first workflow task (signal-with-start) are not dropped.
  setHandler(journeyWebhookSignal, (webhook: JourneyWebhook | null | undefined) => {
    if (isNewWebhook(state.seenEventIds, webhook)) {
      state.webhooksReceived++;
      // Only a wake-up: the provider API, not the webhook body, decides the state. Set even while a fetch is in
      // flight, so the next wait returns at once and the change is not missed.
      state.wakeRequested = true;
    }
    // A flood of (duplicate) webhooks also ends the wait once the history gets long, so the next run can take over.
    if (state.wakeRequested || historyIsLong()) wait.wake();
  });
  setHandler(journeyProgressQuery, (): JourneyProgress => ({
    status: state.lastState?.status ?? 'in_progress',
    polls: state.polls,
    consecutiveErrors: state.consecutiveErrors,
    maxConsecutiveErrors: policy.maxConsecutiveErrors,
    lastError: state.lastError,
    nextPollAt: waiting ? new Date(state.nextPollAt).toISOString() : undefined,
    lastState: state.lastState,
    webhooksReceived: state.webhooksReceived,
  }));

  ensureProviderSearchAttribute(input);
  const indexed = workflowInfo().typedSearchAttributes;
  let indexedStatus = indexed.get(journeyStatusKey);
  let indexedDecision = indexed.get(journeyDecisionKey);
  /** One upsert for whatever changed; the decision (and the workflow's own outcomes) only behind the patch. */
  const publishStatus = (status: JourneyStatusAttribute, decision?: JourneyDecision): void => {
    const updates = [];
    if (indexedStatus !== status) updates.push({ key: journeyStatusKey, value: status });
    if (truthful && decision !== undefined && indexedDecision !== decision)
      updates.push({ key: journeyDecisionKey, value: decision });
    if (updates.length === 0) return;
    upsertSearchAttributes(updates);
    indexedStatus = status;
    if (truthful && decision !== undefined) indexedDecision = decision;
  };
  const publishOutcome = (status: 'failed' | 'cancelled'): void => {
    if (truthful) publishStatus(status);
  };
  const errorCount = () => `errors ${state.consecutiveErrors}/${policy.maxConsecutiveErrors}`;
  const publishDetails = (): void => {
    const last = state.lastState;
    const status = last ? `**${last.status}** (provider: \`${last.providerStatus}\`)` : '**not fetched yet**';
    // A provider may decide before the journey ends (GBG classifies while in progress): operators see it at once.
    const decided =
      last && last.decision !== 'undecided' ? ` · ${last.decision}${last.terminal ? '' : ' (not final)'}` : '';
    const errors = state.lastError ? ` · ${errorCount()}: ${state.lastError}` : '';
    setCurrentDetails(`${status}${decided} · polls ${state.polls}${errors}`);
  };

  const handOver = async (): Promise<never> => {
    // Signal handlers are synchronous today; waiting keeps that true if one ever awaits.
    await condition(allHandlersFinished);
    return continueAsNew<typeof awaitJourneyCompletion>({ ...input, carried: state });
  };

  try {
    for (;;) {
      // v0.1 runs handed over here, right after a fetch; kept so their histories replay.
      if (!locally && historyIsLong()) await handOver();
      // Wait for the scheduled poll, a webhook (the signal handler wakes the wait), or the deadline.
      const waitMs = Math.min(state.nextPollAt, deadlineMs) - Date.now();
      if (!state.wakeRequested && waitMs > 0) {
        waiting = true;
        const inSeconds = Math.round((state.nextPollAt - Date.now()) / 1000);
        const waited = wait.sleep(waitMs, `poll #${state.polls} · next in ${inSeconds}s · ${errorCount()}`);
        // Already long after the last fetch: the timer starts and is cancelled at once, as it always was.
        if (historyIsLong()) wait.wake();
        await waited;
        waiting = false;
      }
      if (Date.now() >= deadlineMs) {
        const expired = expiredState(input, state.lastState);
        state.lastState = expired;
        publishStatus(expired.status, expired.decision);
        setCurrentDetails(`**expired**: deadline ${input.deadline} passed after ${state.polls} polls`);
        await condition(allHandlersFinished);
        return expired;
      }
      // Hand over between a wait and a fetch, never in the task that ran a fetch: a webhook arriving meanwhile
      // makes the server refuse a closing task, and a refused task loses its local activity's result.
      if (locally && historyIsLong()) await handOver();

      const byWebhook = state.wakeRequested;
      state.wakeRequested = false;
      state.polls++;
      let retryAfterMs: number | undefined;
      try {
        const poll = await fetchJourneyState(
          { provider: input.provider, journeyId: input.journeyId, environment: input.environment },
          `poll #${state.polls}${byWebhook ? ' · webhook' : ''} · ${errorCount()}`,
          locally,
        );
        // An in-progress poll carries only what the next decision needs; the rest comes from the input.
        const fetched: JourneyState = {
          ...{
            provider: input.provider,
            journeyId: input.journeyId,
            terminal: false,
            decision: 'undecided',
            steps: [],
          },
          ...{ source: 'poll', observedAt: new Date().toISOString() },
          ...poll,
        };
        state.consecutiveErrors = 0;
        state.lastError = undefined;
        state.lastFailure = undefined;
        state.lastState = fetched;
        publishStatus(fetched.status, fetched.decision);
        publishDetails();
        if (fetched.terminal) {
          state.lastState = { ...fetched, source: byWebhook ? 'webhook' : 'poll' };
          await condition(allHandlersFinished);
          return state.lastState;
        }
      } catch (err) {
        if (isCancellation(err)) throw err;
        const failure = describeFetchFailure(err);
        if (failure.type === FETCH_CANCELLED) {
          // The fetch saw the journey's cancel request, which reaches this workflow in its next task: wait for it
          // (it throws here, handled below). Not a failed fetch, and no closing command in this task: the server
          // refuses to close a workflow with a cancel request pending, and the fetch's result would be lost.
          await condition(() => false);
        }
        if (failure.type === FETCH_REJECTED) {
          // Bad request, malformed journey id: no number of retries will fix it.
          publishOutcome('failed');
          throw ApplicationFailure.create({
            type: JOURNEY_REJECTED_BY_PROVIDER,
            message: `${input.provider} rejected journey ${shortId(input.journeyId)}: ${failure.message}`,
            nonRetryable: true,
            details: [failure.details],
            cause: err as Error,
          });
        }
        state.consecutiveErrors++;
        state.lastError = failure.message;
        state.lastFailure = { type: failure.type, details: failure.details };
        retryAfterMs = failure.details?.retryAfterMs;
        publishDetails();
        log.info('fetchState failed', { consecutiveErrors: state.consecutiveErrors, type: failure.type });
        if (isExhausted(state.consecutiveErrors, policy)) {
          const details: PollingExhaustedDetails = {
            consecutiveErrors: state.consecutiveErrors,
            polls: state.polls,
            lastError: state.lastError,
            lastErrorType: failure.type,
            lastErrorDetails: failure.details,
          };
          publishOutcome('failed');
          throw ApplicationFailure.create({
            type: JOURNEY_POLLING_EXHAUSTED,
            message: `gave up after ${state.consecutiveErrors} consecutive failed fetches; last: ${state.lastError}`,
            nonRetryable: true,
            details: [details],
          });
        }
      }
      state.nextPollAt = Date.now() + nextPollDelayMs(state.consecutiveErrors, policy, retryAfterMs);
    }
  } catch (err) {
    if (isCancellation(err)) {
      // An in-flight fetch has aborted its HTTP request already (its cancel watch), or is cancelled with the
      // workflow (TRY_CANCEL) when the SDK hands it the cancellation.
      setCurrentDetails(`**cancelled** after ${state.polls} polls`);
      publishOutcome('cancelled');
    }
    throw err;
  }
}

/** Marks executions that check the input contract; older ones (which may hold such input) replay as they ran. */
export const INPUT_CONTRACT_PATCH = 'journey-input-contract';
/** Marks executions whose JourneyStatus ends `failed`/`cancelled` when the workflow does, and that set JourneyDecision. */
export const OPERATOR_STATE_PATCH = 'journey-operator-state';

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
    if (patched(OPERATOR_STATE_PATCH)) upsertSearchAttributes([{ key: journeyStatusKey, value: 'failed' }]);
    throw ApplicationFailure.create({
      type: INVALID_JOURNEY_INPUT,
      message: err.message,
      nonRetryable: true,
      details: [{ field: err.field }],
    });
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
  return {
    ...neverFetched,
    ...lastState,
    status: 'expired',
    terminal: true,
    source: 'deadline',
    observedAt: new Date().toISOString(),
  };
}

/** Journey ids are opaque tokens, not PII, but there is no need to print them whole in failures. */
function shortId(journeyId: string): string {
  return journeyId.length > 8 ? `${journeyId.slice(0, 5)}…` : journeyId;
}
