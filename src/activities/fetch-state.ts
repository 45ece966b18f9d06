/**
 * The fetchState activity: authenticate (cached token), fetch the provider's state, classify the HTTP status,
 * normalise, and return a compact JourneyState. Every failure leaves as a FETCH_FAILED or FETCH_REJECTED
 * ApplicationFailure, or FETCH_CANCELLED when the journey's cancellation is requested while it runs (see
 * ./cancel-watch). Never logs tokens, secrets, bodies or PII.
 *
 * Its parts: ./fetch-context (the resolved dependencies), ./provider-requests (resolve the adapter, the token, an
 * authorised request), ./supplement (optional data blocks), ./failures (classify an error); here, one fetch and its
 * signals (deadline and cancellation) and how its failure leaves. Metrics wrap it in ./metrics.
 */
import type { FetchStateInput, JourneyPoll, JourneyState } from '../contract/journey-state';
import type { JourneyProvider } from '../contract/vocabulary';
import { ProviderResponseError } from '../providers/errors';
import { watchJourneyCancel } from './cancel-watch';
import {
  activityContext,
  parseJson,
  resolveFetchContext,
  type FetchContext,
  type FetchStateDeps,
} from './fetch-context';
import {
  asFetchError,
  FetchError,
  fetchCancelledFailure,
  httpStatusError,
  responseDetails,
  toApplicationFailure,
} from './failures';
import { resolveTarget, sendAuthorised } from './provider-requests';
import { withSupplement } from './supplement';

export type { FetchLogger, FetchStateDeps } from './fetch-context';
export { DATA_BLOCK_ATTEMPTS } from './supplement';

/** A poll for history: the full state once terminal, otherwise status, provider status and a decision if made. */
export function compactForHistory(state: JourneyState): JourneyPoll {
  if (state.terminal) return state;
  const { status, providerStatus, decision } = state;
  return decision === 'undecided' ? { status, providerStatus } : { status, providerStatus, decision };
}

/** How one fetch can end early: its deadline, the SDK's cancellation of the activity, or the cancel watch. */
interface FetchSignals {
  /** Ends the HTTP requests: whichever of the three comes first. */
  signal: AbortSignal;
  /** The SDK's cancellation of the activity, when running in one. */
  cancellation: AbortSignal | undefined;
  /** The cancel watch's signal: the journey's cancellation was requested. */
  watched: AbortSignal;
  isCancelled: () => boolean;
  stop: () => void;
}

/** One signal per fetch (this runs every poll): the SDK's cancellation and the cancel watch, whichever learns first. */
function fetchSignals(ctx: FetchContext): FetchSignals {
  const activity = activityContext();
  const cancellation = activity?.cancellationSignal;
  const watch = watchJourneyCancel(activity, ctx.cancelWatcher);
  const deadline = AbortSignal.timeout(ctx.http.totalTimeoutMs);
  const signal = AbortSignal.any(cancellation ? [cancellation, watch.signal, deadline] : [watch.signal, deadline]);
  const isCancelled = () => cancellation?.aborted === true || watch.signal.aborted;
  return { signal, cancellation, watched: watch.signal, isCancelled, stop: () => watch.stop() };
}

/** The provider's state for the input, normalised, with its supplement once completed, compact for history. */
async function fetchOnce(ctx: FetchContext, input: FetchStateInput, signals: FetchSignals): Promise<JourneyPoll> {
  const t = resolveTarget(ctx, input);
  const res = await sendAuthorised(ctx, t, t.stateRequest, signals.signal);
  if (res.status < 200 || res.status > 299) throw httpStatusError(t.provider, 'state fetch', res, ctx.now());
  const body = parseJson(ctx, t.provider, res, 'state response');
  const observedAt = new Date(ctx.now()).toISOString();
  let state: JourneyState;
  try {
    state = t.normalise(body, { journeyId: input.journeyId, observedAt });
  } catch (err) {
    if (err instanceof ProviderResponseError)
      throw new FetchError('failed', err.message, responseDetails(t.provider, res, ctx.now()));
    throw err;
  }
  if (t.supplement && state.status === 'completed')
    state = await withSupplement(ctx, t, t.supplement, state, signals.signal, signals.isCancelled);
  return compactForHistory(state);
}

/** What a failed fetch throws: the SDK's cancellation as it is, FETCH_CANCELLED, or FETCH_FAILED / FETCH_REJECTED. */
function failureOf(ctx: FetchContext, provider: JourneyProvider, signals: FetchSignals, err: unknown): unknown {
  if (signals.cancellation?.aborted) return signals.cancellation.reason ?? err;
  if (signals.watched.aborted) {
    ctx.log.debug('fetchState aborted: the journey cancellation was requested', { provider });
    return fetchCancelledFailure(provider);
  }
  const fetchError = asFetchError(provider, err, ctx.http.totalTimeoutMs);
  const failure = toApplicationFailure(fetchError);
  // Expected failures (the workflow counts them) at DEBUG, like the SDK logs BENIGN ones; rejections at WARN.
  (fetchError.kind === 'rejected' ? ctx.log.warn : ctx.log.debug)('fetchState failed', {
    provider,
    failureType: failure.type,
    httpStatus: fetchError.details.httpStatus,
    requestId: fetchError.details.requestId,
    reason: fetchError.message,
  });
  return failure;
}

export function createFetchState(deps: FetchStateDeps): (input: FetchStateInput) => Promise<JourneyPoll> {
  const ctx = resolveFetchContext(deps);
  return async function fetchState(input: FetchStateInput): Promise<JourneyPoll> {
    const signals = fetchSignals(ctx);
    try {
      return await fetchOnce(ctx, input, signals);
    } catch (err) {
      throw failureOf(ctx, input.provider, signals, err);
    } finally {
      signals.stop();
    }
  };
}
