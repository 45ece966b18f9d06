/**
 * A fetch's requests to the provider: the adapter's plan for the input (resolve the adapter), the provider's token
 * (issued once and cached, single-flight), and a request sent with it (a 401 refreshes the token once).
 */
import type { FetchStateInput, JourneyState } from '../contract/journey-state';
import type { JourneyProvider } from '../contract/vocabulary';
import { InvalidFetchInputError, type FetchPlan, type HttpRequestSpec } from '../providers/adapter';
import { adapterFor } from '../providers/registry';
import { parseJson, send, type FetchContext } from './fetch-context';
import { FetchError, httpStatusError, responseDetails } from './failures';
import type { HttpResponse } from './http';
import type { IssuedToken } from './token-cache';

export interface Target extends FetchPlan {
  provider: JourneyProvider;
  normalise: (body: unknown, ctx: { journeyId: string; observedAt: string }) => JourneyState;
}

/** The adapter's plan for this input; a provider without credentials fails saying what to set. */
export function resolveTarget(ctx: FetchContext, input: FetchStateInput): Target {
  const adapter = adapterFor(input.provider);
  if (!adapter)
    throw new InvalidFetchInputError(`unknown provider ${JSON.stringify(String(input.provider).slice(0, 32))}`);
  const plan = adapter.plan(ctx.config, input);
  if (!plan)
    throw new FetchError('failed', `${adapter.provider} is not configured: ${adapter.notConfigured}`, {
      provider: adapter.provider,
    });
  return { ...plan, provider: adapter.provider, normalise: adapter.normalise };
}

async function issueToken(ctx: FetchContext, t: Target, signal: AbortSignal): Promise<IssuedToken> {
  const res = await send(ctx, t.tokenRequest, signal);
  if (res.status < 200 || res.status > 299) throw httpStatusError(t.provider, 'token request', res, ctx.now());
  const body = parseJson(ctx, t.provider, res, 'token response') as Record<string, unknown> | null;
  const accessToken = body?.access_token;
  const expiresIn = Number(body?.expires_in ?? 3600);
  const invalid = (at: string, why: string) =>
    new FetchError(
      'failed',
      `${t.provider} token response invalid at ${at}: ${why}`,
      responseDetails(t.provider, res, ctx.now()),
    );
  if (typeof accessToken !== 'string' || accessToken === '') throw invalid('access_token', 'missing');
  if (!Number.isFinite(expiresIn) || expiresIn <= 0) throw invalid('expires_in', 'not a positive number');
  ctx.log.debug('provider token issued', { provider: t.provider, expiresInSec: expiresIn });
  return { accessToken, expiresInSec: expiresIn };
}

/**
 * Sends with the cached token; a 401 drops it, fetches a fresh one and retries once. A token request is shared by
 * every concurrent caller (single-flight), so it runs under its own deadline rather than one caller's cancellation.
 */
export async function sendAuthorised(
  ctx: FetchContext,
  t: Target,
  spec: HttpRequestSpec,
  signal: AbortSignal,
): Promise<HttpResponse> {
  const withToken = (token: string) => ({ ...spec, headers: { ...spec.headers, authorization: `Bearer ${token}` } });
  const issue = () => issueToken(ctx, t, AbortSignal.timeout(ctx.http.totalTimeoutMs));
  const token = await raceAbort(ctx.tokens.get(t.tokenKey, issue), signal);
  const res = await send(ctx, withToken(token), signal);
  if (res.status !== 401) return res;
  ctx.log.debug('provider answered 401; refreshing the token once', { provider: t.provider });
  ctx.tokens.invalidate(t.tokenKey, token);
  const fresh = await raceAbort(ctx.tokens.get(t.tokenKey, issue), signal);
  return send(ctx, withToken(fresh), signal);
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
