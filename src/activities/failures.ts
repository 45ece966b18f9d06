/**
 * Turning provider replies and transport errors into the ApplicationFailures the workflow understands:
 * FETCH_REJECTED (non-retryable: 400/410/422, impossible input) or FETCH_FAILED (everything else), with one
 * FetchFailureDetails. Messages carry the provider's own error text (as its adapter reads it) at most,
 * never a body that may hold PII, never a token or secret.
 */
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { headerValue } from '../headers';
import { tryParseJson } from '../json';
import type { JourneyProvider } from '../contract/vocabulary';
import { adapterFor } from '../providers/registry';
import { compact } from '../providers/util';
import { FETCH_CANCELLED, FETCH_FAILED, FETCH_REJECTED, type FetchFailureDetails } from '../contract/errors';
import { InvalidFetchInputError } from '../providers/adapter';
import { HttpTransportError, retryAfterMs, type HttpResponse } from './http';

export class FetchError extends Error {
  override readonly name = 'FetchError';
  constructor(
    readonly kind: 'failed' | 'rejected',
    message: string,
    readonly details: FetchFailureDetails,
    /** Only for a bug in fetchState: the frames where it broke (never the error's message, which may echo data). */
    readonly frames?: string,
  ) {
    super(message);
  }
}

/** The provider's own error message, read by its adapter from the documented error body only. */
export function providerErrorMessage(provider: JourneyProvider, text: string): string | undefined {
  const parsed = tryParseJson(text);
  if (!parsed.ok) return undefined;
  const body = parsed.value;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return adapterFor(provider)?.errorMessage(body as Record<string, unknown>);
}

export function responseDetails(provider: JourneyProvider, res: HttpResponse, now: number): FetchFailureDetails {
  return compact({
    provider,
    httpStatus: res.status,
    requestId: headerValue(res.headers, 'x-request-id') ?? headerValue(res.headers, 'x-correlation-id'),
    retryAfterMs: retryAfterMs(headerValue(res.headers, 'retry-after'), now),
  });
}

const REASONS: Record<number, string> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'journey not found (it may not be visible yet)',
  409: 'conflict',
  410: 'gone (the provider no longer has this journey)',
  429: 'rate limited',
  500: 'internal error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

/**
 * 400, 422 and 410 on the state fetch are permanent: the request can never succeed, or the journey is gone for good.
 * 404 is not: a journey just started may not be visible yet, so it counts as a failed fetch like 401 (after the one
 * refresh), 403, 409, 429 and 5xx.
 */
export function httpStatusError(provider: JourneyProvider, what: string, res: HttpResponse, now: number): FetchError {
  const details = responseDetails(provider, res, now);
  const own = providerErrorMessage(provider, res.text);
  const reason =
    res.status === 401 && what !== 'token request' ? 'unauthorized, even after a token refresh' : REASONS[res.status];
  const message = `${provider} ${what}: HTTP ${res.status}${reason ? ` ${reason}` : ''}${own ? ` — ${own}` : ''}`;
  const permanent = (res.status === 400 || res.status === 410 || res.status === 422) && what === 'state fetch';
  return new FetchError(permanent ? 'rejected' : 'failed', message, details);
}

/**
 * A failed fetch is expected (providers time out, rate-limit, 5xx) and the workflow counts it: BENIGN keeps it at
 * DEBUG in the SDK's logs and out of its failure metrics. A rejection ends the journey, so it stays an error.
 * Its type, message and details say all there is: the stack trace would be the same frames of this function at
 * every failed poll, 1.1 KB of each one's history, so it carries none. A bug carries the frames where it broke.
 */
export function toApplicationFailure(error: FetchError): ApplicationFailure {
  const rejected = error.kind === 'rejected';
  return withStack(
    ApplicationFailure.create({
      message: error.message,
      type: rejected ? FETCH_REJECTED : FETCH_FAILED,
      nonRetryable: rejected,
      details: [error.details],
      ...(rejected ? {} : { category: ApplicationFailureCategory.BENIGN }),
    }),
    error.frames,
  );
}

/** The journey's cancellation was requested while the fetch ran: expected, so BENIGN, and never retried. */
export function fetchCancelledFailure(provider: JourneyProvider): ApplicationFailure {
  return withStack(
    ApplicationFailure.create({
      message: `${provider} fetch aborted: the journey's cancellation was requested`,
      type: FETCH_CANCELLED,
      nonRetryable: true,
      details: [{ provider } satisfies FetchFailureDetails],
      category: ApplicationFailureCategory.BENIGN,
    }),
  );
}

/** The failure's stack trace as history records it: none for an expected failure, a bug's own frames otherwise. */
function withStack(failure: ApplicationFailure, frames?: string): ApplicationFailure {
  failure.stack = frames ? `${failure.name}: ${failure.message}\n${frames}` : '';
  return failure;
}

/** The `at …` lines of an error's stack, without its first line (the message, which may echo what it read). */
function stackFrames(err: unknown): string | undefined {
  const stack = (err as { stack?: unknown })?.stack;
  if (typeof stack !== 'string') return undefined;
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  return frames.length ? frames.join('\n') : undefined;
}

/** Any error of a fetch as a FetchError: impossible input is a rejection, transport errors and timeouts failures. */
export function asFetchError(provider: JourneyProvider, err: unknown, totalTimeoutMs: number): FetchError {
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
    stackFrames(err),
  );
}
