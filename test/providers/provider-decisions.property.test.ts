/** Properties of the new fields: GBG decisions by precedence, completion from step ends, PII-free step errors, and IDnow identity from basicIdentity in any shape. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { journeyStateSchema } from '../../src/contract/journey-state';
import { normaliseGbgV2, normaliseIdnowDataBlocks } from '../../src/providers';

const ctx = { journeyId: 'Pq_hhIX6-sHUy9FLSDzPLu', observedAt: '2026-01-01T00:00:00.000Z' };
const classification = fc.option(
  fc.oneof(fc.constantFrom('positive', 'negative', 'refer', 'POSITIVE', 'Negative'), fc.string({ maxLength: 8 })),
  { nil: undefined },
);
const expectedDecision = (c: string) =>
  c.toLowerCase() === 'positive' ? 'accepted' : c.toLowerCase() === 'negative' ? 'rejected' : 'undecided';
const instant = fc
  .integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2026-12-31T00:00:00Z') })
  .map((ms) => new Date(ms).toISOString());
const SECRET = 'Jane Roe, 12 Secret Street';

const step = fc.record({
  nodeId: fc.string({ minLength: 1, maxLength: 8 }),
  name: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
  outcomeClassification: classification,
  endedAt: fc.option(instant, { nil: undefined }),
  failed: fc.boolean(),
});

describe('GBG v2 decisions and steps', () => {
  it('top-level result classification wins; otherwise the steps; completion falls back to the latest step end; errors keep codes only', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('InProgress', 'Paused', 'Completed', 'Failed', 'Error'),
        classification,
        fc.array(step, { maxLength: 5 }),
        fc.boolean(),
        (status, top, steps, topLevelSteps) => {
          const raw = steps.map((s) => ({
            nodeId: s.nodeId,
            ...(s.name !== undefined ? { name: s.name } : {}),
            ...(s.outcomeClassification !== undefined ? { outcomeClassification: s.outcomeClassification } : {}),
            ...(s.endedAt ? { process: { step: { endedAt: s.endedAt } } } : {}),
            ...(s.failed
              ? {
                  result: {
                    status: 'error',
                    error: { errors: [{ error: 'MODULE_EXECUTION_FAILED', problem: SECRET }] },
                  },
                }
              : {}),
          }));
          const body = {
            status,
            ...(top !== undefined ? { result: { outcomeClassification: top } } : {}),
            ...(topLevelSteps ? { steps: raw } : { context: { process: { steps: raw } } }),
          };
          const state = normaliseGbgV2(body, ctx);
          expect(journeyStateSchema.parse(state)).toStrictEqual(state);
          expect(state.terminal).toBe(status !== 'InProgress' && status !== 'Paused');
          const classes = steps
            .map((s) => s.outcomeClassification)
            .filter((c): c is string => !!c)
            .map(expectedDecision);
          const fromSteps =
            classes.length === 0
              ? 'undecided'
              : classes.includes('rejected')
                ? 'rejected'
                : classes.every((c) => c === 'accepted')
                  ? 'accepted'
                  : 'undecided';
          expect(state.decision).toBe(top ? expectedDecision(top) : fromSteps);
          const ends = steps
            .map((s) => s.endedAt)
            .filter((e): e is string => !!e)
            .sort();
          expect(state.completedAt).toBe(state.terminal ? ends.at(-1) : undefined);
          expect(state.steps).toHaveLength(steps.length);
          expect(JSON.stringify(state)).not.toContain(SECRET);
          for (const [i, s] of steps.entries())
            expect(state.steps[i]!.error).toBe(s.failed ? 'MODULE_EXECUTION_FAILED' : undefined);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('IDnow data blocks', () => {
  const identity = { givenName: 'Erika', familyName: 'Mustermann', birthDate: '1964-08-12' };
  const other = fc
    .record(
      {
        type: fc.string({ maxLength: 12 }),
        datablockId: fc.string({ minLength: 1, maxLength: 8 }),
        givenName: fc.string({ maxLength: 6 }),
        status: fc.constantFrom('STORED', 'DELETED'),
      },
      { requiredKeys: ['type'] },
    )
    .filter((b) => b.type.toLowerCase().replace(/_/g, '') !== 'basicidentity');

  it('the basicIdentity block is the identity in every shape, whatever other blocks say and wherever it sits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('A', 'B', 'C'),
        fc.array(other, { maxLength: 4 }),
        fc.nat(4),
        fc.boolean(),
        (shape, others, at, withId) => {
          const id = withId ? { datablockId: 'db-id' } : {};
          const block =
            shape === 'A'
              ? { ...id, type: 'basicIdentity', createdBy: { stepId: 's' }, status: 'STORED', content: identity }
              : shape === 'B'
                ? { ...id, type: 'basicIdentity', lastStep: { stepId: 's' }, ...identity }
                : { type: 'BasicIdentity', createdByStep: 's', ...identity };
          const blocks = [...others];
          blocks.splice(Math.min(at, blocks.length), 0, block as never);
          const out = normaliseIdnowDataBlocks(shape === 'C' ? { datablocks: blocks } : { dataBlocks: blocks });
          expect(out.subject).toEqual({ firstName: 'Erika', lastNames: ['Mustermann'], dateOfBirth: '1964-08-12' });
          expect(out.results.basicIdentity !== undefined).toBe(withId && shape !== 'C');
        },
      ),
      { numRuns: 500 },
    );
  });
});
