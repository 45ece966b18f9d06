/**
 * The journey input contract (pure): each bad value found by abuse testing is a typed error naming the field, and
 * any polling input is either rejected or yields waits within the documented bounds (property test).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidJourneyInputError } from '../../src/contract/errors';
import { JOURNEY_ID_MAX_LENGTH, JOURNEY_ID_MIN_LENGTH, journeyIdProblem } from '../../src/contract/identifiers';
import { parseStrictIsoTimestamp, validateJourneyInput } from '../../src/contract/input';
import { POLLING_BOUNDS } from '../../src/contract/polling';
import type { AwaitJourneyInput } from '../../src/contract/input';
import { isExhausted, nextPollDelayMs, resolvePolicy } from '../../src/workflows/schedule';

const ID = 'Pq_hhIX6-sHUy9FLSDzPLu';
const base: AwaitJourneyInput = { provider: 'gbg-go-v2', journeyId: ID };

function fieldOf(input: unknown, now?: number): string | undefined {
  try {
    validateJourneyInput(input, now === undefined ? {} : { now });
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidJourneyInputError);
    return (err as InvalidJourneyInputError).field;
  }
}

describe('journey input contract', () => {
  it('accepts real provider ids and a complete valid input', () => {
    for (const journeyId of [
      ID,
      'P7U7Licy40cLZiENe8MrsL',
      'PiIuACmx8Q8R7qPnAkLAqBAT',
      '0197c55f-5af6-7e3d-af9b-f2359b134be8',
      'a'.repeat(64),
    ]) {
      expect(journeyIdProblem(journeyId), journeyId).toBeUndefined();
    }
    const input: AwaitJourneyInput = {
      provider: 'idnow',
      journeyId: '0197c55f-5af6-7e3d-af9b-f2359b134be8',
      environment: 'staging',
      deadline: '2030-01-31T18:00:00.250+01:00',
      polling: { baseIntervalMs: 1_000, errorBackoffMs: 0, maxConsecutiveErrors: 1_000 },
    };
    expect(validateJourneyInput(input, { now: Date.parse('2026-01-01T00:00:00Z') })).toBe(input);
  });

  it('polling values that busy-looped, slept for millennia or gave up at once are rejected, naming the field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ baseIntervalMs: 0 }, 'polling.baseIntervalMs'],
      [{ baseIntervalMs: -5 }, 'polling.baseIntervalMs'],
      [{ baseIntervalMs: '10000' }, 'polling.baseIntervalMs'],
      [{ baseIntervalMs: 1e15 }, 'polling.baseIntervalMs'],
      [{ baseIntervalMs: Number.NaN }, 'polling.baseIntervalMs'],
      [{ baseIntervalMs: 1500.5 }, 'polling.baseIntervalMs'],
      [{ errorBackoffMs: -1 }, 'polling.errorBackoffMs'],
      [{ errorBackoffMs: 600_001 }, 'polling.errorBackoffMs'],
      [{ maxConsecutiveErrors: 0 }, 'polling.maxConsecutiveErrors'],
      [{ maxConsecutiveErrors: 1_001 }, 'polling.maxConsecutiveErrors'],
      [{ intervalMs: 1_000 }, 'polling.intervalMs'],
    ];
    for (const [polling, field] of cases) expect(fieldOf({ ...base, polling }), JSON.stringify(polling)).toBe(field);
    expect(fieldOf({ ...base, polling: 'fast' })).toBe('polling');
  });

  it('journey ids: too long, empty, spaced, path or workflow-id syntax are rejected; the value is not echoed', () => {
    for (const journeyId of [
      'x'.repeat(2_000),
      '',
      '  ',
      'has a space-123456',
      'a'.repeat(JOURNEY_ID_MIN_LENGTH - 1),
      'a'.repeat(JOURNEY_ID_MAX_LENGTH + 1),
      'journey:idnow:abcdefghijklmnop',
      '../../etc/passwd-xyz',
      'abcdefghijklmnop%2F',
      42,
    ]) {
      expect(fieldOf({ ...base, journeyId }), String(journeyId)).toBe('journeyId');
    }
    try {
      validateJourneyInput({ ...base, journeyId: 'secret-looking value!' });
    } catch (err) {
      expect((err as Error).message).not.toContain('secret-looking');
    }
  });

  it('provider, environment and deadline', () => {
    expect(fieldOf({ ...base, provider: 'gbg' })).toBe('provider');
    expect(fieldOf({ ...base, environment: 'Live Env' })).toBe('environment');
    // A GBG region outside eu/us/au used to pass and fail the journey at its first fetch.
    for (const provider of ['gbg-go-v2', 'gbg-go-v1'] as const) {
      expect(fieldOf({ ...base, provider, environment: 'zz' }), provider).toBe('environment');
      for (const region of ['eu', 'us', 'au'])
        expect(fieldOf({ ...base, provider, environment: region })).toBeUndefined();
    }
    expect(() => validateJourneyInput({ ...base, environment: 'zz' })).toThrow(
      /environment must be a GBG region: one of eu, us, au/,
    );
    expect(fieldOf({ ...base, provider: 'idnow', environment: 'zz' })).toBeUndefined();
    // `--deadline 0` used to parse as the year 2000; date-only and offset-less times are ambiguous.
    for (const deadline of [
      '0',
      '2030-01-31',
      '2030-01-31T18:00:00',
      '2030-02-30T00:00:00Z',
      '2030-01-31T24:00:00Z',
      'tomorrow',
      1893456000000,
    ]) {
      expect(fieldOf({ ...base, deadline }), String(deadline)).toBe('deadline');
    }
    expect(fieldOf({ ...base, deadline: '2020-01-01T00:00:00Z' }, Date.parse('2026-01-01T00:00:00Z'))).toBe('deadline');
    // The workflow re-validates without a clock: a deadline that has passed there simply expires the journey.
    expect(fieldOf({ ...base, deadline: '2020-01-01T00:00:00Z' })).toBeUndefined();
    expect(parseStrictIsoTimestamp('2030-01-31T18:00:00+01:00')).toBe(Date.parse('2030-01-31T17:00:00Z'));
  });

  it('property: any polling input is rejected with a typed error, or every wait is within the bounds', () => {
    const anything = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.string(),
      fc.constant(undefined),
      fc.constant(null),
      fc.boolean(),
      fc.bigInt().map(String),
    );
    const boundedInt = (b: { min: number; max: number }) => fc.integer({ min: b.min - 10, max: b.max + 10 });
    const field = (b: { min: number; max: number }) =>
      fc.oneof(anything, boundedInt(b), fc.integer({ min: b.min, max: b.max }));
    const polling = fc.record(
      {
        baseIntervalMs: field(POLLING_BOUNDS.baseIntervalMs),
        errorBackoffMs: field(POLLING_BOUNDS.errorBackoffMs),
        maxConsecutiveErrors: field(POLLING_BOUNDS.maxConsecutiveErrors),
      },
      { requiredKeys: [] },
    );
    const maxWait =
      POLLING_BOUNDS.baseIntervalMs.max +
      (POLLING_BOUNDS.maxConsecutiveErrors.max - 1) * POLLING_BOUNDS.errorBackoffMs.max;
    let accepted = 0;
    fc.assert(
      fc.property(polling, (p) => {
        let input: AwaitJourneyInput;
        try {
          input = validateJourneyInput({ ...base, polling: p });
        } catch (err) {
          return err instanceof InvalidJourneyInputError && err.field.startsWith('polling');
        }
        accepted++;
        const policy = resolvePolicy(input.polling);
        for (let k = 0; k < policy.maxConsecutiveErrors; k++) {
          if (isExhausted(k, policy)) return false;
          const wait = nextPollDelayMs(k, policy);
          if (!Number.isFinite(wait) || wait < POLLING_BOUNDS.baseIntervalMs.min || wait > maxWait) return false;
          if (wait > policy.baseIntervalMs + (policy.maxConsecutiveErrors - 1) * policy.errorBackoffMs) return false;
        }
        return isExhausted(policy.maxConsecutiveErrors, policy);
      }),
      { numRuns: 2_000 },
    );
    expect(accepted).toBeGreaterThan(0);
  });
});
