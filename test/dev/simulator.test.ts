/** The provider simulator: scripts, naming convention, admin API, auth enforcement, bodies, webhooks. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS, type JourneyProvider } from '../../src/contract/vocabulary';
import { normalise } from '../../src/providers';
import { createSigningKey, expandScript, parseStep, scriptFromJourneyId } from '../../dev/simulator';
import { useSimulator } from '../helpers/simulator-fixture';

let clock = Date.now();
const fixture = useSimulator({ simulator: { now: () => clock } });

async function call(
  method: 'GET' | 'POST',
  path: string,
  opts: { body?: string; headers?: Record<string, string> } = {},
) {
  const res = await request(`${fixture.sim.url}${path}`, { method, body: opts.body, headers: opts.headers });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json: json as Record<string, unknown> };
}

const gbgForm = () => {
  const c = fixture.sim.credentials.gbg;
  return `grant_type=password&client_id=${c.clientId}&client_secret=${c.clientSecret}&username=${c.username}&password=${c.password}`;
};

async function gbgToken(): Promise<string> {
  const res = await call('POST', '/gbg/as/token.oauth2', {
    body: gbgForm(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(res.status).toBe(200);
  expect(res.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
  return res.json.access_token as string;
}

describe('scripts', () => {
  it('parses the short step syntax', () => {
    expect(parseStep('in_progress x3')).toEqual({ step: { kind: 'state', status: 'in_progress' }, times: 3 });
    expect(parseStep('503 ×2')).toEqual({ step: { kind: 'http', httpStatus: 503 }, times: 2 });
    expect(parseStep('429 retry-after 20').step).toEqual({ kind: 'http', httpStatus: 429, retryAfterSeconds: 20 });
    expect(parseStep('429 retry-after 20s').step).toEqual({ kind: 'http', httpStatus: 429, retryAfterSeconds: 20 });
    expect(parseStep('slow 40s').step).toEqual({ kind: 'slow', delayMs: 40_000 });
    expect(parseStep('slow 500ms completed').step).toEqual({
      kind: 'slow',
      delayMs: 500,
      then: { kind: 'state', status: 'completed' },
    });
    expect(parseStep('completed variant=sdk outcome=rejected').step).toEqual({
      kind: 'state',
      status: 'completed',
      variant: 'sdk',
      outcome: 'rejected',
    });
    expect(parseStep('status Archived').step).toEqual({
      kind: 'state',
      status: 'in_progress',
      providerStatus: 'Archived',
    });
    expect(parseStep('malformed').step).toEqual({ kind: 'malformed' });
    expect(() => parseStep('explode')).toThrow(/unknown script step/);
    expect(expandScript(['in_progress x2', '503', 'completed'])).toHaveLength(4);
  });

  it('names script journeys', () => {
    expect(scriptFromJourneyId('sim-complete-after-3-abc')).toEqual(['in_progress x3', 'completed']);
    expect(scriptFromJourneyId('sim-errors-2-then-complete-x')).toEqual(['503 x2', 'completed']);
    expect(scriptFromJourneyId('sim-http-404-x')).toEqual(['404']);
    expect(scriptFromJourneyId('sim-ratelimit-20-x')).toEqual(['429 retry-after 20', 'completed']);
    expect(scriptFromJourneyId('sim-slow-40-x')).toEqual(['slow 40s completed']);
    expect(scriptFromJourneyId('sim-abort-after-0')).toEqual(['aborted']);
    expect(scriptFromJourneyId('anything-else')).toBeUndefined();
  });
});

describe('auth enforcement', () => {
  const fetchV2 = (headers: Record<string, string>) =>
    call('POST', '/gbg/eu/v2/captain/journey/state/fetch', {
      body: JSON.stringify({ instanceId: 'a1-0123456789abcdef' }),
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('rejects missing, wrong and expired tokens with the provider error body and a request id; counts token requests', async () => {
    const missing = await fetchV2({});
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({
      errors: [expect.objectContaining({ code: '2001', name: 'UNAUTHORIZED', location: 'Authorization' })],
    });
    expect(missing.headers['x-request-id']).toMatch(/^sim-req-/);
    expect((await fetchV2({ authorization: 'Bearer nope' })).status).toBe(401);
    const token = await gbgToken();
    expect((await fetchV2({ authorization: `Bearer ${token}` })).status).toBe(200);
    clock += 3601_000;
    expect((await fetchV2({ authorization: `Bearer ${token}` })).status).toBe(401);
    expect(fixture.sim.stats().rejectedAuth).toEqual({ missing: 1, wrong: 1, expired: 1 });
    expect(fixture.sim.tokenRequests('gbg')).toBe(1);
  });

  it('token endpoints check grant, credentials and scope', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const c = fixture.sim.credentials;
    expect((await call('POST', '/gbg/as/token.oauth2', { body: 'grant_type=implicit', headers: form })).json).toEqual({
      error: 'unsupported_grant_type',
    });
    expect(
      (
        await call('POST', '/gbg/as/token.oauth2', {
          body: `grant_type=password&client_id=${c.gbg.clientId}&client_secret=x`,
          headers: form,
        })
      ).status,
    ).toBe(401);
    const cc = `grant_type=client_credentials&client_id=${c.gbg.clientId}&client_secret=${c.gbg.clientSecret}`;
    expect((await call('POST', '/gbg/as/token.oauth2', { body: `${cc}&scope=other`, headers: form })).json).toEqual({
      error: 'invalid_scope',
    });
    expect((await call('POST', '/gbg/as/token.oauth2', { body: `${cc}&scope=gbg.token`, headers: form })).status).toBe(
      200,
    );
    expect(
      (
        await call('POST', '/gbg/auth/realms/go/protocol/openid-connect/token', {
          body: `${cc}&scope=gbg.token`,
          headers: form,
        })
      ).status,
    ).toBe(400);
    const basic = `Basic ${Buffer.from(`${c.idnow.clientId}:${c.idnow.clientSecret}`).toString('base64')}`;
    const idnow = await call('POST', '/idnow/oidc/token', {
      body: 'grant_type=client_credentials',
      headers: { ...form, authorization: basic },
    });
    expect(idnow.json).toMatchObject({ token_type: 'Bearer', expires_in: 86400 });
    // A GBG token is no good at IDnow.
    const gbg = await gbgToken();
    expect(
      (await call('GET', '/idnow/api/v1/live/sessions/s1', { headers: { authorization: `Bearer ${gbg}` } })).status,
    ).toBe(401);
    expect(
      (
        await call('GET', '/idnow/api/v1/live/sessions/s1', {
          headers: { authorization: `Bearer ${idnow.json.access_token as string}` },
        })
      ).status,
    ).toBe(200);
    expect(fixture.sim.tokenRequests()).toBe(7);
  });

  it("GBG Keycloak (fabric) tokens are short-lived (300 s), PingFederate's last an hour", async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const path of [
      '/gbg/auth/realms/go/protocol/openid-connect/token',
      '/gbg/eu/auth/realms/go/protocol/openid-connect/token',
    ]) {
      const keycloak = await call('POST', path, { body: gbgForm(), headers: form });
      expect(keycloak.json).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    }
    expect((await call('POST', '/gbg/as/token.oauth2', { body: gbgForm(), headers: form })).json).toMatchObject({
      expires_in: 3600,
    });
  });

  it('only the documented GBG regions and IDnow environments exist: others answer 404', async () => {
    const gbg = { authorization: `Bearer ${await gbgToken()}`, 'content-type': 'application/json' };
    const body = JSON.stringify({ instanceId: 'a1-0123456789abcdef' });
    for (const region of ['eu', 'us', 'au'])
      expect((await call('POST', `/gbg/${region}/v2/captain/journey/state/fetch`, { body, headers: gbg })).status).toBe(
        200,
      );
    expect((await call('POST', '/gbg/uk/v2/captain/journey/state/fetch', { body, headers: gbg })).status).toBe(404);
    const idnow = fixture.sim.providerConfig().idnow!;
    const token = await call('POST', '/idnow/oidc/token', {
      body: `grant_type=client_credentials&client_id=${idnow.clientId}&client_secret=${idnow.clientSecret}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const auth = { authorization: `Bearer ${token.json.access_token as string}` };
    for (const environment of ['live', 'staging'])
      expect((await call('GET', `/idnow/api/v1/${environment}/sessions/s2`, { headers: auth })).status).toBe(200);
    expect((await call('GET', '/idnow/api/v1/production/sessions/s2', { headers: auth })).status).toBe(404);
    expect((await call('GET', '/idnow/api/v1/sandbox/sessions/s2/datablocks', { headers: auth })).status).toBe(404);
  });
});

describe('admin API', () => {
  it('scripts a journey over HTTP and reports its progress', async () => {
    const created = await call('POST', '/__admin/journeys', {
      body: JSON.stringify({
        provider: 'gbg-go-v1',
        journeyId: 'adm-1-0123456789abc',
        script: ['in_progress', '503', 'completed'],
        variant: 'guide',
      }),
    });
    expect(created).toMatchObject({ status: 201, json: { steps: 3 } });
    const token = await gbgToken();
    const fetchOne = () =>
      call('POST', '/gbg/us/captain/api/journey/state/fetch', {
        body: '{"instanceId":"adm-1-0123456789abc"}',
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await fetchOne()).json).toMatchObject({ instanceId: 'adm-1-0123456789abc', state: 'IN_PROGRESS' });
    expect((await fetchOne()).status).toBe(503);
    expect((await fetchOne()).json).toMatchObject({ state: 'COMPLETED' });
    expect((await call('GET', '/__admin/journeys/gbg-go-v1/adm-1-0123456789abc')).json).toMatchObject({
      fetches: 3,
      step: 3,
      steps: 3,
      lastStatus: 'Completed',
    });
    expect(
      (await call('POST', '/__admin/journeys', { body: JSON.stringify({ provider: 'x', journeyId: 'a', script: [] }) }))
        .status,
    ).toBe(400);
    expect(
      (
        await call('POST', '/__admin/journeys', {
          body: JSON.stringify({ provider: 'idnow', journeyId: 'a', script: ['bogus'] }),
        })
      ).status,
    ).toBe(400);
    expect((await call('GET', '/__admin/stats')).json).toMatchObject({ stateRequests: { 'gbg-go-v1': 3 } });
  });
});

describe('bodies match what the providers document, and our normalisers read them', () => {
  const variants: Record<JourneyProvider, string[]> = {
    'gbg-go-v2': ['live', 'docs', 'sdk'],
    'gbg-go-v1': ['api', 'guide'],
    idnow: ['io', 'sx'],
  };
  const expected: Record<string, string> = {
    in_progress: 'in_progress',
    paused: 'in_progress',
    created: 'in_progress',
    completed: 'completed',
    failed: 'failed',
    error: 'failed',
  };

  for (const provider of PROVIDERS) {
    it(provider, async () => {
      const cfg = fixture.sim.providerConfig();
      for (const variant of variants[provider]) {
        for (const status of [
          'in_progress',
          'completed',
          'failed',
          ...(provider === 'idnow' ? ['aborted', 'expired', 'created'] : ['paused']),
        ]) {
          const id = `body-${variant}-${status}-0123456789`;
          fixture.sim.script(provider, id, [`${status} variant=${variant}`]);
          const token = (
            provider === 'idnow'
              ? await call('POST', '/idnow/oidc/token', {
                  body: `grant_type=client_credentials&client_id=${cfg.idnow!.clientId}&client_secret=${cfg.idnow!.clientSecret}`,
                })
              : { json: { access_token: await gbgToken() } }
          ).json.access_token as string;
          const res =
            provider === 'idnow'
              ? await call('GET', `/idnow/api/v1/live/sessions/${id}`, {
                  headers: { authorization: `Bearer ${token}` },
                })
              : await call(
                  'POST',
                  `/gbg/eu/${provider === 'gbg-go-v2' ? 'v2/captain' : 'captain/api'}/journey/state/fetch`,
                  { body: JSON.stringify({ instanceId: id }), headers: { authorization: `Bearer ${token}` } },
                );
          expect(res.status).toBe(200);
          const state = normalise(provider, res.json, { journeyId: id, observedAt: new Date().toISOString() });
          expect(state.status, `${provider} ${variant} ${status}`).toBe(expected[status] ?? status);
        }
      }
    });
  }
});

describe('webhooks', () => {
  let receiver: Server;
  let receiverUrl: string;
  const received: { headers: IncomingMessage['headers']; body: string; url: string }[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), url: req.url ?? '' });
        res.writeHead(202).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

  it('GBG webhook module: POST with Basic or an API-key header', async () => {
    const basic = await fixture.sim.sendWebhook({
      provider: 'gbg-go-v2',
      journeyId: 'g1',
      url: `${receiverUrl}/webhooks/gbg-go-v2`,
      auth: { type: 'basic', username: 'hook', password: 'pw' },
    });
    expect(basic.status).toBe(202);
    const first = received.at(-1)!;
    expect(first.headers.authorization).toBe(`Basic ${Buffer.from('hook:pw').toString('base64')}`);
    expect(JSON.parse(first.body)).toMatchObject({ instanceId: 'g1', status: 'Completed' });
    await fixture.sim.sendWebhook({
      provider: 'gbg-go-v1',
      journeyId: 'g2',
      url: `${receiverUrl}/webhooks/gbg-go-v1/g2`,
      auth: { type: 'apiKey', header: 'X-Api-Key', value: 'k1' },
    });
    expect(received.at(-1)!.headers['x-api-key']).toBe('k1');
    expect(received.at(-1)!.url).toBe('/webhooks/gbg-go-v1/g2');
  });

  it('IDnow: an RS256 JWT that verifies against the JWKS the simulator serves (body and header delivery)', async () => {
    const { createRemoteJWKSet, jwtVerify } = await import('jose');
    const jwks = createRemoteJWKSet(new URL(`${fixture.sim.url}/idnow/oidc/.well-known/jwks.json`));
    clock = Date.now();

    const inBody = await fixture.sim.sendWebhook({
      provider: 'idnow',
      journeyId: 's1',
      url: `${receiverUrl}/webhooks/idnow`,
      audience: 'journey-await',
    });
    const bodyHit = received.at(-1)!;
    expect(bodyHit.headers['content-type']).toBe('application/jwt');
    const { payload, protectedHeader } = await jwtVerify(bodyHit.body, jwks, {
      issuer: `${fixture.sim.url}/idnow`,
      audience: 'journey-await',
      algorithms: ['RS256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: fixture.sim.signingKey.kid });
    expect(payload).toMatchObject({
      sub: inBody.eventId,
      data: {
        eventId: inBody.eventId,
        eventName: 'session.completed',
        environment: 'live',
        payload: { sessionId: 's1', sessionStatus: 'COMPLETED' },
      },
    });

    await fixture.sim.sendWebhook({
      provider: 'idnow',
      journeyId: 's2',
      url: `${receiverUrl}/webhooks/idnow`,
      delivery: 'header',
      status: 'ABORTED',
      eventId: 'e-2',
    });
    const headerHit = received.at(-1)!;
    const verified = await jwtVerify(headerHit.headers['x-idnow-signature'] as string, jwks, {
      audience: 'journey-await',
    });
    expect(verified.payload).toMatchObject({ data: { eventId: 'e-2', eventName: 'session.aborted' } });
    expect(JSON.parse(headerHit.body)).toMatchObject({
      eventId: 'e-2',
      payload: { sessionId: 's2', sessionStatus: 'ABORTED' },
    });

    // An expired token and a token signed with a key outside the JWKS both fail verification.
    await fixture.sim.sendWebhook({ provider: 'idnow', journeyId: 's3', url: receiverUrl, expiresInSec: -120 });
    await expect(jwtVerify(received.at(-1)!.body, jwks)).rejects.toThrow(/exp/);
    await fixture.sim.sendWebhook({
      provider: 'idnow',
      journeyId: 's4',
      url: receiverUrl,
      signingKey: createSigningKey('other'),
    });
    await expect(jwtVerify(received.at(-1)!.body, jwks)).rejects.toThrow();
  });

  it('webhooks can be sent through the admin API', async () => {
    const res = await call('POST', '/__admin/webhooks', {
      body: JSON.stringify({ provider: 'gbg-go-v2', journeyId: 'g9', url: receiverUrl }),
    });
    expect(res).toMatchObject({ status: 200, json: { status: 202 } });
    expect(JSON.parse(received.at(-1)!.body)).toMatchObject({ instanceId: 'g9' });
  });
});
