/**
 * A service's defaults for the journeys it starts, set once per Client (`setJourneyDefaults`, or `connectClient`'s
 * `journeyDefaults`) instead of on every start: a polling policy (e.g. POLLING_PRESETS.webhooks) and a lifetime.
 * A journey's own input wins, setting by setting; its own slowdown replaces the default's whole.
 */
import type { Client } from '@temporalio/client';
import { InvalidJourneyInputError } from '../contract/errors';
import { checkBounded, validateJourneyInput } from '../contract/input';
import type { AwaitJourneyInput } from '../contract/input';
import type { PollingInput } from '../contract/polling';

export interface JourneyDefaults {
  /** Polling settings for every journey started through this client, below the journey's own. */
  polling?: PollingInput;
  /**
   * A relative deadline: a journey started without one expires this long after its start (whole ms, 1 min to
   * 366 days). No default: a journey without a deadline is followed until its provider ends it.
   */
  lifetimeMs?: number;
}

export const LIFETIME_BOUNDS = { min: 60_000, max: 366 * 86_400_000 };

const defaultsByClient = new WeakMap<Client, JourneyDefaults>();

/** Checks `defaults` as the start would (InvalidJourneyInputError naming `defaults.…`) and keeps them for `client`. */
export function setJourneyDefaults(client: Client, defaults: JourneyDefaults): void {
  checkJourneyDefaults(defaults);
  defaultsByClient.set(client, { ...defaults });
}

export function journeyDefaultsOf(client: Client): JourneyDefaults | undefined {
  return defaultsByClient.get(client);
}

export function checkJourneyDefaults(defaults: unknown): asserts defaults is JourneyDefaults {
  if (typeof defaults !== 'object' || defaults === null || Array.isArray(defaults))
    throw new InvalidJourneyInputError('defaults', 'must be an object');
  const d = defaults as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (key !== 'polling' && key !== 'lifetimeMs')
      throw new InvalidJourneyInputError(`defaults.${key}`, 'is not a journey default');
  }
  if (d.lifetimeMs !== undefined) checkBounded(d.lifetimeMs, 'defaults.lifetimeMs', LIFETIME_BOUNDS, ' (ms)');
  try {
    validateJourneyInput({ provider: 'idnow', journeyId: 'defaults-check-0000', polling: d.polling });
  } catch (err) {
    if (err instanceof InvalidJourneyInputError)
      throw new InvalidJourneyInputError(`defaults.${err.field}`, err.problem);
    throw err;
  }
}

/** The input a start sends: the journey's own settings over the defaults; a lifetime becomes a deadline from `now`. */
export function applyJourneyDefaults(
  input: AwaitJourneyInput,
  defaults: JourneyDefaults | undefined,
  now: number,
): AwaitJourneyInput {
  if (!defaults || typeof input !== 'object' || input === null) return input;
  const polling =
    defaults.polling || input.polling
      ? { ...defaults.polling, ...(input.polling as PollingInput | undefined) }
      : undefined;
  const deadline =
    input.deadline ?? (defaults.lifetimeMs ? new Date(now + defaults.lifetimeMs).toISOString() : undefined);
  return {
    ...input,
    ...(polling && Object.keys(polling).length ? { polling } : {}),
    ...(deadline !== undefined ? { deadline } : {}),
  };
}
