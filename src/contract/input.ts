/**
 * The one input contract of a journey, checked at every entry: the client library (every start), the CLI, the
 * webhook receiver and, again, the workflow itself (for executions started by other tools). Pure and free of
 * dependencies, so workflow code can import it.
 *
 * - provider: one of PROVIDERS; journeyId and environment: see ./identifiers.
 * - deadline: ISO 8601 with a date, a time and an explicit offset (`Z` or `±hh:mm`), a real calendar date;
 *   in the future when a client starts the journey.
 * - polling: whole milliseconds, see POLLING_BOUNDS; a slowdown has all three settings (SLOWDOWN_BOUNDS) and a
 *   `maxIntervalMs` no shorter than the (resolved) `baseIntervalMs`. Every wait is then between 1 s and
 *   `longest + (maxConsecutiveErrors − 1) × errorBackoffMs`, where `longest` is the slowdown's `maxIntervalMs` or else
 *   `baseIntervalMs` (or a provider's Retry-After when longer).
 *
 * A violation is an InvalidJourneyInputError naming the field; the value itself is never echoed.
 */
import { InvalidJourneyInputError } from './errors';
import { environmentProblem, journeyIdProblem } from './identifiers';
import {
  DEFAULT_POLLING,
  POLLING_BOUNDS,
  SLOWDOWN_BOUNDS,
  type Bounds,
  type PollingInput,
  type PollingSlowdown,
} from './polling';
import { isJourneyProvider, PROVIDERS, type JourneyProvider } from './vocabulary';

export interface AwaitJourneyInput {
  provider: JourneyProvider;
  /** GBG `instanceId` or IDnow `sessionId`. */
  journeyId: string;
  /** IDnow environment (`live`, `staging`); GBG region (`eu`, `us`, `au`) when not the configured default. */
  environment?: string;
  polling?: PollingInput;
  /** ISO timestamp after which the journey is given up as `expired`. */
  deadline?: string;
}

/** `2026-11-29T07:00:00Z`, `2026-11-29T08:00:00.250+01:00`; seconds and fractions optional. */
const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Epoch ms of a strict ISO 8601 timestamp with an offset, or undefined. */
export function parseStrictIsoTimestamp(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = ISO_WITH_OFFSET.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m
    .slice(1)
    .map((v) => (v === undefined ? 0 : Number(v)));
  const calendar = new Date(Date.UTC(year!, month! - 1, day!));
  const realDate =
    calendar.getUTCFullYear() === year && calendar.getUTCMonth() === month! - 1 && calendar.getUTCDate() === day;
  if (!realDate || hour! > 23 || minute! > 59 || second! > 59 || offsetHours! > 23 || offsetMinutes! > 59)
    return undefined;
  return Date.parse(text);
}

/** Throws InvalidJourneyInputError unless `value` is a whole number within `bounds` (`unit` is for the message). */
export function checkBounded(value: unknown, field: string, bounds: Bounds, unit: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new InvalidJourneyInputError(field, `must be a whole number from ${bounds.min} to ${bounds.max}${unit}`);
  }
}

function checkPolling(polling: unknown): void {
  if (polling === undefined) return;
  if (typeof polling !== 'object' || polling === null || Array.isArray(polling))
    throw new InvalidJourneyInputError('polling', 'must be an object');
  const p = polling as Record<string, unknown>;
  for (const key of Object.keys(p)) {
    if (!(key in POLLING_BOUNDS) && key !== 'slowdown')
      throw new InvalidJourneyInputError(`polling.${key}`, 'is not a polling setting');
  }
  for (const [key, bounds] of Object.entries(POLLING_BOUNDS)) {
    if (p[key] !== undefined)
      checkBounded(p[key], `polling.${key}`, bounds, key === 'maxConsecutiveErrors' ? '' : ' (ms)');
  }
  if (p.slowdown !== undefined)
    checkSlowdown(p.slowdown, (p.baseIntervalMs as number | undefined) ?? DEFAULT_POLLING.baseIntervalMs);
}

/** `baseIntervalMs` is the policy's own (or its default): a slowdown never polls faster than it. */
function checkSlowdown(slowdown: unknown, baseIntervalMs: number): void {
  if (typeof slowdown !== 'object' || slowdown === null || Array.isArray(slowdown))
    throw new InvalidJourneyInputError('polling.slowdown', 'must be an object');
  const s = slowdown as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!(key in SLOWDOWN_BOUNDS))
      throw new InvalidJourneyInputError(`polling.slowdown.${key}`, 'is not a slowdown setting');
  }
  for (const key of Object.keys(SLOWDOWN_BOUNDS) as (keyof PollingSlowdown)[]) {
    if (s[key] === undefined) throw new InvalidJourneyInputError(`polling.slowdown.${key}`, 'is required');
  }
  checkBounded(s.afterMs, 'polling.slowdown.afterMs', SLOWDOWN_BOUNDS.afterMs, ' (ms)');
  const { min, max } = SLOWDOWN_BOUNDS.factor;
  if (typeof s.factor !== 'number' || !Number.isFinite(s.factor) || s.factor <= min || s.factor > max)
    throw new InvalidJourneyInputError('polling.slowdown.factor', `must be a number above ${min} and at most ${max}`);
  checkBounded(s.maxIntervalMs, 'polling.slowdown.maxIntervalMs', SLOWDOWN_BOUNDS.maxIntervalMs, ' (ms)');
  if ((s.maxIntervalMs as number) < baseIntervalMs)
    throw new InvalidJourneyInputError('polling.slowdown.maxIntervalMs', 'must be at least polling.baseIntervalMs');
}

/** Checks the part of an input that names a journey (`provider`, `journeyId`); throws InvalidJourneyInputError. */
export function validateJourneyRef(ref: unknown): asserts ref is Pick<AwaitJourneyInput, 'provider' | 'journeyId'> {
  if (typeof ref !== 'object' || ref === null || Array.isArray(ref))
    throw new InvalidJourneyInputError('input', 'must be an object');
  const r = ref as Record<string, unknown>;
  if (!isJourneyProvider(r.provider))
    throw new InvalidJourneyInputError('provider', `must be one of ${PROVIDERS.join(', ')}`);
  const idProblem = journeyIdProblem(r.journeyId);
  if (idProblem) throw new InvalidJourneyInputError('journeyId', idProblem);
}

export interface ValidateOptions {
  /** When given (clients, CLI), the deadline must be later than this epoch ms. */
  now?: number;
}

/**
 * Checks a journey's input against the contract and returns it typed; throws InvalidJourneyInputError.
 * Fields other than the public ones are left alone (the workflow's own internal fields).
 */
export function validateJourneyInput<T extends AwaitJourneyInput>(input: T, options?: ValidateOptions): T;
export function validateJourneyInput(input: unknown, options?: ValidateOptions): AwaitJourneyInput;
export function validateJourneyInput(input: unknown, options: ValidateOptions = {}): AwaitJourneyInput {
  validateJourneyRef(input);
  const i = input as Record<string, unknown>;
  const envProblem =
    i.environment === undefined ? undefined : environmentProblem(i.environment, i.provider as JourneyProvider);
  if (envProblem) throw new InvalidJourneyInputError('environment', envProblem);
  if (i.deadline !== undefined) {
    const deadlineMs = parseStrictIsoTimestamp(i.deadline);
    if (deadlineMs === undefined)
      throw new InvalidJourneyInputError(
        'deadline',
        'must be an ISO 8601 timestamp with an offset, e.g. 2030-01-31T18:00:00Z',
      );
    if (options.now !== undefined && deadlineMs <= options.now)
      throw new InvalidJourneyInputError('deadline', 'must be in the future');
  }
  checkPolling(i.polling);
  return input as AwaitJourneyInput;
}
