/** Journeys by the JourneyProvider / JourneyStatus / JourneyDecision search attributes (Temporal visibility). */
import type { Client } from '@temporalio/client';
import {
  DECISIONS,
  JOURNEY_STATUS_ATTRIBUTE_VALUES,
  PROVIDERS,
  type JourneyDecision,
  type JourneyProvider,
} from '../journey';
import {
  journeyDecisionKey,
  journeyProviderKey,
  journeyStatusKey,
  parseJourneyWorkflowId,
  WORKFLOW_TYPE,
  type JourneyStatusAttribute,
} from '../workflow-contract';
import { InvalidJourneyInputError } from '../journey-input';
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
}

/** The filter's value when it is one of `allowed`; an InvalidJourneyInputError naming the filter otherwise. */
function filterValue(value: unknown, field: string, allowed: readonly string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value))
    throw new InvalidJourneyInputError(field, `must be one of ${allowed.join(', ')}`);
  return value;
}

/** The visibility query for the filters (values are checked against the enums, so nothing is injected). */
function listQuery(opts: ListJourneysOptions): string {
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`];
  const provider = filterValue(opts.provider, 'provider', PROVIDERS);
  if (provider) clauses.push(`${journeyProviderKey.name} = '${provider}'`);
  const status = filterValue(opts.status, 'status', JOURNEY_STATUS_ATTRIBUTE_VALUES);
  if (status) clauses.push(`${journeyStatusKey.name} = '${status}'`);
  const decision = filterValue(opts.decision, 'decision', DECISIONS);
  if (decision) clauses.push(`${journeyDecisionKey.name} = '${decision}'`);
  if (opts.running !== undefined && typeof opts.running !== 'boolean')
    throw new InvalidJourneyInputError('running', 'must be true or false');
  if (opts.running !== undefined)
    clauses.push(opts.running ? `ExecutionStatus = 'Running'` : `ExecutionStatus != 'Running'`);
  return clauses.join(' AND ');
}

/** Journeys by provider / status, newest first. */
export async function listJourneys(client: Client, opts: ListJourneysOptions = {}): Promise<JourneySummary[]> {
  checkOptionalBounded(opts.limit, 'limit');
  const query = listQuery(opts);
  const out: JourneySummary[] = [];
  const limit = opts.limit ?? 100;
  try {
    for await (const wf of client.workflow.list({ query, pageSize: Math.min(limit, 1000) })) {
      const parts = parseJourneyWorkflowId(wf.workflowId);
      const journeyStatus = wf.typedSearchAttributes.get(journeyStatusKey);
      const journeyDecision = wf.typedSearchAttributes.get(journeyDecisionKey);
      const provider = wf.typedSearchAttributes.get(journeyProviderKey) ?? parts?.provider;
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
      });
      if (out.length >= limit) break;
    }
  } catch (err) {
    rethrowTemporalError(err);
  }
  return out;
}
