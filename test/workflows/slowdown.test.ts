import { describe, expect, it } from 'vitest';
import { InvalidJourneyInputError } from '../../src/contract/errors';
import { validateJourneyInput } from '../../src/contract/input';
import { DEFAULT_POLLING, POLLING_PRESETS, RECOMMENDED_SLOWDOWN, type PollingInput } from '../../src/contract/polling';
import { nextPollDelayMs, resolvePolicy } from '../../src/workflows/schedule';
import {
  freshPace,
  journeyChanged,
  longestWaitMs,
  nextWaitMs,
  paceAfterSuccess,
  shortDuration,
  type Pace,
} from '../../src/workflows/slowdown';

const HOUR = 3_600_000;

/** The waits of a journey that stays unchanged for `forMs`, every fetch successful, from t = 0. */
function quietWaits(polling: PollingInput, forMs: number): { at: number; waitMs: number }[] {
  const policy = resolvePolicy(polling);
  let pace: Pace = freshPace(0, policy);
  const waits: { at: number; waitMs: number }[] = [];
  for (let at = 0; at < forMs;) {
    pace = paceAfterSuccess(pace, policy, at, false);
    const waitMs = nextWaitMs(pace, 0, policy);
    waits.push({ at, waitMs });
    at += waitMs;
  }
  return waits;
}

function inputWith(polling: unknown): unknown {
  return { provider: 'gbg-go-v2', journeyId: 'slowdown-journey-0001', polling };
}

function fieldOf(polling: unknown): string | undefined {
  try {
    validateJourneyInput(inputWith(polling));
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidJourneyInputError);
    return (err as InvalidJourneyInputError).field;
  }
}

describe('polling slowdown (pure)', () => {
  it('without a slowdown keeps the default schedule exactly, whatever happens', () => {
    const policy = resolvePolicy();
    expect(policy).toEqual(DEFAULT_POLLING);
    let pace = freshPace(0, policy);
    for (let at = 0; at < 24 * HOUR; at += 10_000) pace = paceAfterSuccess(pace, policy, at, false);
    for (const k of [0, 1, 7, 29]) expect(nextWaitMs(pace, k, policy)).toBe(nextPollDelayMs(k, policy));
    expect(quietWaits({}, 24 * HOUR)).toHaveLength(8_640);
  });

  it('the recommended preset: 10 s for the first 15 minutes, then doubling to 5 min', () => {
    const waits = quietWaits(POLLING_PRESETS.webhooks, 24 * HOUR);
    const first15 = waits.filter((w) => w.at < 900_000);
    expect(first15).toEqual(quietWaits({}, 900_000));
    expect(first15.every((w) => w.waitMs === 10_000)).toBe(true);
    expect(waits.slice(90, 96).map((w) => [w.at / 1000, w.waitMs / 1000])).toEqual([
      [900, 20],
      [920, 40],
      [960, 80],
      [1_040, 160],
      [1_200, 300],
      [1_500, 300],
    ]);
    // 90 polls in the first 15 min, 5 while doubling, then one every 5 min: at most 1/20 of the default's 8,640.
    expect(waits).toHaveLength(378);
    expect(waits.length).toBeLessThanOrEqual(8_640 / 20);
    expect(longestWaitMs(resolvePolicy(POLLING_PRESETS.webhooks))).toBe(300_000 + 29 * 5_000);
  });

  it('a change resets the wait to base and restarts the quiet clock; a failure neither grows nor resets it', () => {
    const policy = resolvePolicy(POLLING_PRESETS.webhooks);
    const slow: Pace = { quietSince: 0, intervalMs: 300_000 };
    const changed = paceAfterSuccess(slow, policy, 20 * HOUR, true);
    expect(changed).toEqual({ quietSince: 20 * HOUR, intervalMs: 10_000 });
    // Quiet again, but for less than afterMs: still base.
    expect(paceAfterSuccess(changed, policy, 20 * HOUR + 890_000, false).intervalMs).toBe(10_000);
    expect(paceAfterSuccess(changed, policy, 20 * HOUR + 900_000, false).intervalMs).toBe(20_000);
    // Errors at hour 20 back off on top of the slow interval.
    expect([1, 2, 29].map((k) => nextWaitMs(slow, k, policy))).toEqual([305_000, 310_000, 445_000]);
    // Retry-After only stretches.
    expect(nextWaitMs(slow, 1, policy, 60_000)).toBe(305_000);
    expect(nextWaitMs(slow, 1, policy, 600_000)).toBe(600_000);
  });

  it('a change is a status, provider status or decision that differs from the last fetch', () => {
    const before = { status: 'in_progress', providerStatus: 'InProgress', decision: 'undecided' } as const;
    expect(journeyChanged(undefined, before)).toBe(false);
    expect(journeyChanged(before, { ...before })).toBe(false);
    expect(journeyChanged(before, { ...before, providerStatus: 'Paused' })).toBe(true);
    expect(journeyChanged(before, { ...before, decision: 'rejected' })).toBe(true);
    expect(journeyChanged(before, { ...before, status: 'completed' })).toBe(true);
  });

  it('a factor that is not whole still grows the wait, in whole milliseconds', () => {
    const policy = resolvePolicy({
      baseIntervalMs: 1_000,
      slowdown: { afterMs: 0, factor: 1.0001, maxIntervalMs: 2_000 },
    });
    const next = paceAfterSuccess(freshPace(0, policy), policy, 0, false);
    expect(next.intervalMs).toBe(1_001);
  });

  it('is checked with the input: each setting required and bounded, the field named', () => {
    const ok = RECOMMENDED_SLOWDOWN;
    expect(fieldOf({ slowdown: ok })).toBeUndefined();
    expect(fieldOf({ slowdown: { ...ok, afterMs: 0 } })).toBeUndefined();
    expect(fieldOf({ slowdown: 'fast' })).toBe('polling.slowdown');
    expect(fieldOf({ slowdown: [] })).toBe('polling.slowdown');
    expect(fieldOf({ slowdown: { afterMs: 1, factor: 2 } })).toBe('polling.slowdown.maxIntervalMs');
    expect(fieldOf({ slowdown: { ...ok, every: 1 } })).toBe('polling.slowdown.every');
    expect(fieldOf({ slowdown: { ...ok, afterMs: -1 } })).toBe('polling.slowdown.afterMs');
    expect(fieldOf({ slowdown: { ...ok, afterMs: 32 * 86_400_000 } })).toBe('polling.slowdown.afterMs');
    expect(fieldOf({ slowdown: { ...ok, factor: 1 } })).toBe('polling.slowdown.factor');
    expect(fieldOf({ slowdown: { ...ok, factor: Number.NaN } })).toBe('polling.slowdown.factor');
    expect(fieldOf({ slowdown: { ...ok, factor: 11 } })).toBe('polling.slowdown.factor');
    expect(fieldOf({ slowdown: { ...ok, factor: '2' } })).toBe('polling.slowdown.factor');
    expect(fieldOf({ slowdown: { ...ok, maxIntervalMs: 25 * HOUR } })).toBe('polling.slowdown.maxIntervalMs');
    expect(fieldOf({ slowdown: { ...ok, maxIntervalMs: 5_000 } })).toBe('polling.slowdown.maxIntervalMs');
    expect(fieldOf({ baseIntervalMs: 600_000, slowdown: ok })).toBe('polling.slowdown.maxIntervalMs');
    expect(fieldOf({ baseIntervalMs: 1_000, slowdown: { ...ok, maxIntervalMs: 1_000 } })).toBeUndefined();
  });

  it('writes durations short', () => {
    expect([1_000, 59_400, 60_000, 300_000, 330_000, 3_600_000, 72_000_000 + 60_000].map(shortDuration)).toEqual([
      '1s',
      '59s',
      '1m',
      '5m',
      '5m 30s',
      '1h',
      '20h 1m',
    ]);
  });
});
