/**
 * Request building, pure: state fetches, IDnow data blocks, and the OAuth2 token requests (form-encoded).
 * The activity adds the bearer token and sends them.
 */
import type { JourneyProvider } from '../journey';
import { GBG_REGIONS, type GbgConfig, type IdnowConfig } from './config';

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Thrown for an input the provider could never accept (bad region/environment/id): a permanent error. */
export class InvalidFetchInputError extends Error {
  override readonly name = 'InvalidFetchInputError';
}

const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function checkJourneyId(journeyId: string): void {
  if (typeof journeyId !== 'string' || journeyId.length === 0 || journeyId.length > 256 || [...journeyId].some((ch) => ch.charCodeAt(0) < 0x21 || ch.charCodeAt(0) === 0x7f)) {
    throw new InvalidFetchInputError('journeyId must be 1–256 characters without whitespace or control characters');
  }
}

export function gbgRegion(config: GbgConfig, environment?: string): string {
  const region = environment ?? config.region;
  if (!(GBG_REGIONS as readonly string[]).includes(region)) {
    throw new InvalidFetchInputError(`unknown GBG region ${JSON.stringify(region.slice(0, 16))} (expected ${GBG_REGIONS.join(', ')})`);
  }
  return region;
}

export function gbgStateRequest(
  provider: Extract<JourneyProvider, 'gbg-go-v2' | 'gbg-go-v1'>,
  config: GbgConfig,
  journeyId: string,
  environment?: string,
): HttpRequestSpec {
  checkJourneyId(journeyId);
  const base = trimSlash(config.baseUrl.replace(/\{region\}/g, gbgRegion(config, environment)));
  const path = provider === 'gbg-go-v2' ? '/v2/captain/journey/state/fetch' : '/captain/api/journey/state/fetch';
  return { method: 'POST', url: `${base}${path}`, headers: { ...JSON_HEADERS }, body: JSON.stringify({ instanceId: journeyId }) };
}

export function idnowEnvironment(config: IdnowConfig, environment?: string): string {
  const env = environment ?? config.environment;
  if (!/^[a-z0-9-]{1,32}$/.test(env)) throw new InvalidFetchInputError('IDnow environment must be like "live" or "staging"');
  return env;
}

export function idnowStateRequest(config: IdnowConfig, sessionId: string, environment?: string): HttpRequestSpec {
  checkJourneyId(sessionId);
  const env = idnowEnvironment(config, environment);
  return {
    method: 'GET',
    url: `${trimSlash(config.baseUrl)}/api/v1/${env}/sessions/${encodeURIComponent(sessionId)}`,
    headers: { accept: 'application/json' },
  };
}

export function idnowDataBlocksRequest(config: IdnowConfig, sessionId: string, environment?: string): HttpRequestSpec {
  const state = idnowStateRequest(config, sessionId, environment);
  return { ...state, url: `${state.url}/datablocks` };
}

const FORM_HEADERS = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };

/** GBG: password grant (`client_id, client_secret, username, password`) or client_credentials + scope. */
export function gbgTokenRequest(config: GbgConfig): HttpRequestSpec {
  const form = new URLSearchParams({ grant_type: config.grant, client_id: config.clientId, client_secret: config.clientSecret });
  if (config.grant === 'password') {
    form.set('username', config.username ?? '');
    form.set('password', config.password ?? '');
  }
  if (config.scope) form.set('scope', config.scope);
  return { method: 'POST', url: config.tokenUrl, headers: { ...FORM_HEADERS }, body: form.toString() };
}

/** application/x-www-form-urlencoded encoding of one value (space → `+`), as RFC 6749 §2.3.1 asks for. */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/** The HTTP Basic credentials: raw `id:secret` as IDnow documents, or each part form-encoded first (RFC 6749). */
export function basicCredentials(id: string, secret: string, formEncoded: boolean): string {
  const pair = formEncoded ? `${formEncode(id)}:${formEncode(secret)}` : `${id}:${secret}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

/** IDnow: client_credentials, the secret in the body (client_secret_post) or as HTTP Basic (client_secret_basic). */
export function idnowTokenRequest(config: IdnowConfig): HttpRequestSpec {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  const headers: Record<string, string> = { ...FORM_HEADERS };
  if (config.clientAuth === 'post') {
    form.set('client_id', config.clientId);
    form.set('client_secret', config.clientSecret);
  } else {
    headers.authorization = basicCredentials(config.clientId, config.clientSecret, config.clientAuth === 'basic-urlencoded');
  }
  return { method: 'POST', url: config.tokenUrl, headers, body: form.toString() };
}

/** The cache key of a credential set: everything that changes which token the endpoint issues (secret hashed out). */
export function credentialKey(family: 'gbg' | 'idnow', config: GbgConfig | IdnowConfig): string {
  const c = config as Partial<GbgConfig & IdnowConfig>;
  return JSON.stringify([family, c.tokenUrl, c.clientId, c.grant, c.scope, c.username, c.clientAuth]);
}
