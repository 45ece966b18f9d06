import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLLING } from '../../src/contract/polling';
import { isExhausted, nextPollDelayMs, resolvePolicy, timeToExhaustionMs } from '../../src/workflows/schedule';

describe('polling schedule (pure)', () => {
  const policy = resolvePolicy();

  it('defaults to 10 s, +5 s per consecutive error, 30 errors', () => {
    expect(policy).toEqual(DEFAULT_POLLING);
    expect(resolvePolicy({ baseIntervalMs: 1_000 })).toEqual({ ...DEFAULT_POLLING, baseIntervalMs: 1_000 });
  });

  it('waits the base interval after a success and base + k × backoff after the k-th failure', () => {
    expect([0, 1, 2, 3, 29].map((k) => nextPollDelayMs(k, policy))).toEqual([10_000, 15_000, 20_000, 25_000, 155_000]);
  });

  it('a Retry-After only stretches the wait', () => {
    expect(nextPollDelayMs(1, policy, 60_000)).toBe(60_000);
    expect(nextPollDelayMs(1, policy, 1_000)).toBe(15_000);
  });

  it('gives up at the 30th consecutive failure, about 41 minutes after the first', () => {
    expect(isExhausted(29, policy)).toBe(false);
    expect(isExhausted(30, policy)).toBe(true);
    expect(timeToExhaustionMs(policy)).toBe(2_465_000);
  });

  it('is monotonic in the error count and never shorter than Retry-After', () => {
    fc.assert(
      fc.property(fc.nat(1_000), fc.option(fc.nat(10_000_000), { nil: undefined }), (k, retryAfter) => {
        const d = nextPollDelayMs(k, policy, retryAfter);
        expect(d).toBeGreaterThanOrEqual(nextPollDelayMs(k, policy));
        expect(d).toBeGreaterThanOrEqual(retryAfter ?? 0);
        expect(nextPollDelayMs(k + 1, policy)).toBeGreaterThan(nextPollDelayMs(k, policy));
      }),
    );
  });
});
