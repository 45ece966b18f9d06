/**
 * The polling policy: its settings, their defaults and bounds, the recommended slowdown and the CLI's presets.
 * Pure data, safe to import from workflow code; the schedule itself is src/workflows/schedule.ts.
 */

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

export const DEFAULT_POLLING: PollingPolicy = {
  baseIntervalMs: 10_000,
  errorBackoffMs: 5_000,
  maxConsecutiveErrors: 30,
};

export interface Bounds {
  min: number;
  max: number;
}

/** Inclusive bounds of each polling setting (milliseconds, or a count). */
export const POLLING_BOUNDS: Record<Exclude<keyof PollingPolicy, 'slowdown'>, Bounds> = {
  baseIntervalMs: { min: 1_000, max: 3_600_000 },
  errorBackoffMs: { min: 0, max: 600_000 },
  maxConsecutiveErrors: { min: 1, max: 1_000 },
};

/** Bounds of a slowdown's settings: ms, except `factor` (more than its min, up to its max; need not be whole). */
export const SLOWDOWN_BOUNDS: Record<keyof PollingSlowdown, Bounds> = {
  afterMs: { min: 0, max: 31 * 86_400_000 },
  factor: { min: 1, max: 10 },
  maxIntervalMs: { min: 1_000, max: 86_400_000 },
};
