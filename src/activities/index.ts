/**
 * Activities of the journey-await worker. `createActivities(deps)` returns `{ fetchState }`; the worker passes
 * the provider configuration (providerConfigFromEnv) and, optionally, its own undici Agent and clock. Each call
 * makes one cancel watcher (the bound on its lookups per second) shared by all its fetches, unless one is passed.
 */
import type { FetchStateInput, JourneyPoll } from '../contract/journey-state';
import { createFetchState, type FetchStateDeps } from './fetch-state';
import { withFetchMetrics } from './metrics';

export type { FetchStateDeps, FetchLogger } from './fetch-state';
export { compactForHistory, createFetchState } from './fetch-state';
export { createCancelWatcher, type CancelWatcher } from './cancel-watch';
export { createProviderAgent, DEFAULT_HTTP_OPTIONS, type HttpOptions } from './http';
export { TokenCache } from './token-cache';
export { classifyFetch, withFetchMetrics, type FetchOutcome } from './metrics';

export interface Activities {
  /** One poll; in-progress results are compact (see JourneyPoll). */
  fetchState(input: FetchStateInput): Promise<JourneyPoll>;
}

export function createActivities(deps: FetchStateDeps): Activities {
  return { fetchState: withFetchMetrics(createFetchState(deps)) };
}
