/**
 * What every step of a fetch shares: fetchState's dependencies with their defaults filled in (clock, HTTP options,
 * pooled undici Agent, token cache, logger, cancel watcher), and the two small helpers on top of them, sending a
 * request and reading a JSON body.
 */
import { Context } from '@temporalio/activity';
import type { Dispatcher } from 'undici';
import { parseJsonOrThrow } from '../json';
import type { JourneyProvider } from '../contract/vocabulary';
import type { HttpRequestSpec } from '../providers/adapter';
import type { ProviderConfig } from '../providers/config';
import { createCancelWatcher, type CancelWatcher } from './cancel-watch';
import { FetchError, responseDetails } from './failures';
import { createProviderAgent, DEFAULT_HTTP_OPTIONS, sendRequest, type HttpOptions, type HttpResponse } from './http';
import { TokenCache } from './token-cache';

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

/** The dependencies, resolved once per createFetchState and shared by all of its fetches. */
export interface FetchContext {
  config: ProviderConfig;
  now: () => number;
  http: HttpOptions;
  dispatcher: Dispatcher;
  tokens: TokenCache;
  log: FetchLogger;
  cancelWatcher: CancelWatcher;
}

export function activityContext(): Context | undefined {
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

export function resolveFetchContext(deps: FetchStateDeps): FetchContext {
  const now = deps.now ?? Date.now;
  const http: HttpOptions = { ...DEFAULT_HTTP_OPTIONS, ...deps.http };
  return {
    config: deps.config,
    now,
    http,
    dispatcher: deps.dispatcher ?? createProviderAgent(http),
    tokens: deps.tokenCache ?? new TokenCache(now),
    log: deps.logger ?? contextLogger,
    cancelWatcher: deps.cancelWatcher ?? createCancelWatcher(),
  };
}

export function send(ctx: FetchContext, spec: HttpRequestSpec, signal: AbortSignal): Promise<HttpResponse> {
  return sendRequest(ctx.dispatcher, spec, { ...ctx.http, signal });
}

/** The reply's JSON body; a body that is not JSON is a failed fetch naming `what` it was. */
export function parseJson(ctx: FetchContext, provider: JourneyProvider, res: HttpResponse, what: string): unknown {
  return parseJsonOrThrow(
    res.text,
    () =>
      new FetchError(
        'failed',
        `${provider} ${what}: body is not valid JSON`,
        responseDetails(provider, res, ctx.now()),
      ),
  );
}
