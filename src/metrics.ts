/**
 * The product's metric names and histogram buckets, in Prometheus conventions: a `journey_await_` prefix, base
 * units (seconds), `_total` on counters. Low-cardinality labels only (provider, status, decision, source,
 * failure type, outcome, HTTP status class, reply code): never a journey id, never the subject's data.
 * docs/operating.md lists each with its labels. Safe to import from workflow code (constants only).
 */

/** Worker, from the workflow (its metric meter; nothing is emitted while a history replays). */
export const WORKFLOW_METRICS = {
  journeysFinished: 'journey_await_journeys_finished_total',
  journeyDuration: 'journey_await_journey_duration_seconds',
  journeyPolls: 'journey_await_journey_polls',
  polls: 'journey_await_polls_total',
  pollJourneyAge: 'journey_await_poll_journey_age_seconds',
  webhooks: 'journey_await_journey_webhooks_total',
  webhooksChangedOutcome: 'journey_await_journey_webhooks_changed_outcome_total',
} as const;

/** Worker, from fetchState (the activity's metric meter). */
export const FETCH_METRICS = {
  fetches: 'journey_await_fetches_total',
  fetchDuration: 'journey_await_fetch_duration_seconds',
} as const;

/** Webhook receiver, on its own /metrics (WEBHOOK_METRICS_BIND). */
export const WEBHOOK_METRICS = {
  requests: 'journey_await_webhook_requests_total',
  authFailures: 'journey_await_webhook_auth_failures_total',
  signalDuration: 'journey_await_webhook_signal_duration_seconds',
  signals: 'journey_await_webhook_signals_total',
  journeysRunning: 'journey_await_journeys_running',
} as const;

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/** Bucket bounds of every histogram (the worker hands its own to the Runtime's Prometheus exporter). */
export const METRIC_BUCKETS = {
  /** Journeys take minutes to days; 86400 (a day) is the bound JourneyInProgressTooLong reads. */
  [WORKFLOW_METRICS.journeyDuration]: [
    MINUTE,
    5 * MINUTE,
    15 * MINUTE,
    HOUR,
    4 * HOUR,
    DAY,
    3 * DAY,
    7 * DAY,
    30 * DAY,
  ],
  [WORKFLOW_METRICS.pollJourneyAge]: [MINUTE, 15 * MINUTE, HOUR, 4 * HOUR, DAY, 3 * DAY, 7 * DAY, 30 * DAY],
  [WORKFLOW_METRICS.journeyPolls]: [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
  /** The last bound is past FETCH_TOTAL_TIMEOUT_MS (7 s): a timed-out fetch lands in its own bucket. */
  [FETCH_METRICS.fetchDuration]: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 7.5, 10],
  [WEBHOOK_METRICS.signalDuration]: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
} as const satisfies Record<string, readonly number[]>;
