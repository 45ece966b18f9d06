/**
 * The workflow-facing names the workflow, worker, client, webhook receiver and tests share: the task queue, the
 * workflow type, search attribute keys, the signal and the query with their types, and the fetch's time bound.
 * Safe to import from workflow code.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JourneyState } from './journey-state';
import type { JourneyStatus } from './vocabulary';

export const DEFAULT_TASK_QUEUE = 'journey-await';
/** What a task queue name may hold (JOURNEY_TASK_QUEUE and the client's taskQueue option). */
export const TASK_QUEUE_PATTERN = /^[A-Za-z0-9._:/-]{1,200}$/;

export const WORKFLOW_TYPE = 'awaitJourneyCompletion';

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
 * Upper bound of one fetchState call (token, state and data blocks together): the activity aborts its HTTP
 * requests after it, and the workflow sizes the local activity's timeout from it.
 */
export const FETCH_TOTAL_TIMEOUT_MS = 7_000;

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
