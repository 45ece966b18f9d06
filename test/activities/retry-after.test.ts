/** A provider's Retry-After, read by the activity: seconds or an HTTP date, never negative, never beyond the cap. */
import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../../src/activities/http';

const now = Date.parse('2026-11-29T12:00:00Z');

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('40', now)).toBe(40_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Sun, 29 Nov 2026 12:01:30 GMT', now)).toBe(90_000);
  });

  it('a date in the past means now; no header or an unreadable one means none', () => {
    expect(retryAfterMs('Sun, 29 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
  });

  it('a wait longer than 10 minutes is cut to 10 minutes, however it is written', () => {
    expect(MAX_RETRY_AFTER_MS).toBe(600_000);
    expect(retryAfterMs('601', now)).toBe(600_000);
    expect(retryAfterMs('86400', now)).toBe(600_000);
    expect(retryAfterMs('9'.repeat(400), now)).toBe(600_000);
    expect(retryAfterMs('Fri, 01 Jan 2100 00:00:00 GMT', now)).toBe(600_000);
  });
});
