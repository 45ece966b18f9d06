/**
 * What a provider adapter is: everything the product knows about one provider family, behind one interface, so
 * fetchState and the webhook receiver stay provider-neutral. One folder per family implements it; the registry
 * (registry.ts) maps each provider id to its adapter. Request building is pure: the activity adds the bearer token
 * and sends the requests.
 */
import { journeyIdProblem } from '../contract/identifiers';
import type { FetchStateInput, JourneyState, JourneySubject } from '../contract/journey-state';
import type { JourneyProvider } from '../contract/vocabulary';
import type { WebhookAuthConfig } from '../config/webhooks';
import type { ProviderConfig } from './config';
import type { NormaliseContext } from './util';

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Optional data read once a journey completed (IDnow data blocks): never allowed to lose the state itself. */
export interface SupplementPlan {
  request: HttpRequestSpec;
  /** Body → what it adds; throws ProviderResponseError for a body no documented shape matches. */
  read(body: unknown): { results: Record<string, { dataBlockId: string }>; subject?: JourneySubject };
}

/** The requests of one state fetch. */
export interface FetchPlan {
  /** The token cache key of the credential set (everything that changes which token is issued; no secret). */
  tokenKey: string;
  tokenRequest: HttpRequestSpec;
  stateRequest: HttpRequestSpec;
  supplement?: SupplementPlan;
}

/** A provider's webhook, as the receiver needs it: a wake-up hint, never the result. */
export interface WebhookEvent {
  journeyId?: string;
  /** Provider event id (repeats are ignored by the workflow); derived when the provider sends none. */
  eventId?: string;
  providerStatus?: string;
  environment?: string;
}

/**
 * How the receiver authenticates a provider's webhooks, with the settings in `auth[configKey]`: a shared secret
 * (HTTP Basic or an API-key header), or a signed JWT (RS256 against a JWKS, as an `application/jwt` body or in
 * `jwtHeader`) with a static header as the alternative.
 */
export type WebhookAuth =
  | { scheme: 'shared-secret'; configKey: keyof WebhookAuthConfig }
  | { scheme: 'signed-jwt'; configKey: keyof WebhookAuthConfig; jwtHeader: string };

export interface WebhookAdapter {
  auth: WebhookAuth;
  /** Where the body carries the journey id (for the 400 when neither body nor path has one). */
  journeyIdField: string;
  /**
   * The event in an authenticated webhook. `payload` is the verified JWT's claims for `signed-jwt`, otherwise the
   * parsed JSON body (undefined when empty). Throws WebhookBodyError naming the field, never echoing values.
   */
  parse(payload: unknown): WebhookEvent;
}

export interface ProviderAdapter {
  readonly provider: JourneyProvider;
  /** What to set to turn the provider on (env var names), for the "not configured" error. */
  readonly notConfigured: string;
  /** The requests of one fetch, or undefined when the provider is not configured. Pure; throws InvalidFetchInputError. */
  plan(config: ProviderConfig, input: FetchStateInput): FetchPlan | undefined;
  /** Body → JourneyState, or a ProviderResponseError naming the bad field. Pure. */
  normalise(body: unknown, ctx: NormaliseContext): JourneyState;
  /** The provider's own message from a documented error body: codes and short text only, never input echoes. */
  errorMessage(body: Record<string, unknown>): string | undefined;
  readonly webhook: WebhookAdapter;
}

// The adapters' errors live in ./errors (one catalogue for the provider boundary); re-exported where they were.
import { InvalidFetchInputError, WebhookBodyError } from './errors';

export { InvalidFetchInputError, WebhookBodyError };

export const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };
export const FORM_HEADERS = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The contract's journey-id rule, as a permanent fetch error: a request for any other id could never succeed. */
export function checkJourneyId(journeyId: string): void {
  const problem = journeyIdProblem(journeyId);
  if (problem) throw new InvalidFetchInputError(`journeyId ${problem}`);
}

/** application/x-www-form-urlencoded encoding of one value (space → `+`), as RFC 6749 §2.3.1 asks for. */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/** HTTP Basic credentials: raw `id:secret`, or each part form-encoded first (RFC 6749 §2.3.1). */
export function basicCredentials(id: string, secret: string, formEncoded: boolean): string {
  const pair = formEncoded ? `${formEncode(id)}:${formEncode(secret)}` : `${id}:${secret}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}
