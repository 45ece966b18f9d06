/**
 * What the workflow, worker, client, webhook receiver and tests share: the task queue, message definitions,
 * workflow id, search attribute keys, and input/progress types. Safe to import from workflow code.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JourneyProvider, JourneyState, JourneyStatus } from './journey';

export const DEFAULT_TASK_QUEUE = 'journey-await';
/** What a task queue name may hold (JOURNEY_TASK_QUEUE and the client's taskQueue option). */
export const TASK_QUEUE_PATTERN = /^[A-Za-z0-9._:/-]{1,200}$/;

export const WORKFLOW_TYPE = 'awaitJourneyCompletion';

/** `journey:<provider>:<journeyId>`: one workflow execution per journey, so starting is idempotent. */
export function journeyWorkflowId(provider: JourneyProvider, journeyId: string): string {
  return `journey:${provider}:${journeyId}`;
}

/** The parts of a `journey:<provider>:<journeyId>` workflow id (the provider is not checked here). */
export function parseJourneyWorkflowId(workflowId: string): { provider: string; journeyId: string } | undefined {
  const m = /^journey:([^:]+):(.+)$/.exec(workflowId);
  return m ? { provider: m[1]!, journeyId: m[2]! } : undefined;
}

/** Search attributes (Keyword). Never PII: operators filter on them and they are stored unencrypted. */
export const journeyProviderKey = defineSearchAttributeKey('JourneyProvider', SearchAttributeType.KEYWORD);
export const journeyStatusKey = defineSearchAttributeKey('JourneyStatus', SearchAttributeType.KEYWORD);
/** `accepted`, `rejected` or `undecided`: the journey's decision as last fetched (never the subject's data). */
export const journeyDecisionKey = defineSearchAttributeKey('JourneyDecision', SearchAttributeType.KEYWORD);
/**
 * The stale marker, present only while the journey's fetches fail (set on a streak's first failed fetch, updated on
 * each further one, cleared by the next success), so an ordinary poll upserts nothing. `JourneyStaleSince` is when
 * the last successful fetch happened (the journey's start when there was none), `JourneyFetchErrors` the failed
 * fetches in a row, `JourneyLastError` the last one's type and HTTP status (never its message: it may quote the
 * provider).
 */
export const journeyStaleSinceKey = defineSearchAttributeKey('JourneyStaleSince', SearchAttributeType.DATETIME);
export const journeyFetchErrorsKey = defineSearchAttributeKey('JourneyFetchErrors', SearchAttributeType.INT);
export const journeyLastErrorKey = defineSearchAttributeKey('JourneyLastError', SearchAttributeType.KEYWORD);
export const journeySearchAttributeKeys = [
  journeyProviderKey,
  journeyStatusKey,
  journeyDecisionKey,
  journeyStaleSinceKey,
  journeyFetchErrorsKey,
  journeyLastErrorKey,
];

/**
 * Values of the JourneyStatus search attribute: the journey's own status while the workflow follows it; `failed`
 * also when the workflow gives up (JourneyPollingExhausted), the provider rejects the request
 * (JourneyRejectedByProvider) or the input is invalid; `cancelled` when the workflow is cancelled.
 */
export type JourneyStatusAttribute = JourneyStatus | 'cancelled';

export interface PollingPolicy {
  /** Wait between polls while the journey is in progress. Default 10 s. */
  baseIntervalMs: number;
  /** Extra wait per consecutive failed fetch. Default 5 s. */
  errorBackoffMs: number;
  /** The workflow gives up after this many consecutive failed fetches. Default 30. */
  maxConsecutiveErrors: number;
  /** Opt-in: poll less often while a journey stays unchanged for long. Absent: every wait is `baseIntervalMs`. */
  slowdown?: PollingSlowdown;
}

/**
 * A journey-age-aware schedule (docs/client.md "Slowing down long journeys"). Once the journey has been quiet for
 * `afterMs` (no change of status, provider status or decision, and no new webhook, since the start or the last
 * change), each successful fetch's wait is the previous one × `factor`, from `baseIntervalMs` up to `maxIntervalMs`.
 * A change (or a new webhook) puts the wait back to `baseIntervalMs` and restarts the quiet clock. Failed fetches
 * neither grow nor reset it: the error backoff is added on top of it. Carried whole across continue-as-new.
 */
export interface PollingSlowdown {
  /** Quiet this long before the waits grow (0 to 31 days). Recommended: 15 min. */
  afterMs: number;
  /** Growth per successful quiet poll (more than 1, at most 10). Recommended: 2. */
  factor: number;
  /** The longest wait after a successful fetch (`baseIntervalMs` to 24 h). Recommended: 5 min. */
  maxIntervalMs: number;
}

/** The recommended slowdown for providers whose webhooks are configured: 10 s for 15 minutes, then doubling to 5 min. */
export const RECOMMENDED_SLOWDOWN: PollingSlowdown = { afterMs: 900_000, factor: 2, maxIntervalMs: 300_000 };

/** Polling as a journey's input (and the client library's default) takes it: each setting optional, a slowdown whole. */
export type PollingInput = Partial<PollingPolicy>;

/**
 * Named policies (the CLI's `--polling <preset>`): `default` is the seeds' schedule, `webhooks` the recommended one
 * for providers whose webhooks reach the receiver (worst case without a webhook: a change is seen within 5 min).
 */
export const POLLING_PRESETS = {
  default: {},
  webhooks: { slowdown: RECOMMENDED_SLOWDOWN },
} as const satisfies Record<string, PollingInput>;
export type PollingPresetName = keyof typeof POLLING_PRESETS;

/**
 * Upper bound of one fetchState call (token, state and data blocks together): the activity aborts its HTTP
 * requests after it, and the workflow sizes the local activity's timeout from it.
 */
export const FETCH_TOTAL_TIMEOUT_MS = 7_000;

export const DEFAULT_POLLING: PollingPolicy = {
  baseIntervalMs: 10_000,
  errorBackoffMs: 5_000,
  maxConsecutiveErrors: 30,
};

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

/**
 * The longest `eventId` (and `providerStatus`) of a webhook signal: room for the adapters' 200-character event ids
 * and a GBG event id derived from a status. The workflow remembers up to 500 event ids across continue-as-new.
 */
export const MAX_WEBHOOK_TEXT_LENGTH = 256;

/** `journeyWebhook` signal argument: a provider said something changed. A hint; the workflow fetches to confirm. */
export interface JourneyWebhook {
  /** Provider event id; repeated ids are ignored. */
  eventId?: string;
  providerStatus?: string;
  receivedAt?: string;
}

export const journeyWebhookSignal = defineSignal<[JourneyWebhook]>('journeyWebhook');

export interface JourneyProgress {
  status: JourneyStatus;
  polls: number;
  consecutiveErrors: number;
  /** The journey's own error budget (its policy); absent from workflows started before it was reported. */
  maxConsecutiveErrors?: number;
  lastError?: string;
  /** ISO time of the next scheduled poll, while waiting. */
  nextPollAt?: string;
  /**
   * With a slowdown: the wait after a successful fetch now (`baseIntervalMs` until the journey has been quiet for
   * `afterMs`), and since when the journey has been quiet (its start, its last change or its last new webhook).
   */
  slowdown?: { intervalMs: number; quietSince: string };
  lastState?: JourneyState;
  webhooksReceived: number;
}

export const journeyProgressQuery = defineQuery<JourneyProgress>('journeyProgress');

/**
 * Failure types: `fetchState` throws ApplicationFailures of the FETCH_* types; the workflow fails with the
 * JOURNEY_* types. Details of a fetch failure are one `FetchFailureDetails` object.
 */
export const FETCH_FAILED = 'FetchFailed';
export const FETCH_REJECTED = 'FetchRejected';
/**
 * The fetch stopped because the journey's cancellation was requested while it ran (the activity asked the
 * server). Not a failed fetch: the workflow waits for the cancellation, which reaches it in its next task.
 */
export const FETCH_CANCELLED = 'FetchCancelled';
export const JOURNEY_POLLING_EXHAUSTED = 'JourneyPollingExhausted';
export const JOURNEY_REJECTED_BY_PROVIDER = 'JourneyRejectedByProvider';

export interface FetchFailureDetails {
  provider: JourneyProvider;
  /** HTTP status of the provider's reply, when there was one. */
  httpStatus?: number;
  /** The provider's request id (GBG `X-Request-ID`), for support tickets. */
  requestId?: string;
  /** From a 429's (or 503's) Retry-After, at most 10 min: the workflow waits at least this long before the next poll. */
  retryAfterMs?: number;
}
