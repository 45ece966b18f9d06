/**
 * `journey-await/workflow`: what a service's own workflow code needs to run `awaitJourneyCompletion` as a child
 * workflow, signal it or read how it failed, with no client or Node imports, so it bundles into Temporal's workflow
 * sandbox. Services' other code uses `journey-await` (the client library).
 */
import type { JourneyState } from './contract/journey-state';
import type { AwaitJourneyInput } from './contract/input';

export { JOURNEY_POLLING_EXHAUSTED, JOURNEY_REJECTED_BY_PROVIDER } from './contract/errors';
export { journeyWorkflowId } from './contract/identifiers';
export type { AwaitJourneyInput } from './contract/input';
export { POLLING_PRESETS, RECOMMENDED_SLOWDOWN, type PollingSlowdown } from './contract/polling';
export {
  DEFAULT_TASK_QUEUE,
  journeyProgressQuery,
  journeyWebhookSignal,
  WORKFLOW_TYPE,
  type JourneyProgress,
  type JourneyWebhook,
} from './contract/workflow';
export { INVALID_JOURNEY_INPUT } from './contract/errors';
export type { JourneyState } from './contract/journey-state';
export type { JourneyDecision, JourneyProvider, JourneyStatus } from './contract/vocabulary';

/** The workflow's signature: `executeChild<AwaitJourneyCompletion>(WORKFLOW_TYPE, { workflowId, args: [input] })`. */
export type AwaitJourneyCompletion = (input: AwaitJourneyInput) => Promise<JourneyState>;
