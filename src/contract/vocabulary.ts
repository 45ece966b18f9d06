/**
 * The words of the contract: providers, journey statuses, decisions and sources. Plain constants and the types
 * derived from them, free of dependencies, so workflow code, the client and the adapters share one spelling.
 */

/** Every provider journey-await can follow (docs/providers.md: adding one starts here). */
export const PROVIDERS = ['gbg-go-v2', 'gbg-go-v1', 'idnow'] as const;
export type JourneyProvider = (typeof PROVIDERS)[number];

export function isJourneyProvider(value: unknown): value is JourneyProvider {
  return typeof value === 'string' && (PROVIDERS as readonly string[]).includes(value);
}

export const JOURNEY_STATUSES = ['in_progress', 'completed', 'failed', 'expired', 'aborted'] as const;
export type JourneyStatus = (typeof JOURNEY_STATUSES)[number];

/** Every status but `in_progress` ends the journey. */
export function isTerminal(status: JourneyStatus): boolean {
  return status !== 'in_progress';
}

/** What produced a journey's state: a scheduled poll, a poll woken by a webhook, or the deadline. */
export const JOURNEY_SOURCES = ['poll', 'webhook', 'deadline'] as const;
export type JourneySource = (typeof JOURNEY_SOURCES)[number];

export const DECISIONS = ['accepted', 'rejected', 'undecided'] as const;
export type JourneyDecision = (typeof DECISIONS)[number];

/** What the JourneyStatus search attribute can hold: a journey status, or `cancelled`. */
export const JOURNEY_STATUS_ATTRIBUTE_VALUES = [...JOURNEY_STATUSES, 'cancelled'] as const;

/**
 * Values of the JourneyStatus search attribute: the journey's own status while the workflow follows it; `failed`
 * also when the workflow gives up (JourneyPollingExhausted), the provider rejects the request
 * (JourneyRejectedByProvider) or the input is invalid; `cancelled` when the workflow is cancelled.
 */
export type JourneyStatusAttribute = (typeof JOURNEY_STATUS_ATTRIBUTE_VALUES)[number];
