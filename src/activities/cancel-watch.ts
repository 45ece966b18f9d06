/**
 * Cancel watch: while a slow fetch runs, ask the server now and then whether the journey's cancellation was
 * requested, and abort the fetch when it was.
 *
 * Why: fetchState runs as a local activity, which holds the workflow task open, so a cancel request reaches the
 * workflow (and the SDK's cancellation of the activity) only when that task ends or is renewed (at 80 % of the
 * workflow task timeout, 8 s by default). The server knows about the request at once
 * (DescribeWorkflowExecution's `workflowExtendedInfo.cancelRequested`), so the activity asks it instead. One
 * watcher per worker sends those lookups for all its fetches, within a bound per second, so a provider outage
 * (hundreds of slow fetches at once) does not turn into a flood of lookups on the server.
 */
import type { Context } from '@temporalio/activity';

/**
 * A fetch is watched only once it has run this long: the common, fast fetch makes no extra request.
 * Worst case from a cancel request to the aborted HTTP call is one interval plus one lookup round trip
 * (milliseconds on a healthy server), so 500 ms each keeps it well within 1 s, at ≤ 2 lookups per slow second.
 */
export const CANCEL_WATCH_FIRST_LOOKUP_MS = 500;
export const CANCEL_WATCH_LOOKUP_EVERY_MS = 500;

/**
 * Lookups per second a worker sends at most, shared by all its watched fetches. When a provider is slow for
 * everyone, hundreds of fetches are in flight at once and would each ask twice a second, loading the server just
 * when things are degraded. 20/s keeps the full 500 ms pace (the 1 s cancel bound) for up to 10 slow fetches at
 * once; beyond that each fetch is asked every (slow fetches / 20) s instead, and the SDK's own cancellation path
 * (at the workflow task's renewal) still applies.
 */
export const CANCEL_WATCH_MAX_LOOKUPS_PER_SECOND = 20;

/** Clock and timers, injectable for tests; the defaults are looked up at call time so fake timers apply too. */
export interface WatchTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: WatchTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface WatchedFetch {
  /** True once the journey's cancellation was requested. A lookup that fails is ignored; the next one retries. */
  isCancelRequested: () => Promise<boolean>;
  /** Called at most once, when a lookup says the cancellation was requested. */
  onCancelRequested: () => void;
}

export interface CancelWatcherOptions {
  firstLookupAfterMs?: number;
  lookupEveryMs?: number;
  maxLookupsPerSecond?: number;
  timers?: WatchTimers;
}

export interface CancelWatcher {
  /** Starts watching one fetch; the returned function stops it (call it when the fetch ends, however it ends). */
  watchCancelRequest(fetch: WatchedFetch): () => void;
  /** Fetches being watched now (0 once every fetch has stopped). */
  readonly watchedCount: number;
}

interface Watched extends WatchedFetch {
  /** No lookup before this time. */
  dueAt: number;
  lookingUp: boolean;
}

/**
 * The lookups of one worker: each watched fetch has at most one lookup in flight and waits `lookupEveryMs` after
 * an answer before the next; all together send at most `maxLookupsPerSecond` in any second. Fetches take turns
 * (round-robin): a fetch just looked up goes to the back of the line, so under load every one is still asked.
 * One timer for the whole worker, armed only while some fetch waits for its next lookup.
 */
export function createCancelWatcher(options: CancelWatcherOptions = {}): CancelWatcher {
  const timers = options.timers ?? realTimers;
  const first = options.firstLookupAfterMs ?? CANCEL_WATCH_FIRST_LOOKUP_MS;
  const every = options.lookupEveryMs ?? CANCEL_WATCH_LOOKUP_EVERY_MS;
  const maxPerSecond = options.maxLookupsPerSecond ?? CANCEL_WATCH_MAX_LOOKUPS_PER_SECOND;
  /** In turn order: a Set iterates in insertion order, and delete + add moves an entry to the back. */
  const line = new Set<Watched>();
  /** When the lookups of the last second were sent, oldest first. */
  const sentAt: number[] = [];
  let timer: unknown;
  /** When the armed timer fires (Infinity when none is armed). */
  let timerAt = Infinity;

  function lookUp(watched: Watched): void {
    watched.lookingUp = true;
    line.delete(watched);
    line.add(watched);
    sentAt.push(timers.now());
    void Promise.resolve()
      .then(() => watched.isCancelRequested())
      .catch(() => false)
      .then((requested) => {
        watched.lookingUp = false;
        if (!line.has(watched)) return; // stopped meanwhile
        if (requested) {
          line.delete(watched);
          watched.onCancelRequested();
        } else watched.dueAt = timers.now() + every;
        sendDueLookups();
      });
  }

  /** Sends every lookup that is due and within the budget, then sleeps until the next one can be. */
  function sendDueLookups(): void {
    disarm();
    const now = timers.now();
    while (sentAt.length > 0 && sentAt[0]! <= now - 1_000) sentAt.shift();
    let nextDueAt = Infinity;
    for (const watched of [...line]) {
      if (watched.lookingUp) continue;
      if (watched.dueAt <= now && sentAt.length < maxPerSecond) lookUp(watched);
      else nextDueAt = Math.min(nextDueAt, watched.dueAt);
    }
    if (nextDueAt === Infinity) return;
    const budgetFreeAt = sentAt.length < maxPerSecond ? now : sentAt[0]! + 1_000;
    timerAt = Math.max(nextDueAt, budgetFreeAt);
    timer = timers.setTimeout(sendDueLookups, timerAt - now);
  }

  function disarm(): void {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
    timerAt = Infinity;
  }

  return {
    watchCancelRequest(fetch) {
      const watched: Watched = { ...fetch, dueAt: timers.now() + first, lookingUp: false };
      line.add(watched);
      // Most fetches end before their first lookup: re-plan (a scan of every watched fetch) only when this one
      // is due before the armed timer, which otherwise finds it when it fires.
      if (watched.dueAt < timerAt) sendDueLookups();
      return () => {
        if (line.delete(watched) && line.size === 0) disarm();
      };
    },
    get watchedCount() {
      return line.size;
    },
  };
}

/**
 * The lookup for the workflow that called this activity, through the worker's client; undefined when there is
 * none to ask (not called by a workflow, or no client, e.g. a test's mock environment).
 */
export function workflowCancelRequestedLookup(ctx: Context): (() => Promise<boolean>) | undefined {
  const execution = ctx.info.workflowExecution;
  if (!execution) return undefined;
  let client: Context['client'];
  try {
    client = ctx.client;
  } catch {
    return undefined;
  }
  const request = { namespace: ctx.info.namespace, execution };
  return async () => {
    const described = await client.workflowService.describeWorkflowExecution(request);
    return described.workflowExtendedInfo?.cancelRequested === true;
  };
}

export interface JourneyCancelWatch {
  /** Aborts when the journey's cancellation was requested; never aborts when nothing can be asked. */
  signal: AbortSignal;
  stop(): void;
}

/**
 * Watches the calling workflow's cancellation for one fetch, with the worker's watcher (nothing to watch outside
 * a workflow's activity).
 */
export function watchJourneyCancel(ctx: Context | undefined, watcher: CancelWatcher): JourneyCancelWatch {
  const controller = new AbortController();
  const isCancelRequested = ctx && workflowCancelRequestedLookup(ctx);
  if (!isCancelRequested) return { signal: controller.signal, stop: () => undefined };
  const stop = watcher.watchCancelRequest({
    isCancelRequested,
    onCancelRequested: () => controller.abort(new Error("the journey's cancellation was requested")),
  });
  return { signal: controller.signal, stop };
}
