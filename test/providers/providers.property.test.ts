import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { journeyStateSchema } from '../../src/contract/journey-state';
import { PROVIDERS } from '../../src/contract/vocabulary';
import { normalise, normaliseIdnowDataBlocks, ProviderResponseError } from '../../src/providers';

const ctx = { journeyId: 'j-1', observedAt: '2026-01-01T00:00:00.000Z' };
const statuses = [
  'InProgress',
  'IN_PROGRESS',
  'Completed',
  'COMPLETED',
  'Failed',
  'Error',
  'Paused',
  'RUNNING',
  'CREATED',
  'ABORTED',
  'EXPIRED',
  'ERROR',
  'Bogus',
];

/** Mostly a plausible value, sometimes any JSON at all. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: fc.jsonValue(), weight: 1 });

/** Any JSON, plus JSON shaped like the providers' bodies so the property reaches past the first field. */
const shaped = fc.record(
  {
    status: mostly(fc.constantFrom(...statuses)),
    state: mostly(fc.constantFrom(...statuses)),
    sessionStatus: mostly(fc.constantFrom(...statuses)),
    outcome: mostly(fc.constantFrom('accepted', 'ACCEPTED', 'rejected', 'NO_OUTCOME')),
    metaData: fc.oneof(
      fc.record({
        createdTime: fc.oneof(fc.string(), fc.jsonValue()),
        completedTime: fc.oneof(fc.constant(''), fc.jsonValue()),
      }),
      fc.jsonValue(),
    ),
    context: fc.oneof(
      fc.record(
        {
          process: fc.record(
            { journey: fc.jsonValue(), steps: fc.oneof(fc.array(fc.jsonValue()), fc.jsonValue()) },
            { requiredKeys: [] },
          ),
          subject: fc.jsonValue(),
          result: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    ),
    lastStep: mostly(
      fc.record({ stepId: fc.string(), stepName: fc.string(), verdict: fc.string() }, { requiredKeys: [] }),
    ),
    results: fc.oneof(
      fc.dictionary(fc.string(), fc.record({ type: fc.string(), id: fc.oneof(fc.string(), fc.jsonValue()) })),
      fc.jsonValue(),
    ),
    flowVersion: mostly(fc.integer()),
    startedAt: fc.oneof(fc.constant(null), fc.string(), fc.jsonValue()),
    completedAt: fc.oneof(fc.constant(null), fc.string(), fc.jsonValue()),
  },
  { requiredKeys: [] },
);
const anyBody = fc.oneof({ arbitrary: fc.jsonValue(), weight: 1 }, { arbitrary: shaped, weight: 3 });

describe('normalisers are total over JSON: a JourneyState or a ProviderResponseError, nothing else', () => {
  for (const provider of PROVIDERS) {
    it(provider, () => {
      let ok = 0;
      fc.assert(
        fc.property(anyBody, (body) => {
          try {
            const state = normalise(provider, body, ctx);
            expect(journeyStateSchema.parse(state)).toStrictEqual(state);
            expect(state.terminal).toBe(state.status !== 'in_progress');
            ok++;
          } catch (err) {
            if (!(err instanceof ProviderResponseError)) throw err;
            expect(err.field.length).toBeGreaterThan(0);
          }
        }),
        { numRuns: 3000 },
      );
      expect(ok).toBeGreaterThan(10);
    });
  }

  it('idnow data blocks', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ dataBlocks: fc.array(fc.jsonValue()), datablocks: fc.jsonValue() }, { requiredKeys: [] }),
        ),
        (body) => {
          try {
            const out = normaliseIdnowDataBlocks(body);
            expect(typeof out.results).toBe('object');
          } catch (err) {
            if (!(err instanceof ProviderResponseError)) throw err;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
