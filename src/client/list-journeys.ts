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
import { rethrowUnavailable } from './errors';
import type { ExecutionStatus } from './journey-status';

export interface ListJourneysOptions {
  provider?: JourneyProvider;
  /** The JourneyStatus search attribute (`failed` includes workflows that gave up or were rejected). */
  status?: JourneyStatusAttribute;
  /** The JourneyDecision search attribute. */
  decision?: JourneyDecision;
  /** Only running (or only closed) executions. */
  running?: boolean;
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

/** The visibility query for the filters (values are checked against the enums, so nothing is injected). */
function listQuery(opts: ListJourneysOptions): string {
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`];
  if (opts.provider) {
    if (!(PROVIDERS as readonly string[]).includes(opts.provider))
      throw new TypeError(`unknown provider ${JSON.stringify(opts.provider)}`);
    clauses.push(`${journeyProviderKey.name} = '${opts.provider}'`);
  }
  if (opts.status) {
    if (!(JOURNEY_STATUS_ATTRIBUTE_VALUES as readonly string[]).includes(opts.status))
      throw new TypeError(`unknown status ${JSON.stringify(opts.status)}`);
    clauses.push(`${journeyStatusKey.name} = '${opts.status}'`);
  }
  if (opts.decision) {
    if (!(DECISIONS as readonly string[]).includes(opts.decision))
      throw new TypeError(`unknown decision ${JSON.stringify(opts.decision)}`);
    clauses.push(`${journeyDecisionKey.name} = '${opts.decision}'`);
  }
  if (opts.running !== undefined)
    clauses.push(opts.running ? `ExecutionStatus = 'Running'` : `ExecutionStatus != 'Running'`);
  return clauses.join(' AND ');
}

/** Journeys by provider / status, newest first. */
export async function listJourneys(client: Client, opts: ListJourneysOptions = {}): Promise<JourneySummary[]> {
  const out: JourneySummary[] = [];
  const limit = opts.limit ?? 100;
  try {
    for await (const wf of client.workflow.list({ query: listQuery(opts), pageSize: Math.min(limit, 1000) })) {
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
    rethrowUnavailable(err);
  }
  return out;
}
