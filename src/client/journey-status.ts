/** Where a journey stands (`getJourneyStatus`) and its final state (`awaitJourneyResult`). */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { JourneyState } from '../contract/journey-state';
import type { JourneyProvider } from '../contract/vocabulary';
import { InvalidJourneyInputError } from '../contract/errors';
import { validateJourneyRef } from '../contract/input';
import { JOURNEY_POLLING_EXHAUSTED } from '../contract/errors';
import { journeyWorkflowId } from '../contract/identifiers';
import {
  FETCH_TOTAL_TIMEOUT_MS,
  journeyProgressQuery,
  journeyStatusKey,
  type JourneyProgress,
} from '../contract/workflow';
import {
  AwaitTimeoutError,
  failureOf,
  isTemporalUnavailable,
  JourneyNotFoundError,
  JourneyWorkflowFailedError,
  rethrowTemporalError,
} from './errors';
import { checkOptionalBounded } from './arguments';
import { describeJourney, getJourneyHandle, type JourneyHandle, type JourneyRef } from './handle';

export type ExecutionStatus = WorkflowExecutionDescription['status']['name'];

export interface JourneyStatusReport {
  workflowId: string;
  runId: string;
  provider: JourneyProvider;
  journeyId: string;
  /** Temporal's view: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, CONTINUED_AS_NEW. */
  executionStatus: ExecutionStatus;
  /** The JourneyStatus search attribute (upserted by the workflow on change). */
  journeyStatus?: string;
  startTime: string;
  closeTime?: string;
  /** The workflow's own progress (running journeys; needs a worker to answer the query). */
  progress?: JourneyProgress;
  /** The final state of a completed journey. */
  result?: JourneyState;
  /** Why a failed/cancelled/terminated journey ended. */
  failure?: { type?: string; message: string };
}

const PROGRESS_QUERY_TIMEOUT_MS = 5_000;
/**
 * How long a progress query may take while a fetch is in flight. fetchState is a local activity, which holds the
 * journey's workflow task open for the whole fetch (up to its FETCH_TOTAL_TIMEOUT_MS + 1 s timeout), and a query
 * is answered only once that task completes. Given up on sooner, the query was answered anyway and the server
 * refused the late answer: "Query not found when attempting to respond to it" in the worker's log.
 */
const QUERY_BEHIND_FETCH_TIMEOUT_MS = FETCH_TOTAL_TIMEOUT_MS + 5_000;
/** A query in flight when the journey ends is answered at once (the task it waited for is done): let it finish. */
const QUERY_SETTLE_MS = 2_000;

function queryProgress(
  client: Client,
  handle: JourneyHandle,
  timeoutMs = PROGRESS_QUERY_TIMEOUT_MS,
): Promise<JourneyProgress> {
  return client.withDeadline(Date.now() + timeoutMs, () => handle.query(journeyProgressQuery));
}

/** Where a journey stands: execution status, search attributes, live progress (running) or result (done). */
export async function getJourneyStatus(
  client: Client,
  ref: JourneyRef,
  opts: { queryTimeoutMs?: number } = {},
): Promise<JourneyStatusReport> {
  validateJourneyRef(ref);
  checkOptionalBounded(opts.queryTimeoutMs, 'callTimeoutMs', 'queryTimeoutMs');
  const workflowId = journeyWorkflowId(ref.provider, ref.journeyId);
  const d = await describeJourney(client, workflowId);
  const journeyStatus = d.typedSearchAttributes.get(journeyStatusKey);
  const report: JourneyStatusReport = {
    workflowId,
    runId: d.runId,
    provider: ref.provider,
    journeyId: ref.journeyId,
    executionStatus: d.status.name,
    ...(journeyStatus ? { journeyStatus } : {}),
    startTime: d.startTime.toISOString(),
    ...(d.closeTime ? { closeTime: d.closeTime.toISOString() } : {}),
  };
  const handle = getJourneyHandle(client, ref);
  if (d.status.name === 'RUNNING') {
    // A started workflow task is a fetch in flight (see QUERY_BEHIND_FETCH_TIMEOUT_MS): the query waits for it.
    const fetching =
      d.raw.pendingWorkflowTask?.state ===
      temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED;
    try {
      report.progress = await queryProgress(
        client,
        handle,
        opts.queryTimeoutMs ?? (fetching ? QUERY_BEHIND_FETCH_TIMEOUT_MS : PROGRESS_QUERY_TIMEOUT_MS),
      );
    } catch (err) {
      if (!isTemporalUnavailable(err)) throw err;
      // No worker answered in time: describe() alone still tells where the journey stands.
    }
  } else {
    try {
      report.result = await handle.result();
    } catch (err) {
      if (isTemporalUnavailable(err)) rethrowTemporalError(err);
      report.failure = failureOf(err);
    }
  }
  return report;
}

export interface AwaitResultOptions {
  /** Called whenever the progress changes while waiting (polled with the journeyProgress query). */
  onProgress?: (progress: JourneyProgress) => void;
  /** How often to query progress: 100 ms to 1 h, default 1 s. */
  progressIntervalMs?: number;
  /** Give up waiting after this long (the journey keeps running): 1 ms to 2,147,483,647 ms (a Node timer's limit). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Keep waiting when the journey gives up (JourneyPollingExhausted) until an operator re-opens it
   * (`journey-await redrive`), then wait for the new run: the result is the journey's, whichever run ends it.
   * Without a `timeoutMs` or `signal` this waits as long as nobody re-drives it. Default false.
   */
  includeRedrives?: boolean;
  /** How often to look for a re-opened run once the journey gave up: 100 ms to 1 h, default 10 s. */
  redriveCheckIntervalMs?: number;
}

const REDRIVE_CHECK_INTERVAL_MS = 10_000;

/**
 * The final state, following re-drives: a run that gave up is waited past, by describing the journey every
 * `everyMs` until its latest run is another one (re-opened), then following that run. The run is told apart by
 * its id, not its status: a re-opened run that fails fast, between two looks, is still seen (and its failure
 * thrown, or waited past again).
 */
async function resultIncludingRedrives(
  client: Client,
  workflowId: string,
  everyMs: number,
  stopped: AbortSignal,
): Promise<JourneyState> {
  for (;;) {
    try {
      return await client.workflow.getHandle<() => Promise<JourneyState>>(workflowId).result();
    } catch (err) {
      if (!(err instanceof WorkflowFailedError) || failureOf(err).type !== JOURNEY_POLLING_EXHAUSTED) throw err;
    }
    const gaveUp = await describeJourney(client, workflowId);
    // Already re-opened meanwhile: follow the new run at once.
    if (gaveUp.status.name !== 'FAILED') continue;
    do await sleep(everyMs, undefined, { signal: stopped });
    while ((await describeJourney(client, workflowId)).runId === gaveUp.runId);
  }
}

/**
 * One progress query, dropped when `abandoned` fires, so a timeout is not held up by a worker that never answers.
 * Each query gets a signal of its own: the SDK keeps a listener on every signal it is given, so passing `abandoned`
 * itself collected one per query (MaxListenersExceededWarning after ten, and a leak for the length of the wait).
 */
async function queryUntilAbandoned(
  client: Client,
  handle: JourneyHandle,
  abandoned: AbortSignal,
): Promise<JourneyProgress> {
  const query = new AbortController();
  const abort = () => query.abort();
  abandoned.addEventListener('abort', abort, { once: true });
  try {
    return await client.withAbortSignal(query.signal, () =>
      queryProgress(client, handle, QUERY_BEHIND_FETCH_TIMEOUT_MS),
    );
  } finally {
    abandoned.removeEventListener('abort', abort);
  }
}

/**
 * Reports each change of progress until `stopped`; a query still in flight then runs on until `abandoned`. One query
 * at a time, each allowed to wait behind a fetch in flight. Errors (closed journey, no worker) are left to the result.
 */
async function watchProgress(
  client: Client,
  handle: JourneyHandle,
  opts: AwaitResultOptions,
  stopped: AbortSignal,
  abandoned: AbortSignal,
): Promise<void> {
  if (!opts.onProgress) return;
  let last = '';
  while (!stopped.aborted) {
    try {
      const progress = await queryUntilAbandoned(client, handle, abandoned);
      const key = JSON.stringify(progress);
      if (!stopped.aborted && key !== last) {
        last = key;
        opts.onProgress(progress);
      }
    } catch {
      // The journey may have just closed, no worker answered, or waiting stopped; the result decides.
    }
    await sleep(opts.progressIntervalMs ?? 1_000, undefined, { signal: stopped }).catch(() => {});
  }
}

function checkAwaitArguments(ref: JourneyRef, opts: AwaitResultOptions): void {
  validateJourneyRef(ref);
  checkOptionalBounded(opts.timeoutMs, 'timeoutMs');
  checkOptionalBounded(opts.progressIntervalMs, 'progressIntervalMs');
  checkOptionalBounded(opts.redriveCheckIntervalMs, 'progressIntervalMs', 'redriveCheckIntervalMs');
  if (opts.includeRedrives !== undefined && typeof opts.includeRedrives !== 'boolean')
    throw new InvalidJourneyInputError('includeRedrives', 'must be true or false');
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function')
    throw new InvalidJourneyInputError('onProgress', 'must be a function');
  if (opts.signal?.aborted) throw new AwaitTimeoutError('aborted');
}

/** Rejects with AwaitTimeoutError once `timeoutMs` passes or `signal` aborts; `clear` drops the timer and listener. */
function waitingLimit(opts: AwaitResultOptions, workflowId: string): { reached: Promise<never>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => {};
  const reached = new Promise<never>((_, reject) => {
    if (opts.timeoutMs) {
      const message = `still waiting for ${workflowId} after ${opts.timeoutMs} ms`;
      timer = setTimeout(() => reject(new AwaitTimeoutError(message)), opts.timeoutMs);
    }
    onAbort = () => reject(new AwaitTimeoutError('aborted'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
  return {
    reached,
    clear() {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * The final JourneyState (following continue-as-new). Throws JourneyNotFoundError, JourneyWorkflowFailedError
 * (polling exhausted, rejected by the provider, cancelled, terminated), AwaitTimeoutError or TemporalUnavailableError.
 */
export async function awaitJourneyResult(
  client: Client,
  ref: JourneyRef,
  opts: AwaitResultOptions = {},
): Promise<JourneyState> {
  checkAwaitArguments(ref, opts);
  const workflowId = journeyWorkflowId(ref.provider, ref.journeyId);
  await describeJourney(client, workflowId); // not found → JourneyNotFoundError before waiting forever
  const handle = getJourneyHandle(client, ref);
  // Ends the result's long poll and the progress queries when waiting stops early: an abandoned long poll kept
  // polling until the journey ended, and crashed the process on its next retry once the connection was closed.
  const stopPolling = new AbortController();
  // The SDK adds a listener to this signal for every long poll of the result (one per ~20 s, none removed), all
  // released with the controller when waiting ends: a long wait is not a leak, so Node need not warn about it.
  setMaxListeners(Infinity, stopPolling.signal);
  const abandonQuery = new AbortController();
  const watcher = watchProgress(client, handle, opts, stopPolling.signal, abandonQuery.signal);
  const limit = waitingLimit(opts, workflowId);
  let ended = false;
  try {
    const result = client.withAbortSignal(stopPolling.signal, () =>
      opts.includeRedrives
        ? resultIncludingRedrives(
            client,
            workflowId,
            opts.redriveCheckIntervalMs ?? REDRIVE_CHECK_INTERVAL_MS,
            stopPolling.signal,
          )
        : handle.result(),
    );
    result.catch(() => {}); // a losing racer must not become an unhandled rejection
    const state = await Promise.race([result, limit.reached]);
    ended = true;
    return state;
  } catch (err) {
    if (err instanceof AwaitTimeoutError) throw err;
    if (err instanceof WorkflowNotFoundError) throw new JourneyNotFoundError(workflowId);
    if (err instanceof WorkflowFailedError) {
      ended = true;
      const f = failureOf(err);
      throw new JourneyWorkflowFailedError(workflowId, f.type, f.message);
    }
    return rethrowTemporalError(err);
  } finally {
    stopPolling.abort();
    limit.clear();
    // The journey ended: a query in flight is answered now, so let it finish rather than have the worker's answer
    // refused. Waiting stopped early (timeout, abort): drop it.
    const settle = setTimeout(() => abandonQuery.abort(), ended ? QUERY_SETTLE_MS : 0);
    await watcher;
    clearTimeout(settle);
  }
}
