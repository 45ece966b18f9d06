/**
 * The fetchState activity: authenticate (cached token), fetch the provider's state, classify the HTTP status,
 * normalise, and return a compact JourneyState. Every failure leaves as a FETCH_FAILED or FETCH_REJECTED
 * ApplicationFailure, or FETCH_CANCELLED when the journey's cancellation is requested while it runs (see
 * ./cancel-watch). Never logs tokens, secrets, bodies or PII.
 *
 * Longer than our ~250-line guideline on purpose: the request sequence (token, state, optional data blocks with
 * bounded retries) and its failure classification are one path; provider specifics live in the adapters.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import type { Dispatcher } from 'undici';
import { parseJsonOrThrow } from '../json';
import type { FetchStateInput, JourneyPoll, JourneyState } from '../contract/journey-state';
import type { JourneyProvider } from '../contract/vocabulary';
import {
  InvalidFetchInputError,
  type FetchPlan,
  type HttpRequestSpec,
  type SupplementPlan,
} from '../providers/adapter';
import type { ProviderConfig } from '../providers/config';
import { ProviderResponseError } from '../providers/errors';
import { adapterFor } from '../providers/registry';
import { createCancelWatcher, watchJourneyCancel, type CancelWatcher } from './cancel-watch';
import { FetchError, fetchCancelledFailure, httpStatusError, responseDetails, toApplicationFailure } from './failures';
import {
  createProviderAgent,
  DEFAULT_HTTP_OPTIONS,
  HttpTransportError,
  sendRequest,
  type HttpOptions,
  type HttpResponse,
} from './http';
import { TokenCache, type IssuedToken } from './token-cache';

export interface FetchLogger {
  debug(message: string, attrs?: Record<string, unknown>): void;
  warn(message: string, attrs?: Record<string, unknown>): void;
}

export interface FetchStateDeps {
  config: ProviderConfig;
  /** undici dispatcher: a pooled keep-alive Agent by default (createProviderAgent). */
  dispatcher?: Dispatcher;
  now?: () => number;
  http?: Partial<HttpOptions>;
  tokenCache?: TokenCache;
  /** Defaults to the activity context's logger (nothing outside an activity). */
  logger?: FetchLogger;
  /** Asks the server whether a slow fetch's journey was cancelled; one per worker (createCancelWatcher). */
  cancelWatcher?: CancelWatcher;
}

interface Target extends FetchPlan {
  provider: JourneyProvider;
  normalise: (body: unknown, ctx: { journeyId: string; observedAt: string }) => JourneyState;
}

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

const contextLogger: FetchLogger = {
  debug: (m, a) => activityContext()?.log.debug(m, a),
  warn: (m, a) => activityContext()?.log.warn(m, a),
};

/** Data blocks: attempts per fetch (transient failures only), and the wait before the n-th retry (n × this). */
export const DATA_BLOCK_ATTEMPTS = 3;
const DATA_BLOCK_RETRY_DELAY_MS = 200;

/** The adapter's plan for this input; a provider without credentials fails saying what to set. */
function target(config: ProviderConfig, input: FetchStateInput): Target {
  const adapter = adapterFor(input.provider);
  if (!adapter)
    throw new InvalidFetchInputError(`unknown provider ${JSON.stringify(String(input.provider).slice(0, 32))}`);
  const plan = adapter.plan(config, input);
  if (!plan)
    throw new FetchError('failed', `${adapter.provider} is not configured: ${adapter.notConfigured}`, {
      provider: adapter.provider,
    });
  return { ...plan, provider: adapter.provider, normalise: adapter.normalise };
}

/** A poll for history: the full state once terminal, otherwise status, provider status and a decision if made. */
export function compactForHistory(state: JourneyState): JourneyPoll {
  if (state.terminal) return state;
  const { status, providerStatus, decision } = state;
  return decision === 'undecided' ? { status, providerStatus } : { status, providerStatus, decision };
}

export function createFetchState(deps: FetchStateDeps): (input: FetchStateInput) => Promise<JourneyPoll> {
  const now = deps.now ?? Date.now;
  const http: HttpOptions = { ...DEFAULT_HTTP_OPTIONS, ...deps.http };
  const dispatcher = deps.dispatcher ?? createProviderAgent(http);
  const tokens = deps.tokenCache ?? new TokenCache(now);
  const log = deps.logger ?? contextLogger;
  const cancelWatcher = deps.cancelWatcher ?? createCancelWatcher();

  async function send(spec: HttpRequestSpec, signal: AbortSignal): Promise<HttpResponse> {
    return sendRequest(dispatcher, spec, { ...http, signal });
  }

  function parseJson(t: Target, res: HttpResponse, what: string): unknown {
    return parseJsonOrThrow(
      res.text,
      () =>
        new FetchError(
          'failed',
          `${t.provider} ${what}: body is not valid JSON`,
          responseDetails(t.provider, res, now()),
        ),
    );
  }

  async function issueToken(t: Target, signal: AbortSignal): Promise<IssuedToken> {
    const res = await send(t.tokenRequest, signal);
    if (res.status < 200 || res.status > 299) throw httpStatusError(t.provider, 'token request', res, now());
    const body = parseJson(t, res, 'token response') as Record<string, unknown> | null;
    const accessToken = body?.access_token;
    const expiresIn = Number(body?.expires_in ?? 3600);
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new FetchError(
        'failed',
        `${t.provider} token response invalid at access_token: missing`,
        responseDetails(t.provider, res, now()),
      );
    }
    if (!Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new FetchError(
        'failed',
        `${t.provider} token response invalid at expires_in: not a positive number`,
        responseDetails(t.provider, res, now()),
      );
    }
    log.debug('provider token issued', { provider: t.provider, expiresInSec: expiresIn });
    return { accessToken, expiresInSec: expiresIn };
  }

  /**
   * Sends with the cached token; a 401 drops it, fetches a fresh one and retries once. A token request is shared by
   * every concurrent caller (single-flight), so it runs under its own deadline rather than one caller's cancellation.
   */
  async function authorised(t: Target, spec: HttpRequestSpec, signal: AbortSignal): Promise<HttpResponse> {
    const withToken = (token: string) => ({ ...spec, headers: { ...spec.headers, authorization: `Bearer ${token}` } });
    const issue = () => issueToken(t, AbortSignal.timeout(http.totalTimeoutMs));
    const token = await raceAbort(tokens.get(t.tokenKey, issue), signal);
    const res = await send(withToken(token), signal);
    if (res.status !== 401) return res;
    log.debug('provider answered 401; refreshing the token once', { provider: t.provider });
    tokens.invalidate(t.tokenKey, token);
    const fresh = await raceAbort(tokens.get(t.tokenKey, issue), signal);
    return send(withToken(fresh), signal);
  }

  /**
   * Adds the supplement (optional data such as data blocks: the subject) to a completed state. It is optional data: transient failures
   * are retried a bounded number of times, then the state is returned as it is, with a typed PII-free
   * `subjectUnavailable`.
   */
  async function withSupplement(
    t: Target,
    supplement: SupplementPlan,
    state: JourneyState,
    signal: AbortSignal,
    isCancelled: () => boolean,
  ): Promise<JourneyState> {
    let attempts = 0;
    for (;;) {
      attempts++;
      const outcome = await supplementOnce(t, supplement, signal);
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
        log.warn('data blocks unavailable; returning the state without the subject', {
          provider: t.provider,
          attempts,
          ...unavailable,
        });
        return { ...state, subjectUnavailable: { ...unavailable, attempts } };
      }
      await sleep(DATA_BLOCK_RETRY_DELAY_MS * attempts, undefined, { signal }).catch(() => undefined);
    }
  }

  type DataBlocksOutcome =
    | { blocks: ReturnType<SupplementPlan['read']> }
    | { reason: 'fetch_failed' | 'unreadable'; message: string; httpStatus?: number; transient: boolean };

  async function supplementOnce(
    t: Target,
    supplement: SupplementPlan,
    signal: AbortSignal,
  ): Promise<DataBlocksOutcome> {
    let res: HttpResponse;
    try {
      res = await authorised(t, supplement.request, signal);
    } catch (err) {
      const failure = asFetchError(t.provider, err, http.totalTimeoutMs);
      return { reason: 'fetch_failed', message: `data-block fetch: ${failure.message}`, transient: true };
    }
    if (res.status < 200 || res.status > 299) {
      const failure = httpStatusError(t.provider, 'data-block fetch', res, now());
      return {
        reason: 'fetch_failed',
        message: failure.message,
        httpStatus: res.status,
        transient: isTransientStatus(res.status),
      };
    }
    try {
      return { blocks: supplement.read(parseJson(t, res, 'data-block response')) };
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

  /** `signal` ends the HTTP requests (deadline or cancellation); `isCancelled` tells a cancellation apart. */
  async function fetchOnce(
    input: FetchStateInput,
    signal: AbortSignal,
    isCancelled: () => boolean,
  ): Promise<JourneyPoll> {
    const t = target(deps.config, input);
    const res = await authorised(t, t.stateRequest, signal);
    if (res.status < 200 || res.status > 299) throw httpStatusError(t.provider, 'state fetch', res, now());
    const body = parseJson(t, res, 'state response');
    const observedAt = new Date(now()).toISOString();
    let state: JourneyState;
    try {
      state = t.normalise(body, { journeyId: input.journeyId, observedAt });
    } catch (err) {
      if (err instanceof ProviderResponseError)
        throw new FetchError('failed', err.message, responseDetails(t.provider, res, now()));
      throw err;
    }
    if (t.supplement && state.status === 'completed')
      state = await withSupplement(t, t.supplement, state, signal, isCancelled);
    return compactForHistory(state);
  }

  return async function fetchState(input: FetchStateInput): Promise<JourneyPoll> {
    const ctx = activityContext();
    // The SDK's cancellation of the activity, and the cancel watch: whichever learns of the cancel first.
    const cancellation = ctx?.cancellationSignal;
    const watch = watchJourneyCancel(ctx, cancelWatcher);
    const deadline = AbortSignal.timeout(http.totalTimeoutMs);
    // One signal per fetch (this runs every poll): whichever of the three comes first ends the HTTP requests.
    const signal = AbortSignal.any(cancellation ? [cancellation, watch.signal, deadline] : [watch.signal, deadline]);
    const isCancelled = () => cancellation?.aborted === true || watch.signal.aborted;
    const provider = input.provider;
    try {
      return await fetchOnce(input, signal, isCancelled);
    } catch (err) {
      if (cancellation?.aborted) throw cancellation.reason ?? err;
      if (watch.signal.aborted) {
        log.debug('fetchState aborted: the journey cancellation was requested', { provider });
        throw fetchCancelledFailure(provider);
      }
      const fetchError = asFetchError(provider, err, http.totalTimeoutMs);
      const failure = toApplicationFailure(fetchError);
      // Expected failures (the workflow counts them) at DEBUG, like the SDK logs BENIGN ones; rejections at WARN.
      (fetchError.kind === 'rejected' ? log.warn : log.debug)('fetchState failed', {
        provider,
        failureType: failure.type,
        httpStatus: fetchError.details.httpStatus,
        requestId: fetchError.details.requestId,
        reason: fetchError.message,
      });
      throw failure;
    } finally {
      watch.stop();
    }
  };
}

/** Waits for the promise, or throws the signal's reason as soon as it aborts (the promise keeps running for others). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}

/** Worth another try: timeouts, conflicts, rate limits and server errors. */
function isTransientStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function asFetchError(provider: JourneyProvider, err: unknown, totalTimeoutMs: number): FetchError {
  if (err instanceof FetchError) return err;
  if (err instanceof InvalidFetchInputError)
    return new FetchError('rejected', `${provider}: ${err.message}`, { provider });
  if (err instanceof HttpTransportError) return new FetchError('failed', `${provider}: ${err.message}`, { provider });
  if ((err as { name?: string })?.name === 'TimeoutError') {
    return new FetchError('failed', `${provider}: no complete reply within ${totalTimeoutMs} ms`, { provider });
  }
  // Anything else is a bug here, not the provider's fault: say what it was without echoing data.
  return new FetchError(
    'failed',
    `${provider}: unexpected ${(err as { name?: string })?.name ?? 'error'} in fetchState`,
    { provider },
  );
}
