/**
 * fetchState's metrics, on the worker's Prometheus endpoint (the activity context's metric meter, so they carry the
 * worker's namespace and task queue): how long each fetch took and how it ended, by provider. Labels are classes,
 * never a journey id or anything the provider returned.
 */
import { trace } from '@opentelemetry/api';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, type MetricMeter } from '@temporalio/common';
import type { FetchStateInput, JourneyPoll } from '../contract/journey-state';
import { FETCH_METRICS } from '../metrics';
import { adapterFor } from '../providers/registry';
import { FETCH_CANCELLED, FETCH_REJECTED, type FetchFailureDetails } from '../contract/errors';

export type FetchOutcome = 'ok' | 'transient' | 'rejected' | 'timeout' | 'rate_limited' | 'cancelled';

/** fetchState's own wording of a fetch that ran out of its deadline (./failures asFetchError). */
const TIMEOUT_MESSAGE = /no complete reply within \d+ ms/;

/** How a fetch ended, and the HTTP status class of the provider's reply (`none` when there was no reply). */
export function classifyFetch(err: unknown): { outcome: FetchOutcome; httpStatusClass: string } {
  if (err === undefined) return { outcome: 'ok', httpStatusClass: '2xx' };
  const failure = err instanceof ApplicationFailure ? err : undefined;
  const status = (failure?.details?.[0] as FetchFailureDetails | undefined)?.httpStatus;
  const httpStatusClass = status ? `${Math.floor(status / 100)}xx` : 'none';
  if (!failure || failure.type === FETCH_CANCELLED) return { outcome: 'cancelled', httpStatusClass };
  if (failure.type === FETCH_REJECTED) return { outcome: 'rejected', httpStatusClass };
  if (status === 429) return { outcome: 'rate_limited', httpStatusClass };
  if (status === undefined && TIMEOUT_MESSAGE.test(failure.message)) return { outcome: 'timeout', httpStatusClass };
  return { outcome: 'transient', httpStatusClass };
}

function httpStatusAttribute(err: unknown): { 'http.response.status_code'?: number } {
  const status = err instanceof ApplicationFailure ? (err.details?.[0] as FetchFailureDetails)?.httpStatus : undefined;
  return status ? { 'http.response.status_code': status } : {};
}

function contextMeter(): MetricMeter | undefined {
  try {
    return Context.current().metricMeter;
  } catch {
    return undefined;
  }
}

type FetchState = (input: FetchStateInput) => Promise<JourneyPoll>;

/**
 * Wraps fetchState: one `journey_await_fetches_total` sample and one duration per call. Failures pass through
 * unchanged. `meter` is for tests; by default the running activity's meter (none outside an activity).
 */
export function withFetchMetrics(
  fetchState: FetchState,
  meter: () => MetricMeter | undefined = contextMeter,
  now: () => number = () => performance.now(),
): FetchState {
  return async function fetchStateMeasured(input) {
    const started = now();
    let error: unknown;
    try {
      return await fetchState(input);
    } catch (err) {
      error = err ?? new Error('fetchState threw nothing');
      throw err;
    } finally {
      const { outcome, httpStatusClass } = classifyFetch(error);
      // A known provider's name, never whatever string an input held.
      const provider = adapterFor(input.provider)?.provider ?? 'unknown';
      // The activity's span when tracing is on (its interceptor makes it active): classes only, never data.
      trace.getActiveSpan()?.setAttributes({
        'journey.provider': provider,
        'journey.fetch.outcome': outcome,
        'http.response.status_class': httpStatusClass,
        ...httpStatusAttribute(error),
      });
      const m = meter();
      if (m) {
        m.createCounter(
          FETCH_METRICS.fetches,
          undefined,
          'fetchState calls by provider, outcome and HTTP status class',
        ).add(1, { provider, outcome, http_status_class: httpStatusClass });
        m.createHistogram(
          FETCH_METRICS.fetchDuration,
          'float',
          's',
          'fetchState duration by provider and outcome',
        ).record(Math.max(0, now() - started) / 1000, { provider, outcome });
      }
    }
  };
}
