/**
 * The client library's own arguments (task queue, timeouts, intervals, the webhook signal, list limits), checked
 * before any RPC like the journey input: an InvalidJourneyInputError naming the argument, never echoing its value.
 * Without these, a NaN deadline crashed the process (gRPC), a zero interval queried Temporal in a busy loop, and a
 * timeout past what a Node timer holds fired at once.
 */
import { InvalidJourneyInputError } from '../contract/errors';
import { checkBounded, parseStrictIsoTimestamp } from '../contract/input';
import type { Bounds } from '../contract/polling';
import type { AwaitJourneyInput } from '../contract/input';
import { MAX_WEBHOOK_TEXT_LENGTH, TASK_QUEUE_PATTERN, type JourneyWebhook } from '../contract/workflow';

/** The longest delay a Node timer keeps (about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Inclusive bounds, in ms or a count. */
export const ARGUMENT_BOUNDS = {
  /** `awaitJourneyResult`: how long to wait for the final state. */
  timeoutMs: { min: 1, max: MAX_TIMER_MS },
  /** `awaitJourneyResult`: how often progress is queried while waiting. */
  progressIntervalMs: { min: 100, max: 3_600_000 },
  /** One call's deadline: `getJourneyStatus`'s progress query, `signalJourneyWebhook`. */
  callTimeoutMs: { min: 1, max: 600_000 },
  /** `listJourneys`, `redriveJourneys`: how many rows at most. */
  limit: { min: 1, max: 10_000 },
  /** `listJourneys`: how long without a successful fetch makes a journey stale. */
  staleForMs: { min: 1_000, max: 366 * 86_400_000 },
} satisfies Record<string, Bounds>;

const WEBHOOK_FIELDS: readonly string[] = [
  'eventId',
  'providerStatus',
  'receivedAt',
] satisfies (keyof JourneyWebhook)[];

const PUBLIC_INPUT_FIELDS: readonly string[] = [
  'provider',
  'journeyId',
  'environment',
  'polling',
  'deadline',
] satisfies (keyof AwaitJourneyInput)[];

/**
 * Only the public input reaches the workflow: anything else would be stored in its history (a spread customer record
 * would put names and dates of birth there) or taken for the workflow's internal fields (carried state).
 */
export function checkPublicInputFields(input: unknown): void {
  if (typeof input !== 'object' || input === null) return; // the contract check names it
  for (const key of Object.keys(input)) {
    if (!PUBLIC_INPUT_FIELDS.includes(key)) throw new InvalidJourneyInputError(key, 'is not a journey input field');
  }
}

export function checkTaskQueue(taskQueue: unknown): void {
  if (typeof taskQueue !== 'string' || !TASK_QUEUE_PATTERN.test(taskQueue))
    throw new InvalidJourneyInputError('taskQueue', 'must be 1–200 characters of letters, digits and ._:/-');
}

/** An optional whole-millisecond (or count) argument within `bounds`. */
export function checkOptionalBounded(value: unknown, field: keyof typeof ARGUMENT_BOUNDS, name: string = field): void {
  if (value !== undefined) checkBounded(value, name, ARGUMENT_BOUNDS[field], field === 'limit' ? '' : ' (ms)');
}

/** The `journeyWebhook` signal's argument: kept small, because the workflow remembers event ids across runs. */
export function checkWebhook(webhook: unknown): asserts webhook is JourneyWebhook {
  if (typeof webhook !== 'object' || webhook === null || Array.isArray(webhook))
    throw new InvalidJourneyInputError('webhook', 'must be an object');
  const w = webhook as Record<string, unknown>;
  for (const key of Object.keys(w)) {
    if (!WEBHOOK_FIELDS.includes(key)) throw new InvalidJourneyInputError(`webhook.${key}`, 'is not a webhook field');
  }
  for (const key of ['eventId', 'providerStatus']) {
    const text = w[key];
    if (text !== undefined && (typeof text !== 'string' || text.length < 1 || text.length > MAX_WEBHOOK_TEXT_LENGTH))
      throw new InvalidJourneyInputError(`webhook.${key}`, `must be 1–${MAX_WEBHOOK_TEXT_LENGTH} characters`);
  }
  if (w.receivedAt !== undefined && parseStrictIsoTimestamp(w.receivedAt) === undefined)
    throw new InvalidJourneyInputError('webhook.receivedAt', 'must be an ISO 8601 timestamp with an offset');
}
