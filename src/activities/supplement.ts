/**
 * The supplement of a completed state (optional data such as data blocks: the subject). It is optional data:
 * transient failures are retried a bounded number of times, then the state is returned as it is, with a typed
 * PII-free `subjectUnavailable`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { JourneyState } from '../contract/journey-state';
import type { SupplementPlan } from '../providers/adapter';
import { ProviderResponseError } from '../providers/errors';
import { parseJson, type FetchContext } from './fetch-context';
import { asFetchError, FetchError, httpStatusError } from './failures';
import type { HttpResponse } from './http';
import { sendAuthorised, type Target } from './provider-requests';

/** Data blocks: attempts per fetch (transient failures only), and the wait before the n-th retry (n × this). */
export const DATA_BLOCK_ATTEMPTS = 3;
const DATA_BLOCK_RETRY_DELAY_MS = 200;

type SupplementOutcome =
  | { blocks: ReturnType<SupplementPlan['read']> }
  | { reason: 'fetch_failed' | 'unreadable'; message: string; httpStatus?: number; transient: boolean };

/** The state with the supplement added, or with `subjectUnavailable` once the attempts are spent. */
export async function withSupplement(
  ctx: FetchContext,
  t: Target,
  supplement: SupplementPlan,
  state: JourneyState,
  signal: AbortSignal,
  isCancelled: () => boolean,
): Promise<JourneyState> {
  let attempts = 0;
  for (;;) {
    attempts++;
    const outcome = await supplementOnce(ctx, t, supplement, signal);
    if ('blocks' in outcome) {
      const { blocks } = outcome;
      return {
        ...state,
        results: { ...blocks.results, ...state.results },
        ...(blocks.subject ? { subject: blocks.subject } : {}),
      };
    }
    if (isCancelled()) throw signal.reason ?? new Error('cancelled');
    if (!outcome.transient || attempts >= DATA_BLOCK_ATTEMPTS || signal.aborted) {
      const { transient: _transient, ...unavailable } = outcome;
      ctx.log.warn('data blocks unavailable; returning the state without the subject', {
        provider: t.provider,
        attempts,
        ...unavailable,
      });
      return { ...state, subjectUnavailable: { ...unavailable, attempts } };
    }
    await sleep(DATA_BLOCK_RETRY_DELAY_MS * attempts, undefined, { signal }).catch(() => undefined);
  }
}

async function supplementOnce(
  ctx: FetchContext,
  t: Target,
  supplement: SupplementPlan,
  signal: AbortSignal,
): Promise<SupplementOutcome> {
  let res: HttpResponse;
  try {
    res = await sendAuthorised(ctx, t, supplement.request, signal);
  } catch (err) {
    const failure = asFetchError(t.provider, err, ctx.http.totalTimeoutMs);
    return { reason: 'fetch_failed', message: `data-block fetch: ${failure.message}`, transient: true };
  }
  if (res.status < 200 || res.status > 299) {
    const failure = httpStatusError(t.provider, 'data-block fetch', res, ctx.now());
    return {
      reason: 'fetch_failed',
      message: failure.message,
      httpStatus: res.status,
      transient: isTransientStatus(res.status),
    };
  }
  try {
    return { blocks: supplement.read(parseJson(ctx, t.provider, res, 'data-block response')) };
  } catch (err) {
    if (err instanceof ProviderResponseError || err instanceof FetchError) {
      return {
        reason: 'unreadable',
        message: `${err.message} (data blocks)`,
        httpStatus: res.status,
        transient: false,
      };
    }
    throw err;
  }
}

/** Worth another try: timeouts, conflicts, rate limits and server errors. */
function isTransientStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
