/**
 * The journey-age-aware part of the schedule (PollingSlowdown), pure like ./schedule: what the wait after a fetch
 * is, given how long the journey has been quiet. Without a slowdown every function here keeps the seeds' schedule.
 */
import type { JourneyState } from '../contract/journey-state';
import type { PollingPolicy } from '../contract/polling';
import { nextPollDelayMs } from './schedule';

/** The schedule's own state, carried whole across continue-as-new (so a continued run stays slow). */
export interface Pace {
  /** Epoch ms since which nothing has changed: the journey's start, its last change or its last new webhook. */
  quietSince: number;
  /** The wait after a successful fetch now: `baseIntervalMs` until the journey has been quiet for `afterMs`. */
  intervalMs: number;
}

/** A journey that has just started, or just changed, or was just woken by a new webhook. */
export function freshPace(now: number, policy: PollingPolicy): Pace {
  return { quietSince: now, intervalMs: policy.baseIntervalMs };
}

/** What counts as a change: the status, the provider's own status or the decision (the first fetch is not one). */
export function journeyChanged(
  before: Pick<JourneyState, 'status' | 'providerStatus' | 'decision'> | undefined,
  after: Pick<JourneyState, 'status' | 'providerStatus' | 'decision'>,
): boolean {
  if (before === undefined) return false;
  return (
    before.status !== after.status ||
    before.providerStatus !== after.providerStatus ||
    before.decision !== after.decision
  );
}

/**
 * After a successful fetch at `now`: a change resets the pace; a journey quiet for at least `afterMs` waits
 * `factor` times longer than last time (from `baseIntervalMs`, rounded up to whole ms, at most `maxIntervalMs`).
 * A failed fetch does not call this: failures neither grow nor reset the pace.
 */
export function paceAfterSuccess(pace: Pace, policy: PollingPolicy, now: number, changed: boolean): Pace {
  if (changed) return freshPace(now, policy);
  const slowdown = policy.slowdown;
  if (!slowdown || now - pace.quietSince < slowdown.afterMs) return { ...pace, intervalMs: policy.baseIntervalMs };
  const grown = Math.ceil(Math.max(pace.intervalMs, policy.baseIntervalMs) * slowdown.factor);
  return { ...pace, intervalMs: Math.min(slowdown.maxIntervalMs, grown) };
}

/**
 * The wait before the next poll: the pace's interval, plus `k × errorBackoffMs` after the k-th failure in a row
 * (on top of the slow interval, not instead of it), stretched (never shortened) by a provider's Retry-After.
 */
export function nextWaitMs(
  pace: Pace,
  consecutiveErrors: number,
  policy: PollingPolicy,
  retryAfterMs?: number,
): number {
  return nextPollDelayMs(consecutiveErrors, { ...policy, baseIntervalMs: pace.intervalMs }, retryAfterMs);
}

/** The longest wait the policy schedules itself (a provider's Retry-After, at most 10 min, may be longer). */
export function longestWaitMs(policy: PollingPolicy): number {
  const interval = policy.slowdown?.maxIntervalMs ?? policy.baseIntervalMs;
  return interval + Math.max(0, policy.maxConsecutiveErrors - 1) * policy.errorBackoffMs;
}

/** `10s`, `5m`, `2h 30m`: for summaries and details (whole seconds; no dependency, workflow code imports it). */
export function shortDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const parts: string[] = [];
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (rest && !h) parts.push(`${rest}s`);
  return parts.join(' ');
}
