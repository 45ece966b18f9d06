/** GBG GO requests (v1 and v2): the token request (either grant) and the state fetch `POST …/journey/state/fetch`. */
import {
  checkJourneyId,
  FORM_HEADERS,
  InvalidFetchInputError,
  JSON_HEADERS,
  trimSlash,
  type HttpRequestSpec,
} from '../adapter';
import { GBG_REGIONS, type GbgConfig } from './config';

function gbgRegion(config: GbgConfig, environment?: string): string {
  const region = environment ?? config.region;
  if (!(GBG_REGIONS as readonly string[]).includes(region)) {
    throw new InvalidFetchInputError(
      `unknown GBG region ${JSON.stringify(region.slice(0, 16))} (expected ${GBG_REGIONS.join(', ')})`,
    );
  }
  return region;
}

/** `{region}` in a configured URL (base or token URL) → the journey's region, checked even when unused. */
function inRegion(url: string, config: GbgConfig, environment?: string): string {
  const region = gbgRegion(config, environment);
  return url.replace(/\{region\}/g, region);
}

/** `path`: `/v2/captain/journey/state/fetch` (v2) or `/captain/api/journey/state/fetch` (v1). The body is only `{instanceId}`. */
export function gbgStateRequest(
  path: string,
  config: GbgConfig,
  journeyId: string,
  environment?: string,
): HttpRequestSpec {
  checkJourneyId(journeyId);
  return {
    method: 'POST',
    url: `${trimSlash(inRegion(config.baseUrl, config, environment))}${path}`,
    headers: { ...JSON_HEADERS },
    body: JSON.stringify({ instanceId: journeyId }),
  };
}

/**
 * Password grant (`client_id, client_secret, username, password`) or client_credentials + scope, form-encoded, to the
 * token URL: global (PingFederate) or on the journey's regional host (Keycloak), hence `{region}`.
 */
export function gbgTokenRequest(config: GbgConfig, environment?: string): HttpRequestSpec {
  const form = new URLSearchParams({
    grant_type: config.grant,
    client_id: config.clientId,
    client_secret: config.clientSecret,
  });
  if (config.grant === 'password') {
    form.set('username', config.username ?? '');
    form.set('password', config.password ?? '');
  }
  if (config.scope) form.set('scope', config.scope);
  const url = inRegion(config.tokenUrl, config, environment);
  return { method: 'POST', url, headers: { ...FORM_HEADERS }, body: form.toString() };
}

/** Everything that changes which token is issued (a regional token URL: one per region); no secret or password. */
export function gbgTokenKey(config: GbgConfig, environment?: string): string {
  const tokenUrl = inRegion(config.tokenUrl, config, environment);
  return JSON.stringify(['gbg', tokenUrl, config.clientId, config.grant, config.scope, config.username]);
}
