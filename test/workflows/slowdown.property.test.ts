import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidJourneyInputError } from '../../src/contract/errors';
import { validateJourneyInput } from '../../src/contract/input';
import type { PollingInput } from '../../src/contract/polling';
import { resolvePolicy } from '../../src/workflows/schedule';
import { freshPace, longestWaitMs, nextWaitMs, paceAfterSuccess } from '../../src/workflows/slowdown';

/** Each setting: usually near or inside its bounds, sometimes absent or not a number at all. */
const wild = (inside: fc.Arbitrary<number>) =>
  fc.oneof(
    { weight: 6, arbitrary: inside },
    { weight: 1, arbitrary: fc.constantFrom(undefined, null, '10s', Number.NaN, Number.POSITIVE_INFINITY, -1, 0.5) },
  );

const pollingInput = fc.record(
  {
    baseIntervalMs: wild(fc.integer({ min: 0, max: 4_000_000 })),
    errorBackoffMs: wild(fc.integer({ min: 0, max: 700_000 })),
    maxConsecutiveErrors: wild(fc.integer({ min: 0, max: 1_100 })),
    slowdown: fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record(
          {
            afterMs: wild(fc.integer({ min: -10, max: 32 * 86_400_000 })),
            factor: wild(fc.double({ min: 0.5, max: 12, noNaN: true })),
            maxIntervalMs: wild(fc.integer({ min: 0, max: 90_000_000 })),
            extra: fc.constant(1),
          },
          { requiredKeys: [] },
        ),
      },
      { weight: 1, arbitrary: fc.constantFrom(undefined, null, 'slow', [], 3) },
    ),
  },
  { requiredKeys: ['slowdown'] },
);

/** What may happen between two waits: a fetch that changed something, one that did not, a failure, a webhook. */
const event = fc.oneof(
  fc.constant({ kind: 'unchanged' as const }),
  fc.constant({ kind: 'changed' as const }),
  fc.record({
    kind: fc.constant('failed' as const),
    retryAfterMs: fc.option(fc.integer({ min: 0, max: 600_000 }), { nil: undefined }),
  }),
  fc.constant({ kind: 'webhook' as const }),
);

const HOUR = 3_600_000;

describe('polling slowdown (property)', () => {
  it('any slowdown input is rejected naming its field, or waits between 1 s and the documented maximum', () => {
    fc.assert(
      fc.property(pollingInput, fc.array(event, { minLength: 1, maxLength: 400 }), (polling, events) => {
        const input = { provider: 'idnow', journeyId: '3f0e7c1a-0a7e-4c1b-9d52-6a1f1c2b3d4e', polling };
        try {
          validateJourneyInput(input);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidJourneyInputError);
          expect((err as InvalidJourneyInputError).field).toMatch(/^polling(\.|$)/);
          return;
        }
        const policy = resolvePolicy(polling as PollingInput);
        const longest = longestWaitMs(policy);
        // The documented maximum (src/journey-input.ts): the longest slow interval plus the longest backoff.
        expect(longest).toBeLessThanOrEqual(24 * HOUR + 999 * 600_000);
        let pace = freshPace(0, policy);
        let errors = 0;
        let now = 0;
        for (const e of events) {
          let retryAfterMs: number | undefined;
          if (e.kind === 'webhook') pace = freshPace(now, policy);
          if (e.kind === 'failed') {
            errors = Math.min(errors + 1, policy.maxConsecutiveErrors - 1);
            retryAfterMs = e.retryAfterMs;
          } else if (e.kind !== 'webhook') {
            errors = 0;
            pace = paceAfterSuccess(pace, policy, now, e.kind === 'changed');
          }
          const wait = nextWaitMs(pace, errors, policy, retryAfterMs);
          expect(wait).toBeGreaterThanOrEqual(1_000);
          expect(wait).toBeLessThanOrEqual(Math.max(longest, retryAfterMs ?? 0));
          expect(pace.intervalMs).toBeGreaterThanOrEqual(policy.baseIntervalMs);
          expect(pace.intervalMs).toBeLessThanOrEqual(policy.slowdown?.maxIntervalMs ?? policy.baseIntervalMs);
          now += wait;
        }
      }),
      { numRuns: 500 },
    );
  });
});
