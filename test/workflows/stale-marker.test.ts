import { describe, expect, it } from 'vitest';
import { journeyFetchErrorsKey, journeyLastErrorKey, journeyStaleSinceKey } from '../../src/contract/workflow';
import { lastErrorLabel, staleMarkerUpdates } from '../../src/workflows/stale-marker';

const lastSuccessAt = Date.parse('2026-12-06T10:00:00Z');
const failure = { type: 'FetchFailed', details: { provider: 'idnow' as const, httpStatus: 503 } };

describe('stale marker (pure)', () => {
  it('an ordinary poll (a success after a success) upserts nothing', () => {
    expect(staleMarkerUpdates({ errorsBefore: 0, errorsAfter: 0, lastSuccessAt })).toEqual([]);
  });

  it("a streak's first failure sets when the last success was, the count and the error", () => {
    expect(staleMarkerUpdates({ errorsBefore: 0, errorsAfter: 1, failure, lastSuccessAt })).toEqual([
      { key: journeyStaleSinceKey, value: new Date(lastSuccessAt) },
      { key: journeyFetchErrorsKey, value: 1 },
      { key: journeyLastErrorKey, value: 'FetchFailed HTTP 503' },
    ]);
  });

  it('a further failure updates the count and the error, never the time of the last success', () => {
    const updates = staleMarkerUpdates({
      errorsBefore: 4,
      errorsAfter: 5,
      failure: { type: 'Timeout' },
      lastSuccessAt,
    });
    expect(updates).toEqual([
      { key: journeyFetchErrorsKey, value: 5 },
      { key: journeyLastErrorKey, value: 'Timeout' },
    ]);
  });

  it('the first success after failures clears all three', () => {
    expect(staleMarkerUpdates({ errorsBefore: 7, errorsAfter: 0, lastSuccessAt })).toEqual([
      { key: journeyStaleSinceKey, value: null },
      { key: journeyFetchErrorsKey, value: null },
      { key: journeyLastErrorKey, value: null },
    ]);
  });

  it("the error label never carries the failure's message", () => {
    expect(lastErrorLabel(undefined)).toBe('Error');
    expect(lastErrorLabel({ type: 'FetchFailed', details: { provider: 'gbg-go-v2', httpStatus: 429 } })).toBe(
      'FetchFailed HTTP 429',
    );
  });
});
