/**
 * awaitJourneyCompletion: polls a provider's journey through `fetchState` (a local activity, see ./fetch) until it
 * reaches a terminal status, woken early by `journeyWebhook` signals, bounded by an optional deadline, and
 * continued as new before its history gets long. docs/design.md describes the contract. The state and its
 * handlers live in one small class, as in the samples' ClusterManager; the schedule is ./schedule.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { JourneyPoll, JourneyState } from '../contract/journey-state';
import type { JourneyDecision } from '../contract/vocabulary';
import { FETCH_CANCELLED, FETCH_REJECTED, type FetchFailureDetails } from '../contract/errors';
import type { AwaitJourneyInput } from '../contract/input';
import type { PollingPolicy } from '../contract/polling';
import type { JourneyStatusAttribute } from '../contract/vocabulary';
import {
  journeyDecisionKey,
  journeyProgressQuery,
  journeyProviderKey,
  journeyStatusKey,
  journeyWebhookSignal,
  type JourneyProgress,
  type JourneyWebhook,
} from '../contract/workflow';
import { INVALID_JOURNEY_INPUT, InvalidJourneyInputError } from '../contract/errors';
import { parseStrictIsoTimestamp, validateJourneyInput } from '../contract/input';
import { describeFetchFailure, fetchJourneyState } from './fetch';
import { expiredState, fetchedState, pollingExhausted, rejectedByProvider } from './outcomes';
import { isExhausted, resolvePolicy } from './schedule';
import { freshPace, journeyChanged, nextWaitMs, paceAfterSuccess, shortDuration, type Pace } from './slowdown';
import { recordJourneyEnd, recordPoll, recordWebhook, recordWebhookChangedOutcome } from './metrics';
import { publishStaleMarker } from './stale-marker';
import { WakeableWait } from './wakeable-wait';
import { isNewWebhook } from './webhook-memory';

export type { PollingExhaustedDetails } from './outcomes';

/** Continue as new well before Temporal's own suggestion (4,096 events), so a run's history stays cheap to replay. */
export const DEFAULT_HISTORY_EVENT_BUDGET = 2_000;
/**
 * Events one more poll cycle can add before the next budget check (a cycle ≈ 6, a webhook ≈ 3 more, signals that
 * arrive while a task runs more still) plus the continue-as-new itself: continuing this early keeps every run
 * under the budget.
 */
const CYCLE_HEADROOM_EVENTS = 20;
/** Below this a fresh run would continue as new again before its first poll, forever. */
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
  /** The schedule's quiet clock and current interval (./slowdown); absent in state carried by older runs. */
  pace?: Pace;
}

/** The workflow's argument: the public input plus internal fields that callers leave out. */
export interface JourneyWorkflowInput extends AwaitJourneyInput {
  /** Internal: continue as new once a run's history would pass this many events (tests use a tiny one). */
  historyEventBudget?: number;
  /** Internal: state carried over continue-as-new. */
  carried?: CarriedState;
}

export async function awaitJourneyCompletion(input: JourneyWorkflowInput): Promise<JourneyState> {
  rejectInvalidInput(input);
  return new JourneyAwait(input).run();
}

/** One journey's wait: the carried state, the handlers that read and write it, and the poll loop. */
class JourneyAwait {
  private readonly policy: PollingPolicy;
  private readonly budget: number;
  private readonly deadlineMs: number;
  /** A continued run keeps the schedule, counts and seen webhooks of the run before it. */
  private readonly state: CarriedState;
  private readonly wait = new WakeableWait();
  private waiting = false;
  /** What the search attributes hold now, so an unchanged value is not upserted again. */
  private indexed: { status?: string; decision?: string };

  constructor(private readonly input: JourneyWorkflowInput) {
    this.policy = resolvePolicy(input.polling);
    this.budget = Math.max(input.historyEventBudget ?? DEFAULT_HISTORY_EVENT_BUDGET, MIN_HISTORY_EVENT_BUDGET);
    // Checked by rejectInvalidInput: a deadline is a strict ISO timestamp.
    this.deadlineMs = input.deadline === undefined ? Infinity : parseStrictIsoTimestamp(input.deadline)!;
    this.state = input.carried ?? initialState(Date.now());
    // Carried whole: a continued run keeps its quiet clock and slow interval.
    this.state.pace ??= freshPace(Date.now(), this.policy);
    // Handlers first, so signals buffered before the first workflow task (signal-with-start) are not dropped.
    setHandler(journeyWebhookSignal, (webhook) => this.handleWebhook(webhook));
    setHandler(journeyProgressQuery, () => this.answerProgress());
    const attributes = workflowInfo().typedSearchAttributes;
    // Start helpers set JourneyProvider; a workflow started any other way sets it itself, so operators can filter.
    if (attributes.get(journeyProviderKey) !== input.provider)
      upsertSearchAttributes([{ key: journeyProviderKey, value: input.provider }]);
    this.indexed = { status: attributes.get(journeyStatusKey), decision: attributes.get(journeyDecisionKey) };
  }

  async run(): Promise<JourneyState> {
    try {
      for (;;) {
        await this.waitForNextPoll();
        if (Date.now() >= this.deadlineMs) return await this.finish(this.expire());
        // Hand over between a wait and a fetch, never in the task that ran a fetch: a webhook arriving meanwhile
        // makes the server refuse a closing task, and a refused task loses its local activity's result.
        if (this.historyIsLong()) await this.handOver();
        const terminal = await this.pollOnce();
        if (terminal) return await this.finish(terminal);
      }
    } catch (err) {
      // An in-flight fetch has aborted its HTTP request already (its cancel watch), or is cancelled with the
      // workflow (TRY_CANCEL) when the SDK hands it the cancellation.
      if (isCancellation(err)) {
        setCurrentDetails(`**cancelled** after ${this.state.polls} polls`);
        this.publishStatus('cancelled');
        recordJourneyEnd(this.input.provider, { status: 'cancelled' }, this.state.polls);
      } else if (err instanceof ApplicationFailure) {
        recordJourneyEnd(
          this.input.provider,
          { status: 'failed', failureType: err.type ?? 'unknown' },
          this.state.polls,
        );
      }
      throw err;
    }
  }

  /** The `journeyWebhook` signal. Only a wake-up: the provider API, not the webhook body, decides the state. */
  handleWebhook(webhook: JourneyWebhook | null | undefined): void {
    if (isNewWebhook(this.state.seenEventIds, webhook)) {
      this.state.webhooksReceived++;
      recordWebhook(this.input.provider);
      // A new webhook is a change: the wait goes back to the base interval and the quiet clock restarts.
      this.state.pace = freshPace(Date.now(), this.policy);
      // Set even while a fetch is in flight, so the next wait returns at once and the change is not missed.
      this.state.wakeRequested = true;
    }
    // A flood of (duplicate) webhooks also ends the wait once the history gets long, so the next run can take over.
    if (this.state.wakeRequested || this.historyIsLong()) this.wait.wake();
  }

  /** The `journeyProgress` query. */
  answerProgress(): JourneyProgress {
    const { state } = this;
    return {
      status: state.lastState?.status ?? 'in_progress',
      polls: state.polls,
      consecutiveErrors: state.consecutiveErrors,
      maxConsecutiveErrors: this.policy.maxConsecutiveErrors,
      lastError: state.lastError,
      nextPollAt: this.waiting ? new Date(state.nextPollAt).toISOString() : undefined,
      lastState: state.lastState,
      webhooksReceived: state.webhooksReceived,
      ...(this.policy.slowdown && state.pace
        ? { slowdown: { intervalMs: state.pace.intervalMs, quietSince: new Date(state.pace.quietSince).toISOString() } }
        : {}),
    };
  }

  /** One upsert of JourneyStatus and JourneyDecision, for whichever changed. */
  publishStatus(status: JourneyStatusAttribute, decision?: JourneyDecision): void {
    const updates = [];
    if (this.indexed.status !== status) updates.push({ key: journeyStatusKey, value: status });
    if (decision !== undefined && this.indexed.decision !== decision)
      updates.push({ key: journeyDecisionKey, value: decision });
    if (updates.length === 0) return;
    upsertSearchAttributes(updates);
    this.indexed = { status, decision: decision ?? this.indexed.decision };
  }

  /** The current details operators see in the Web UI: status, decision, polls, the error streak. Never PII. */
  publishDetails(): void {
    const last = this.state.lastState;
    const status = last ? `**${last.status}** (provider: \`${last.providerStatus}\`)` : '**not fetched yet**';
    // A provider may decide before the journey ends (GBG classifies while in progress): operators see it at once.
    const decided =
      last && last.decision !== 'undecided' ? ` · ${last.decision}${last.terminal ? '' : ' (not final)'}` : '';
    const errors = this.state.lastError ? ` · ${this.errorCount()}: ${this.state.lastError}` : '';
    setCurrentDetails(`${status}${decided} · polls ${this.state.polls}${this.pace()}${errors}`);
  }

  /** Waits for the scheduled poll, a webhook (handleWebhook ends the wait) or the deadline, whichever is first. */
  async waitForNextPoll(): Promise<void> {
    const { state } = this;
    const waitMs = Math.min(state.nextPollAt, this.deadlineMs) - Date.now();
    if (state.wakeRequested || waitMs <= 0) return;
    this.waiting = true;
    const inSeconds = Math.round((state.nextPollAt - Date.now()) / 1000);
    await this.wait.sleep(waitMs, `poll #${state.polls} · next in ${inSeconds}s${this.pace()} · ${this.errorCount()}`);
    this.waiting = false;
  }

  /** Fetches once and schedules the next poll; the journey's final state when the fetch found it terminal. */
  async pollOnce(): Promise<JourneyState | undefined> {
    const { state, input } = this;
    const byWebhook = state.wakeRequested;
    state.wakeRequested = false;
    state.polls++;
    recordPoll(input.provider, byWebhook ? 'webhook' : 'schedule');
    let retryAfterMs: number | undefined;
    try {
      const poll = await fetchJourneyState(
        { provider: input.provider, journeyId: input.journeyId, environment: input.environment },
        `poll #${state.polls}${byWebhook ? ' · webhook' : ''} · ${this.errorCount()}`,
      );
      const { fetched, changed } = this.recordFetched(poll);
      if (byWebhook && (changed || fetched.terminal)) recordWebhookChangedOutcome(input.provider);
      if (fetched.terminal) return { ...fetched, source: byWebhook ? 'webhook' : 'poll' };
    } catch (err) {
      retryAfterMs = await this.recordFailedFetch(err);
    }
    state.nextPollAt = Date.now() + nextWaitMs(state.pace!, state.consecutiveErrors, this.policy, retryAfterMs);
    return undefined;
  }

  private recordFetched(poll: JourneyPoll): { fetched: JourneyState; changed: boolean } {
    const fetched = fetchedState(this.input, poll, Date.now());
    // The end of a failing streak clears the stale marker; after a success there is nothing to clear.
    publishStaleMarker(this.state.consecutiveErrors, 0, this.state.lastState);
    Object.assign(this.state, { consecutiveErrors: 0, lastError: undefined, lastFailure: undefined });
    const changed = journeyChanged(this.state.lastState, fetched);
    this.state.pace = paceAfterSuccess(this.state.pace!, this.policy, Date.now(), changed);
    this.state.lastState = fetched;
    this.publishStatus(fetched.status, fetched.decision);
    this.publishDetails();
    return { fetched, changed };
  }

  /** Counts a failed fetch and returns the provider's Retry-After; throws when the journey cannot go on. */
  private async recordFailedFetch(err: unknown): Promise<number | undefined> {
    if (isCancellation(err)) throw err;
    const failure = describeFetchFailure(err);
    if (failure.type === FETCH_CANCELLED) {
      // The fetch saw the journey's cancel request, which reaches this workflow in its next task: wait for it
      // (it throws there). Not a failed fetch, and no closing command in this task: the server refuses to close
      // a workflow with a cancel request pending, and the fetch's result would be lost.
      await condition(() => false);
    }
    if (failure.type === FETCH_REJECTED) {
      this.publishStatus('failed');
      throw rejectedByProvider(this.input, failure, err);
    }
    const { state } = this;
    state.consecutiveErrors++;
    state.lastError = failure.message;
    state.lastFailure = { type: failure.type, details: failure.details };
    publishStaleMarker(state.consecutiveErrors - 1, state.consecutiveErrors, state.lastState, state.lastFailure);
    this.publishDetails();
    log.info('fetchState failed', { consecutiveErrors: state.consecutiveErrors, type: failure.type });
    if (isExhausted(state.consecutiveErrors, this.policy)) {
      this.publishStatus('failed');
      throw pollingExhausted({
        consecutiveErrors: state.consecutiveErrors,
        polls: state.polls,
        lastError: state.lastError,
        lastErrorType: failure.type,
        lastErrorDetails: failure.details,
      });
    }
    return failure.details?.retryAfterMs;
  }

  private expire(): JourneyState {
    const expired = expiredState(this.input, this.state.lastState, Date.now());
    this.publishStatus(expired.status, expired.decision);
    setCurrentDetails(`**expired**: deadline ${this.input.deadline} passed after ${this.state.polls} polls`);
    return expired;
  }

  /** Ends the run with `result` once running handlers are done. */
  private async finish(result: JourneyState): Promise<JourneyState> {
    this.state.lastState = result;
    await condition(allHandlersFinished);
    recordJourneyEnd(this.input.provider, { state: result }, this.state.polls);
    return result;
  }

  private historyIsLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength + CYCLE_HEADROOM_EVENTS > this.budget;
  }

  private async handOver(): Promise<never> {
    // Signal handlers are synchronous today; waiting keeps that true if one ever awaits.
    await condition(allHandlersFinished);
    return continueAsNew<typeof awaitJourneyCompletion>({ ...this.input, carried: this.state });
  }

  /** With a slowdown: ` · every 5m (quiet 20h)`, the pace in summaries and details; nothing otherwise. */
  private pace(): string {
    const pace = this.state.pace;
    if (!this.policy.slowdown || !pace) return '';
    return ` · every ${shortDuration(pace.intervalMs)} (quiet ${shortDuration(Date.now() - pace.quietSince)})`;
  }

  private errorCount(): string {
    return `errors ${this.state.consecutiveErrors}/${this.policy.maxConsecutiveErrors}`;
  }
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

/**
 * An execution started by another tool (or an old client) gets the same contract as the client library: it
 * fails at once with `InvalidJourneyInput` naming the field, instead of polling with a broken policy.
 */
function rejectInvalidInput(input: AwaitJourneyInput): void {
  try {
    validateJourneyInput(input);
  } catch (err) {
    if (!(err instanceof InvalidJourneyInputError)) throw err;
    upsertSearchAttributes([{ key: journeyStatusKey, value: 'failed' }]);
    throw ApplicationFailure.create({
      type: INVALID_JOURNEY_INPUT,
      message: err.message,
      nonRetryable: true,
      details: [{ field: err.field }],
    });
  }
}
