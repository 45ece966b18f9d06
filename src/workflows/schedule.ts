/**
 * The polling contract as pure functions: no Temporal APIs, so it is unit-tested directly and safe to import
 * from workflow code.
 */
import { DEFAULT_POLLING, type PollingInput, type PollingPolicy } from '../contract/polling';

/**
 * Fills in the defaults of a partial policy (docs/design.md: 10 s base, +5 s per consecutive error, 30 errors),
 * keeping the slowdown when there is one (validated input has all of its settings); without one there is none.
 */
export function resolvePolicy(partial?: PollingInput): PollingPolicy {
  const policy: PollingPolicy = {
    baseIntervalMs: partial?.baseIntervalMs ?? DEFAULT_POLLING.baseIntervalMs,
    errorBackoffMs: partial?.errorBackoffMs ?? DEFAULT_POLLING.errorBackoffMs,
    maxConsecutiveErrors: partial?.maxConsecutiveErrors ?? DEFAULT_POLLING.maxConsecutiveErrors,
  };
  return partial?.slowdown ? { ...policy, slowdown: { ...partial.slowdown } } : policy;
}

/**
 * Delay before the next poll: `baseIntervalMs` after a successful fetch, `baseIntervalMs + k × errorBackoffMs`
 * after the k-th consecutive failure. A provider's Retry-After (`retryAfterMs`) stretches it, never shortens it.
 */
export function nextPollDelayMs(consecutiveErrors: number, policy: PollingPolicy, retryAfterMs?: number): number {
  const scheduled = policy.baseIntervalMs + Math.max(0, consecutiveErrors) * policy.errorBackoffMs;
  return retryAfterMs !== undefined && retryAfterMs > scheduled ? retryAfterMs : scheduled;
}

/** True once the failure count reaches the policy's cap: the workflow gives up instead of waiting again. */
export function isExhausted(consecutiveErrors: number, policy: PollingPolicy): boolean {
  return consecutiveErrors >= policy.maxConsecutiveErrors;
}

/**
 * Total time from the first of `maxConsecutiveErrors` consecutive failures to the last: the sum of the waits
 * after failures 1 … max-1. With the defaults: 29 × 10 s + 5 s × (1 + … + 29) = 2,465 s ≈ 41 min.
 */
export function timeToExhaustionMs(policy: PollingPolicy): number {
  let total = 0;
  for (let k = 1; k < policy.maxConsecutiveErrors; k++) total += nextPollDelayMs(k, policy);
  return total;
}
