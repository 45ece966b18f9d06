/**
 * Starting `awaitJourneyCompletion` the way operators and services expect: one execution per journey
 * (idempotent start), a readable summary in the Web UI, and the JourneyProvider/JourneyStatus search attributes.
 * Nothing here may carry PII: summaries and search attributes are stored unencrypted.
 */
import type { WorkflowStartOptions } from '@temporalio/client';
import { validateJourneyInput } from '../contract/input';
import { checkTaskQueue } from './arguments';
import { resolvePolicy } from '../workflows/schedule';
import { shortDuration } from '../workflows/slowdown';
import type { awaitJourneyCompletion } from '../workflows';
import { journeyWorkflowId, shortJourneyId } from '../contract/identifiers';
import type { AwaitJourneyInput } from '../contract/input';
import { DEFAULT_TASK_QUEUE, journeyDecisionKey, journeyProviderKey, journeyStatusKey } from '../contract/workflow';

/** `gbg-go-v2 journey Pq_hh…` (the Web UI's summary line; the limit is 200 bytes). */
function journeyStaticSummary(input: Pick<AwaitJourneyInput, 'provider' | 'journeyId'>): string {
  return `${input.provider} journey ${shortJourneyId(input.journeyId)}`;
}

function journeyStaticDetails(input: AwaitJourneyInput): string {
  const p = resolvePolicy(input.polling);
  const slow = p.slowdown
    ? `; quiet for ${shortDuration(p.slowdown.afterMs)}, ×${p.slowdown.factor} per poll up to every ${shortDuration(p.slowdown.maxIntervalMs)}`
    : '';
  return [
    `**${input.provider}** journey \`${shortJourneyId(input.journeyId)}\`${input.environment ? ` (${input.environment})` : ''}`,
    `polls every ${p.baseIntervalMs / 1000}s${slow}, +${p.errorBackoffMs / 1000}s per failed fetch, gives up after ${p.maxConsecutiveErrors} in a row`,
    input.deadline ? `expires at ${input.deadline}` : 'no deadline',
  ].join('\n\n');
}

/**
 * Start options: a second start of a running journey returns the existing execution (USE_EXISTING), and a
 * finished journey is never started again (REJECT_DUPLICATE), e.g. by a late webhook's signal-with-start.
 * Every start goes through here, so the input contract is checked (InvalidJourneyInputError) before any RPC.
 */
export function journeyStartOptions(
  input: AwaitJourneyInput,
  taskQueue: string = DEFAULT_TASK_QUEUE,
  now: number = Date.now(),
): WorkflowStartOptions<typeof awaitJourneyCompletion> {
  validateJourneyInput(input, { now });
  checkTaskQueue(taskQueue);
  return {
    taskQueue,
    workflowId: journeyWorkflowId(input.provider, input.journeyId),
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    staticSummary: journeyStaticSummary(input),
    staticDetails: journeyStaticDetails(input),
    typedSearchAttributes: [
      { key: journeyProviderKey, value: input.provider },
      { key: journeyStatusKey, value: 'in_progress' },
      { key: journeyDecisionKey, value: 'undecided' },
    ],
  };
}
