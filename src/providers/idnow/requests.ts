/** IDnow requests: the OAuth client_credentials token request, the session fetch and the data-block fetch. */
import {
  basicCredentials,
  checkJourneyId,
  FORM_HEADERS,
  InvalidFetchInputError,
  trimSlash,
  type HttpRequestSpec,
} from '../adapter';
import { environmentProblem } from '../../contract/identifiers';
import type { IdnowConfig } from './config';

/** IDnow API clients (and so our one credential set) belong to one environment: another one can never be read. */
function idnowEnvironment(config: IdnowConfig, environment?: string): string {
  const env = environment ?? config.environment;
  if (environmentProblem(env) !== undefined)
    throw new InvalidFetchInputError('IDnow environment must be like "live" or "staging"');
  if (env !== config.environment) {
    throw new InvalidFetchInputError(
      `IDnow environment "${env}" is not the configured API client's (IDNOW_ENVIRONMENT="${config.environment}")`,
    );
  }
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

/** client_credentials, the secret in the body (client_secret_post) or as HTTP Basic (client_secret_basic). */
export function idnowTokenRequest(config: IdnowConfig): HttpRequestSpec {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  const headers: Record<string, string> = { ...FORM_HEADERS };
  if (config.clientAuth === 'post') {
    form.set('client_id', config.clientId);
    form.set('client_secret', config.clientSecret);
  } else {
    headers.authorization = basicCredentials(
      config.clientId,
      config.clientSecret,
      config.clientAuth === 'basic-urlencoded',
    );
  }
  return { method: 'POST', url: config.tokenUrl, headers, body: form.toString() };
}

/** Everything that changes which token is issued; the secret is left out. */
export function idnowTokenKey(config: IdnowConfig): string {
  return JSON.stringify(['idnow', config.tokenUrl, config.clientId, config.clientAuth]);
}
