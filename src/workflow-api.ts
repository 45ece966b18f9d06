/**
 * `journey-await/workflow`: what a service's own workflow code needs to run `awaitJourneyCompletion` as a child
 * workflow, signal it or read how it failed, with no client or Node imports, so it bundles into Temporal's workflow
 * sandbox. Services' other code uses `journey-await` (the client library).
 */
import type { JourneyState } from './journey';
import type { AwaitJourneyInput } from './workflow-contract';

export {
  DEFAULT_TASK_QUEUE,
  JOURNEY_POLLING_EXHAUSTED,
  JOURNEY_REJECTED_BY_PROVIDER,
  journeyProgressQuery,
  journeyWebhookSignal,
  journeyWorkflowId,
  POLLING_PRESETS,
  RECOMMENDED_SLOWDOWN,
  WORKFLOW_TYPE,
  type AwaitJourneyInput,
  type PollingSlowdown,
  type JourneyProgress,
  type JourneyWebhook,
} from './workflow-contract';
export { INVALID_JOURNEY_INPUT } from './journey-input';
export type { JourneyDecision, JourneyProvider, JourneyState, JourneyStatus } from './journey';

/** The workflow's signature: `executeChild<AwaitJourneyCompletion>(WORKFLOW_TYPE, { workflowId, args: [input] })`. */
export type AwaitJourneyCompletion = (input: AwaitJourneyInput) => Promise<JourneyState>;
