/**
 * Re-opening journeys that gave up (after a provider outage): a new run of the same workflow id, with the journey's
 * own input and a fresh error budget, started with WorkflowIdReusePolicy ALLOW_DUPLICATE_FAILED_ONLY. The server
 * itself then refuses to start anything over a running or completed journey, and a journey re-opened once (its
 * latest run is no longer the failed one) is not re-opened again. docs/design.md says why this and not a reset.
 */
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { PROVIDERS, type JourneyProvider } from '../contract/vocabulary';
import { InvalidJourneyInputError } from '../contract/errors';
import { parseStrictIsoTimestamp } from '../contract/input';
import { JOURNEY_POLLING_EXHAUSTED, JOURNEY_REJECTED_BY_PROVIDER } from '../contract/errors';
import { parseJourneyWorkflowId } from '../contract/identifiers';
import type { AwaitJourneyInput } from '../contract/input';
import { journeyProviderKey, WORKFLOW_TYPE } from '../contract/workflow';
import type { awaitJourneyCompletion } from '../workflows';
import { checkOptionalBounded, checkTaskQueue } from './arguments';
import { rethrowTemporalError } from './errors';
import { journeyStartOptions } from './start-options';

/** The failures a journey can be re-opened from; JourneyRejectedByProvider only when asked for. */
export const REDRIVE_FAILURE_TYPES = [JOURNEY_POLLING_EXHAUSTED, JOURNEY_REJECTED_BY_PROVIDER] as const;
export type RedriveFailureType = (typeof REDRIVE_FAILURE_TYPES)[number];

export interface RedriveFilter {
  /** Which failures to re-open. Default: JourneyPollingExhausted only. */
  failures?: readonly RedriveFailureType[];
  provider?: JourneyProvider;
  /** Closed at or after this time (a Date, or ISO 8601 with an offset). */
  since?: Date | string;
  /** Closed at or before this time. */
  until?: Date | string;
  /** Re-open at most this many (1 to 10,000; default 100). Journeys already re-opened do not count. */
  limit?: number;
  /** Only report what would be re-opened. */
  dryRun?: boolean;
  /** Task queue of the new runs. Default: the failed run's own. */
  taskQueue?: string;
}

/**
 * `reopened`: a new run started (`would-reopen` in a dry run). `already-reopened`: the journey's latest run is no
 * longer the failed one (a redrive before this one started it, or it is running again); nothing was started.
 * `deadline-passed`: the journey's own deadline is over, so a new run could only expire; nothing was started.
 */
export type RedriveOutcome = 'reopened' | 'would-reopen' | 'already-reopened' | 'deadline-passed';

export interface RedrivenJourney {
  workflowId: string;
  provider?: string;
  journeyId?: string;
  failureType: RedriveFailureType;
  /** The failed run's id and close time. */
  failedRunId: string;
  closeTime: string;
  outcome: RedriveOutcome;
  /** The new run, when one was started. */
  runId?: string;
}

export interface RedriveReport {
  dryRun: boolean;
  /** Runs started (`would-reopen` rows in a dry run). */
  reopened: number;
  journeys: RedrivenJourney[];
}

const FILTER_FIELDS: readonly string[] = [
  'failures',
  'provider',
  'since',
  'until',
  'limit',
  'dryRun',
  'taskQueue',
] satisfies (keyof RedriveFilter)[];

/** How many journeys are looked at together: a few RPCs each, kept gentle on the frontend. */
const CONCURRENCY = 8;

function checkTime(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : parseStrictIsoTimestamp(value);
  if (ms === undefined || !Number.isFinite(ms))
    throw new InvalidJourneyInputError(field, 'must be a Date or an ISO 8601 timestamp with an offset');
  return ms;
}

export interface CheckedFilter {
  failures: readonly RedriveFailureType[];
  provider?: JourneyProvider;
  sinceMs?: number;
  untilMs?: number;
  limit: number;
  dryRun: boolean;
  taskQueue?: string;
}

/**
 * The whole filter, checked before anything is sent: an InvalidJourneyInputError naming the field otherwise.
 * `redriveJourneys` calls it first; the CLI calls it before it even connects.
 */
export function checkRedriveFilter(filter: unknown): CheckedFilter {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter))
    throw new InvalidJourneyInputError('filter', 'must be an object');
  const f = filter as Record<string, unknown>;
  for (const key of Object.keys(f)) {
    if (!FILTER_FIELDS.includes(key)) throw new InvalidJourneyInputError(key, 'is not a redrive filter field');
  }
  const failures = f.failures ?? [JOURNEY_POLLING_EXHAUSTED];
  if (
    !Array.isArray(failures) ||
    failures.length === 0 ||
    !failures.every((t) => (REDRIVE_FAILURE_TYPES as readonly unknown[]).includes(t))
  )
    throw new InvalidJourneyInputError('failures', `must list one or more of ${REDRIVE_FAILURE_TYPES.join(', ')}`);
  if (f.provider !== undefined && !(PROVIDERS as readonly unknown[]).includes(f.provider))
    throw new InvalidJourneyInputError('provider', `must be one of ${PROVIDERS.join(', ')}`);
  const sinceMs = checkTime(f.since, 'since');
  const untilMs = checkTime(f.until, 'until');
  if (sinceMs !== undefined && untilMs !== undefined && sinceMs > untilMs)
    throw new InvalidJourneyInputError('until', 'must not be before since');
  checkOptionalBounded(f.limit, 'limit');
  if (f.dryRun !== undefined && typeof f.dryRun !== 'boolean')
    throw new InvalidJourneyInputError('dryRun', 'must be true or false');
  if (f.taskQueue !== undefined) checkTaskQueue(f.taskQueue);
  return {
    failures: failures as RedriveFailureType[],
    ...(f.provider !== undefined ? { provider: f.provider as JourneyProvider } : {}),
    ...(sinceMs !== undefined ? { sinceMs } : {}),
    ...(untilMs !== undefined ? { untilMs } : {}),
    limit: (f.limit as number | undefined) ?? 100,
    dryRun: (f.dryRun as boolean | undefined) ?? false,
    ...(f.taskQueue !== undefined ? { taskQueue: f.taskQueue as string } : {}),
  };
}

/** Failed journeys closed in the window, newest first (values are checked above, so nothing is injected). */
function failedQuery(f: CheckedFilter): string {
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`, `ExecutionStatus = 'Failed'`];
  if (f.provider) clauses.push(`${journeyProviderKey.name} = '${f.provider}'`);
  if (f.sinceMs !== undefined) clauses.push(`CloseTime >= '${new Date(f.sinceMs).toISOString()}'`);
  if (f.untilMs !== undefined) clauses.push(`CloseTime <= '${new Date(f.untilMs).toISOString()}'`);
  return clauses.join(' AND ');
}

/** The public input the journey was started with: a continued run's carried state is left behind (fresh budget). */
function publicInput(input: AwaitJourneyInput): AwaitJourneyInput {
  return {
    provider: input.provider,
    journeyId: input.journeyId,
    ...(input.environment !== undefined ? { environment: input.environment } : {}),
    ...(input.polling !== undefined ? { polling: input.polling } : {}),
    ...(input.deadline !== undefined ? { deadline: input.deadline } : {}),
  };
}

const { HistoryEventFilterType } = temporal.api.enums.v1;

/** One event of the run: its first (the start, with the input) or its close event (with the failure). */
async function runEvent(
  client: Client,
  wf: WorkflowExecutionInfo,
  which: 'start' | 'close',
): Promise<temporal.api.history.v1.IHistoryEvent | undefined> {
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: wf.workflowId, runId: wf.runId },
    maximumPageSize: 1,
    ...(which === 'close'
      ? { historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT }
      : {}),
  });
  return history?.events?.[0] ?? undefined;
}

/** The row for one failed run, or undefined when its failure is not one the filter re-opens. */
async function redriveOne(
  client: Client,
  wf: WorkflowExecutionInfo,
  f: CheckedFilter,
): Promise<RedrivenJourney | undefined> {
  const close = await runEvent(client, wf, 'close');
  const failureType = close?.workflowExecutionFailedEventAttributes?.failure?.applicationFailureInfo?.type;
  if (!f.failures.includes(failureType as RedriveFailureType)) return undefined;
  const parts = parseJourneyWorkflowId(wf.workflowId);
  const row = (outcome: RedriveOutcome, runId?: string): RedrivenJourney => ({
    workflowId: wf.workflowId,
    ...(parts ? { provider: parts.provider, journeyId: parts.journeyId } : {}),
    failureType: failureType as RedriveFailureType,
    failedRunId: wf.runId,
    closeTime: wf.closeTime!.toISOString(),
    outcome,
    ...(runId ? { runId } : {}),
  });
  // Only the journey's latest run is re-opened: an older failed run of a journey that has moved on is left alone.
  const latest = await client.workflow.getHandle(wf.workflowId).describe();
  if (latest.runId !== wf.runId) return row('already-reopened');
  const start = await runEvent(client, wf, 'start');
  const payloads = start?.workflowExecutionStartedEventAttributes?.input?.payloads;
  const input = publicInput(
    await decodeFromPayloadsAtIndex<AwaitJourneyInput>(client.options.loadedDataConverter, 0, payloads),
  );
  let options;
  try {
    options = journeyStartOptions(input, f.taskQueue ?? wf.taskQueue);
  } catch (err) {
    if (err instanceof InvalidJourneyInputError && err.field === 'deadline') return row('deadline-passed');
    throw err;
  }
  if (f.dryRun) return row('would-reopen');
  try {
    const handle = await client.workflow.start<typeof awaitJourneyCompletion>(WORKFLOW_TYPE, {
      ...options,
      // The server's own guard: a start only over a failed run, never over a running or completed one.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      workflowIdConflictPolicy: 'FAIL',
    });
    return row('reopened', handle.firstExecutionRunId);
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return row('already-reopened');
    throw err;
  }
}

/**
 * Re-opens the journeys that ended with one of `filter.failures` (JourneyPollingExhausted by default) and closed in
 * the window: each gets a new run of the same workflow id, with its own input (policy, deadline, environment) and a
 * fresh error budget. Idempotent: a journey already re-opened, running or completed is never started again.
 * Bad filters throw InvalidJourneyInputError before anything is sent to Temporal.
 */
export async function redriveJourneys(client: Client, filter: RedriveFilter = {}): Promise<RedriveReport> {
  const f = checkRedriveFilter(filter);
  const journeys: RedrivenJourney[] = [];
  const seen = new Set<string>();
  let reopened = 0;
  try {
    let batch: WorkflowExecutionInfo[] = [];
    const flush = async () => {
      const rows = await Promise.all(batch.map((wf) => redriveOne(client, wf, f)));
      batch = [];
      for (const row of rows) {
        if (!row) continue;
        if (row.outcome === 'reopened' || row.outcome === 'would-reopen') reopened++;
        journeys.push(row);
      }
    };
    for await (const wf of client.workflow.list({ query: failedQuery(f), pageSize: 100 })) {
      if (seen.has(wf.workflowId) || !wf.closeTime) continue; // newest first: its latest failed run
      seen.add(wf.workflowId);
      batch.push(wf);
      // Never more in flight than the limit has room for: each row re-opens at most one journey.
      if (batch.length >= Math.min(CONCURRENCY, f.limit - reopened)) await flush();
      if (reopened >= f.limit) break;
    }
    if (reopened < f.limit) await flush();
  } catch (err) {
    if (err instanceof InvalidJourneyInputError) throw err;
    rethrowTemporalError(err);
  }
  return { dryRun: f.dryRun, reopened, journeys };
}
