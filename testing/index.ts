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
export { JOURNEY_POLLING_EXHAUSTED, JOURNEY_REJECTED_BY_PROVIDER } from '../src/contract/errors';
export type { AwaitJourneyInput } from '../src/contract/input';
export type { JourneyProgress, JourneyWebhook } from '../src/contract/workflow';
export { InvalidJourneyInputError } from '../src/contract/errors';
export type { JourneyState } from '../src/contract/journey-state';
export type { JourneyDecision, JourneyProvider, JourneyStatus } from '../src/contract/vocabulary';
