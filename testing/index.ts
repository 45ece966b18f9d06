/**
 * `journey-await/testing`: time-skipping tests of a service's own code against scripted journeys.
 * Development only: built apart from the product (never in `lib/` or the worker image); needs `@temporalio/testing`.
 * API reference: docs/testing.md.
 */
export {
  createJourneyTestEnvironment,
  registerJourneySearchAttributes,
  type JourneyTestEnvironment,
  type JourneyTestEnvironmentOptions,
} from './environment';
export {
  createScriptedFetchState,
  type JourneyFetches,
  type ScriptedFetchState,
  type ScriptedFetchStateOptions,
} from './scripted-fetch-state';
export type { SendWebhookOptions, WebhookDelivery } from './webhooks';
export { ScriptError, type ScriptEntry, type SimStatus, type SimStep } from '../dev/simulator';
export {
  JOURNEY_POLLING_EXHAUSTED,
  JOURNEY_REJECTED_BY_PROVIDER,
  type AwaitJourneyInput,
  type JourneyProgress,
  type JourneyWebhook,
} from '../src/workflow-contract';
export { InvalidJourneyInputError } from '../src/journey-input';
export type { JourneyDecision, JourneyProvider, JourneyState, JourneyStatus } from '../src/journey';
