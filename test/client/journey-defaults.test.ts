/** A service's journey defaults: checked when set, applied under the journey's own settings at each start. */
import { Client, Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { InvalidJourneyInputError, journeyStartOptions, setJourneyDefaults } from '../../src/client';
import { applyJourneyDefaults, journeyDefaultsOf } from '../../src/client/journey-defaults';
import { POLLING_PRESETS, RECOMMENDED_SLOWDOWN } from '../../src/contract/polling';

const ref = { provider: 'gbg-go-v2', journeyId: 'defaults-journey-0001' } as const;
const NOW = Date.parse('2026-12-07T03:00:00Z');

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidJourneyInputError);
    return (err as InvalidJourneyInputError).field;
  }
  return undefined;
}

describe('journey defaults', () => {
  it('fill in what the journey leaves out; its own settings win; a lifetime becomes a deadline', () => {
    const defaults = { polling: POLLING_PRESETS.webhooks, lifetimeMs: 30 * 86_400_000 };
    expect(applyJourneyDefaults(ref, defaults, NOW)).toEqual({
      ...ref,
      polling: { slowdown: RECOMMENDED_SLOWDOWN },
      deadline: '2027-01-06T03:00:00.000Z',
    });
    const own = { ...ref, polling: { maxConsecutiveErrors: 5 }, deadline: '2026-12-08T00:00:00Z' };
    expect(applyJourneyDefaults(own, defaults, NOW)).toEqual({
      ...own,
      polling: { slowdown: RECOMMENDED_SLOWDOWN, maxConsecutiveErrors: 5 },
    });
    const ownSlowdown = { afterMs: 0, factor: 3, maxIntervalMs: 60_000 };
    expect(applyJourneyDefaults({ ...ref, polling: { slowdown: ownSlowdown } }, defaults, NOW).polling).toEqual({
      slowdown: ownSlowdown,
    });
    expect(applyJourneyDefaults(ref, undefined, NOW)).toBe(ref);
    expect(applyJourneyDefaults(ref, {}, NOW)).toEqual(ref);
  });

  it('are checked when set, naming the field under defaults.', () => {
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    expect(fieldOf(() => setJourneyDefaults(client, { lifetimeMs: 1_000 }))).toBe('defaults.lifetimeMs');
    expect(
      fieldOf(() => setJourneyDefaults(client, { polling: { slowdown: { ...RECOMMENDED_SLOWDOWN, factor: 0 } } })),
    ).toBe('defaults.polling.slowdown.factor');
    expect(fieldOf(() => setJourneyDefaults(client, { every: 1 } as never))).toBe('defaults.every');
    expect(journeyDefaultsOf(client)).toBeUndefined();
    setJourneyDefaults(client, { polling: POLLING_PRESETS.webhooks });
    expect(journeyDefaultsOf(client)).toEqual({ polling: POLLING_PRESETS.webhooks });
  });

  it('the Web UI details of a slowed-down journey say how it slows down', () => {
    const options = journeyStartOptions({ ...ref, polling: POLLING_PRESETS.webhooks }, 'q', NOW);
    expect(options.staticDetails).toContain('polls every 10s; quiet for 15m, ×2 per poll up to every 5m');
    expect(journeyStartOptions(ref, 'q', NOW).staticDetails).toContain('polls every 10s, +5s per failed fetch');
  });
});
