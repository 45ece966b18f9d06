/**
 * Cancel watch: while a slow fetch runs, ask the server now and then whether the journey's cancellation was
 * requested, and abort the fetch when it was.
 *
 * Why: fetchState runs as a local activity, which holds the workflow task open, so a cancel request reaches the
 * workflow (and the SDK's cancellation of the activity) only when that task ends or is renewed (at 80 % of the
 * workflow task timeout, 8 s by default). The server knows about the request at once
 * (DescribeWorkflowExecution's `workflowExtendedInfo.cancelRequested`), so the activity asks it instead.
 */
import type { Context } from '@temporalio/activity';

/**
 * A fetch is watched only once it has run this long: the common, fast fetch makes no extra request.
 * Worst case from a cancel request to the aborted HTTP call is one interval plus one lookup round trip
 * (milliseconds on a healthy server), so 500 ms each keeps it well within 1 s, at ≤ 2 lookups per slow second.
 */
export const CANCEL_WATCH_FIRST_LOOKUP_MS = 500;
export const CANCEL_WATCH_LOOKUP_EVERY_MS = 500;

/** Timers, injectable for tests; the defaults are looked up at call time so fake timers apply too. */
export interface WatchTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: WatchTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface CancelWatchOptions {
  /** True once the journey's cancellation was requested. A lookup that fails is ignored; the next one retries. */
  isCancelRequested: () => Promise<boolean>;
  /** Called at most once, when a lookup says the cancellation was requested. */
  onCancelRequested: () => void;
  firstLookupAfterMs?: number;
  lookupEveryMs?: number;
  timers?: WatchTimers;
}

/**
 * Starts watching; the returned function stops it (call it when the fetch ends, however it ends). One lookup
 * at a time: the next is scheduled when the previous one has answered, so a slow server is not piled on.
 */
export function watchCancelRequest(options: CancelWatchOptions): () => void {
  const timers = options.timers ?? realTimers;
  const every = options.lookupEveryMs ?? CANCEL_WATCH_LOOKUP_EVERY_MS;
  let stopped = false;
  let timer: unknown;

  const schedule = (ms: number): void => {
    timer = timers.setTimeout(lookup, ms);
  };
  function lookup(): void {
    timer = undefined;
    Promise.resolve()
      .then(() => options.isCancelRequested())
      .then(
        (requested) => {
          if (stopped) return;
          if (!requested) return schedule(every);
          stopped = true;
          options.onCancelRequested();
        },
        () => {
          if (!stopped) schedule(every);
        },
      );
  }

  schedule(options.firstLookupAfterMs ?? CANCEL_WATCH_FIRST_LOOKUP_MS);
  return () => {
    stopped = true;
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
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

/** Watches the calling workflow's cancellation for one fetch (nothing to watch outside a workflow's activity). */
export function watchJourneyCancel(ctx: Context | undefined): JourneyCancelWatch {
  const controller = new AbortController();
  const isCancelRequested = ctx && workflowCancelRequestedLookup(ctx);
  if (!isCancelRequested) return { signal: controller.signal, stop: () => undefined };
  const stop = watchCancelRequest({
    isCancelRequested,
    onCancelRequested: () => controller.abort(new Error("the journey's cancellation was requested")),
  });
  return { signal: controller.signal, stop };
}
