/**
 * Journeys by the JourneyProvider / JourneyStatus / JourneyDecision search attributes, and stale ones by the stale
 * marker (JourneyStaleSince): all from Temporal visibility, with no query to any workflow.
 */
import type { Client } from '@temporalio/client';
import {
  DECISIONS,
  JOURNEY_STATUS_ATTRIBUTE_VALUES,
  PROVIDERS,
  type JourneyDecision,
  type JourneyProvider,
} from '../contract/vocabulary';
import { parseJourneyWorkflowId } from '../contract/identifiers';
import type { JourneyStatusAttribute } from '../contract/vocabulary';
import {
  journeyDecisionKey,
  journeyFetchErrorsKey,
  journeyLastErrorKey,
  journeyProviderKey,
  journeyStaleSinceKey,
  journeyStatusKey,
  WORKFLOW_TYPE,
} from '../contract/workflow';
import { InvalidJourneyInputError } from '../contract/errors';
import { checkOptionalBounded } from './arguments';
import { rethrowTemporalError } from './errors';
import type { ExecutionStatus } from './journey-status';

export interface ListJourneysOptions {
  provider?: JourneyProvider;
  /** The JourneyStatus search attribute (`failed` includes workflows that gave up or were rejected). */
  status?: JourneyStatusAttribute;
  /** The JourneyDecision search attribute. */
  decision?: JourneyDecision;
  /** Only running (or only closed) executions. */
  running?: boolean;
  /** At most this many (1 to 10,000; default 100). */
  limit?: number;
  /**
   * Only running journeys whose fetches have been failing and whose last successful fetch (or start, when none
   * succeeded) is older than this many ms (1 s to 366 days). A journey whose fetches succeed is never stale.
   */
  staleFor?: number;
}

export interface JourneySummary {
  workflowId: string;
  runId: string;
  provider?: string;
  journeyId?: string;
  journeyStatus?: string;
  journeyDecision?: string;
  executionStatus: ExecutionStatus;
  startTime: string;
  closeTime?: string;
  /** While fetches fail: when the last successful fetch was (or the journey started, when none succeeded). */
  staleSince?: string;
  /** While fetches fail: how many in a row. */
  fetchErrors?: number;
  /** While fetches fail: the last failure's type and HTTP status, e.g. `FetchFailed HTTP 503`. */
  lastError?: string;
}

/** The filter's value when it is one of `allowed`; an InvalidJourneyInputError naming the filter otherwise. */
function filterValue(value: unknown, field: string, allowed: readonly string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value))
    throw new InvalidJourneyInputError(field, `must be one of ${allowed.join(', ')}`);
  return value;
}

/** The visibility query for the filters (values are checked against the enums, so nothing is injected). */
function listQuery(opts: ListJourneysOptions, now: number): string {
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`];
  const provider = filterValue(opts.provider, 'provider', PROVIDERS);
  if (provider) clauses.push(`${journeyProviderKey.name} = '${provider}'`);
  const status = filterValue(opts.status, 'status', JOURNEY_STATUS_ATTRIBUTE_VALUES);
  if (status) clauses.push(`${journeyStatusKey.name} = '${status}'`);
  const decision = filterValue(opts.decision, 'decision', DECISIONS);
  if (decision) clauses.push(`${journeyDecisionKey.name} = '${decision}'`);
  if (opts.running !== undefined && typeof opts.running !== 'boolean')
    throw new InvalidJourneyInputError('running', 'must be true or false');
  if (opts.staleFor !== undefined && opts.running === false)
    throw new InvalidJourneyInputError('staleFor', 'lists running journeys only (leave out running: false)');
  if (opts.running !== undefined || opts.staleFor !== undefined)
    clauses.push(opts.running !== false ? `ExecutionStatus = 'Running'` : `ExecutionStatus != 'Running'`);
  if (opts.staleFor !== undefined)
    clauses.push(`${journeyStaleSinceKey.name} < '${new Date(now - opts.staleFor).toISOString()}'`);
  return clauses.join(' AND ');
}

/** Journeys by provider / status, newest first; stale ones (`staleFor`) with their last error and its count. */
export async function listJourneys(client: Client, opts: ListJourneysOptions = {}): Promise<JourneySummary[]> {
  checkOptionalBounded(opts.limit, 'limit');
  checkOptionalBounded(opts.staleFor, 'staleForMs', 'staleFor');
  const query = listQuery(opts, Date.now());
  const out: JourneySummary[] = [];
  const limit = opts.limit ?? 100;
  try {
    for await (const wf of client.workflow.list({ query, pageSize: Math.min(limit, 1000) })) {
      const parts = parseJourneyWorkflowId(wf.workflowId);
      const journeyStatus = wf.typedSearchAttributes.get(journeyStatusKey);
      const journeyDecision = wf.typedSearchAttributes.get(journeyDecisionKey);
      const provider = wf.typedSearchAttributes.get(journeyProviderKey) ?? parts?.provider;
      const staleSince = wf.typedSearchAttributes.get(journeyStaleSinceKey);
      const fetchErrors = wf.typedSearchAttributes.get(journeyFetchErrorsKey);
      const lastError = wf.typedSearchAttributes.get(journeyLastErrorKey);
      out.push({
        workflowId: wf.workflowId,
        runId: wf.runId,
        ...(provider ? { provider } : {}),
        ...(parts ? { journeyId: parts.journeyId } : {}),
        ...(journeyStatus ? { journeyStatus } : {}),
        ...(journeyDecision ? { journeyDecision } : {}),
        executionStatus: wf.status.name,
        startTime: wf.startTime.toISOString(),
        ...(wf.closeTime ? { closeTime: wf.closeTime.toISOString() } : {}),
        ...(staleSince ? { staleSince: staleSince.toISOString() } : {}),
        ...(fetchErrors !== undefined ? { fetchErrors } : {}),
        ...(lastError ? { lastError } : {}),
      });
      if (out.length >= limit) break;
    }
  } catch (err) {
    rethrowTemporalError(err);
  }
  return out;
}
