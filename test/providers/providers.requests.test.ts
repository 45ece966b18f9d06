/**
 * Requests as the providers' auth requires them. GBG Keycloak ("fabric") tenants' token endpoint is on the regional
 * host (`https://{region}.platform.go.gbgplc.com/auth/realms/go/protocol/openid-connect/token`, GBG's SDK spec):
 * `{region}` in GBG_TOKEN_URL is filled like in GBG_BASE_URL, and each region's token is cached apart. IDnow API
 * clients belong to one environment (`live` or `staging`): a journey in another one is rejected before any request.
 */
import { describe, expect, it } from 'vitest';
import { adapters, InvalidFetchInputError, ProviderConfigError, providerConfigFromEnv } from '../../src/providers';

const KEYCLOAK = 'https://{region}.platform.go.gbgplc.com/auth/realms/go/protocol/openid-connect/token';
const env = { GBG_CLIENT_ID: 'client', GBG_CLIENT_SECRET: 'secret', GBG_USERNAME: 'user', GBG_PASSWORD: 'pw' };
const journeyId = 'Pq_hhIX6-sHUy9FLSDzPLu';

function plan(tokenUrl: string | undefined, environment?: string) {
  const config = providerConfigFromEnv(tokenUrl ? { ...env, GBG_TOKEN_URL: tokenUrl } : env);
  const planned = adapters['gbg-go-v2'].plan(config, { provider: 'gbg-go-v2', journeyId, environment });
  if (!planned) throw new Error('GBG not configured');
  return planned;
}

describe('GBG token URL with {region}', () => {
  it('is filled with the input region (else GBG_REGION), like the state URL', () => {
    expect(plan(KEYCLOAK, 'us').tokenRequest.url).toBe(
      'https://us.platform.go.gbgplc.com/auth/realms/go/protocol/openid-connect/token',
    );
    expect(plan(KEYCLOAK).tokenRequest.url).toBe(
      'https://eu.platform.go.gbgplc.com/auth/realms/go/protocol/openid-connect/token',
    );
  });

  it('caches one token per region; the global PingFederate endpoint shares one token across regions', () => {
    expect(plan(KEYCLOAK, 'us').tokenKey).not.toBe(plan(KEYCLOAK, 'eu').tokenKey);
    expect(plan(undefined, 'us').tokenKey).toBe(plan(undefined, 'eu').tokenKey);
    expect(plan(undefined, 'us').tokenRequest.url).toBe('https://api.auth.gbgplc.com/as/token.oauth2');
  });
});

describe('GBG_BASE_URL', () => {
  it('must be an http(s) URL once {region} is filled: a bad one is a configuration error, not a failure per poll', () => {
    for (const GBG_BASE_URL of ['eu.platform.go.gbgplc.com', 'ftp://{region}.platform.go.gbgplc.com', 'https://']) {
      expect(() => providerConfigFromEnv({ ...env, GBG_BASE_URL }), GBG_BASE_URL).toThrow(ProviderConfigError);
      expect(() => providerConfigFromEnv({ ...env, GBG_BASE_URL }), GBG_BASE_URL).toThrow(/GBG_BASE_URL/);
    }
    expect(providerConfigFromEnv({ ...env, GBG_BASE_URL: 'http://127.0.0.1:4010/gbg/{region}' }).gbg?.baseUrl).toBe(
      'http://127.0.0.1:4010/gbg/{region}',
    );
  });
});

describe('IDnow environment of a journey', () => {
  const config = providerConfigFromEnv({ IDNOW_CLIENT_ID: 'c', IDNOW_CLIENT_SECRET: 's', IDNOW_ENVIRONMENT: 'live' });
  const plan = (environment?: string) =>
    adapters.idnow.plan(config, { provider: 'idnow', journeyId: 'session-1-0123456789ab', environment });

  it("the API client's own environment, given or not, is used in the path", () => {
    expect(plan()?.stateRequest.url).toBe(
      'https://api.eu.platform.idnow.io/api/v1/live/sessions/session-1-0123456789ab',
    );
    expect(plan('live')?.stateRequest.url).toBe(
      'https://api.eu.platform.idnow.io/api/v1/live/sessions/session-1-0123456789ab',
    );
  });

  it('another environment is rejected at once, naming both (its credentials could never read the session)', () => {
    expect(() => plan('staging')).toThrow(InvalidFetchInputError);
    expect(() => plan('staging')).toThrow(/"staging".*IDNOW_ENVIRONMENT.*"live"/);
  });
});
