/**
 * The client library services use to start and follow journeys (`journey-await/client`):
 *
 *   connectClient          a Temporal Client from envconfig, with the payload codec when keys are configured
 *   startJourneyAwait      idempotent start (a running journey is joined, a finished one is not started again)
 *   setJourneyDefaults     a polling policy (POLLING_PRESETS.webhooks) and a lifetime for every start, set once
 *   getJourneyHandle       the journey's workflow handle (result, describe, history)
 *   signalJourneyWebhook   the webhook signal with start semantics (what the webhook receiver does)
 *   getJourneyStatus       execution status + the workflow's journeyProgress query, as a JourneyStatusReport
 *   awaitJourneyResult     the final JourneyState, with optional live progress while waiting
 *   listJourneys           by the JourneyProvider / JourneyStatus search attributes; stale ones (`staleFor`)
 *   redriveJourneys        re-open the journeys that gave up (after a provider outage), idempotently
 *
 * Bad arguments throw InvalidJourneyInputError (its `field` names which) before any call to Temporal.
 */
export * from './connection';
export {
  AwaitTimeoutError,
  isTemporalUnavailable,
  JourneyNotFoundError,
  JourneyWorkflowFailedError,
  TemporalAccessDeniedError,
  TemporalUnavailableError,
} from './errors';
export { INVALID_JOURNEY_INPUT, InvalidJourneyInputError } from '../contract/errors';
/** What connectClient throws for a malformed setting (TEMPORAL_*, JOURNEY_ENCRYPTION_*), naming each variable. */
export { ConfigError } from '../config';
export { getJourneyHandle, type JourneyHandle, type JourneyRef } from './handle';
export * from './journey-status';
export * from './list-journeys';
export * from './redrive-journeys';
export * from './start-journey';
export { LIFETIME_BOUNDS, setJourneyDefaults, type JourneyDefaults } from './journey-defaults';
export { journeyStartOptions } from './start-options';
export type { AwaitJourneyInput } from '../contract/input';
export type { PollingInput, PollingPolicy, PollingPresetName, PollingSlowdown } from '../contract/polling';
export type { JourneyProgress, JourneyWebhook } from '../contract/workflow';
export { DEFAULT_POLLING, POLLING_PRESETS, RECOMMENDED_SLOWDOWN } from '../contract/polling';
export type { JourneyState } from '../contract/journey-state';
export type { JourneyDecision, JourneyProvider, JourneyStatus } from '../contract/vocabulary';
