/**
 * The simulator is as strict as the real APIs and every body it serves is one the adapters accept: a walk over every
 * scripted scenario (each status, body variant, error, data-block shape and naming-convention journey) validates each
 * reply against the adapter's own schemas, and the decisions come out as the providers' own clients reach them.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { JourneyState } from '../../src/contract/journey-state';
import { PROVIDERS, type JourneyProvider } from '../../src/contract/vocabulary';
import {
  adapters,
  gbgV1StateSchema,
  gbgV2StateSchema,
  idnowDataBlocksSchema,
  idnowSessionSchema,
  normaliseIdnowDataBlocks,
  parseIdnowWebhook,
} from '../../src/providers';
import { createActivities } from '../../src/activities';
import { SIM_STATUSES } from '../../dev/simulator/script';
import { useSimulator } from '../helpers/simulator-fixture';

const fixture = useSimulator({ agent: { connections: 4 } });

const STATE_SCHEMAS = {
  'gbg-go-v2': gbgV2StateSchema,
  'gbg-go-v1': gbgV1StateSchema,
  idnow: idnowSessionSchema,
} as const;
const VARIANTS: Record<JourneyProvider, string[]> = {
  'gbg-go-v2': ['live', 'docs', 'sdk'],
  'gbg-go-v1': ['api', 'guide'],
  idnow: ['io', 'sx'],
};
const id = (label: string) => `${label}-0123456789abcdef`.slice(0, 64);

async function token(provider: JourneyProvider): Promise<string> {
  const plan = adapters[provider].plan(fixture.sim.providerConfig(), { provider, journeyId: id('token') })!;
  const res = await request(plan.tokenRequest.url, {
    method: 'POST',
    headers: plan.tokenRequest.headers,
    body: plan.tokenRequest.body,
  });
  const body = (await res.body.json()) as Record<string, unknown>;
  expect(res.statusCode).toBe(200);
  expect(body).toMatchObject({
    access_token: expect.any(String),
    token_type: 'Bearer',
    expires_in: expect.any(Number),
  });
  return body.access_token as string;
}

async function fetchRaw(provider: JourneyProvider, journeyId: string, path = '') {
  const plan = adapters[provider].plan(fixture.sim.providerConfig(), { provider, journeyId })!;
  const spec = plan.stateRequest;
  const res = await request(`${spec.url}${path}`, {
    method: spec.method,
    headers: { ...spec.headers, authorization: `Bearer ${await token(provider)}` },
    body: spec.body,
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    text,
    json: (() => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    })(),
  };
}

describe('every scripted scenario validates against the adapter schemas', () => {
  for (const provider of PROVIDERS) {
    it(`${provider}: every status × body variant`, async () => {
      for (const variant of VARIANTS[provider]) {
        for (const status of SIM_STATUSES) {
          for (const outcome of ['accepted', 'rejected']) {
            const journeyId = id(`${status}-${variant}-${outcome}`);
            fixture.sim.script(provider, journeyId, [`${status} variant=${variant} outcome=${outcome}`]);
            const res = await fetchRaw(provider, journeyId);
            expect(res.status).toBe(200);
            expect(STATE_SCHEMAS[provider].safeParse(res.json).success, `${provider} ${variant} ${status}`).toBe(true);
            const state = adapters[provider].normalise(res.json, { journeyId, observedAt: new Date().toISOString() });
            expect(state.terminal).toBe(state.status !== 'in_progress');
          }
        }
      }
    });

    it(`${provider}: every error reply carries the provider's readable error body`, async () => {
      for (const code of [400, 401, 403, 404, 409, 410, 422, 429, 500, 502, 503, 504]) {
        const journeyId = id(`http-${code}`);
        fixture.sim.script(provider, journeyId, [String(code)]);
        const res = await fetchRaw(provider, journeyId);
        expect(res.status).toBe(code);
        expect(typeof res.json).toBe('object');
        expect(
          adapters[provider].errorMessage(res.json as Record<string, unknown>),
          `${provider} ${code}`,
        ).toBeTruthy();
      }
    });

    it(`${provider}: the naming-convention journeys`, async () => {
      for (const label of [
        'sim-complete-after-1',
        'sim-reject-after-1',
        'sim-fail-after-0',
        'sim-abort-after-0',
        'sim-expire-after-0',
        'sim-errors-1-then-complete',
      ]) {
        const journeyId = id(label);
        for (let poll = 0; poll < 3; poll++) {
          const res = await fetchRaw(provider, journeyId);
          if (res.status !== 200) continue;
          expect(STATE_SCHEMAS[provider].safeParse(res.json).success, `${provider} ${label}`).toBe(true);
          adapters[provider].normalise(res.json, { journeyId, observedAt: new Date().toISOString() });
        }
      }
    });
  }

  it('idnow: data blocks in shapes A, B and C, each with the identity', async () => {
    for (const shape of ['A', 'B', 'C'] as const) {
      const journeyId = id(`blocks-${shape}`);
      fixture.sim.script('idnow', journeyId, ['completed'], { dataBlocksShape: shape });
      const res = await fetchRaw('idnow', journeyId, '/datablocks');
      expect(idnowDataBlocksSchema.safeParse(res.json).success).toBe(true);
      expect(normaliseIdnowDataBlocks(res.json).subject).toEqual({
        firstName: 'Erika',
        lastNames: ['Mustermann'],
        dateOfBirth: '1964-08-12',
      });
    }
  });

  it('idnow: webhook claims as documented (string event counters, lastStep* fields) parse', async () => {
    const { createServer } = await import('node:http');
    const bodies: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = receiver.address() as { port: number };
      await fixture.sim.sendWebhook({ provider: 'idnow', journeyId: id('hook'), url: `http://127.0.0.1:${port}/` });
      const claims = JSON.parse(Buffer.from(bodies[0]!.split('.')[1]!, 'base64url').toString()) as {
        data: Record<string, unknown>;
      };
      expect(claims.data).toMatchObject({
        eventVersion: '1',
        eventSequence: '1',
        payload: { lastStepId: expect.any(String), lastStepType: 'END', lastStepStatus: 'completed' },
      });
      expect(parseIdnowWebhook(claims)).toMatchObject({ journeyId: id('hook'), providerStatus: 'COMPLETED' });
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });
});

describe('the simulator is as strict as GBG', () => {
  const gbgFetch = async (body: string) => {
    const plan = adapters['gbg-go-v2'].plan(fixture.sim.providerConfig(), {
      provider: 'gbg-go-v2',
      journeyId: id('strict'),
    })!;
    const res = await request(plan.stateRequest.url, {
      method: 'POST',
      headers: { ...plan.stateRequest.headers, authorization: `Bearer ${await token('gbg-go-v2')}` },
      body,
    });
    return { status: res.statusCode, json: (await res.body.json()) as { errors?: { code: string; name: string }[] } };
  };

  it('instanceId 16–64 characters, optional filterKeys, nothing else: otherwise 400 with errors[]', async () => {
    expect((await gbgFetch(JSON.stringify({ instanceId: 'a'.repeat(16) }))).status).toBe(200);
    expect((await gbgFetch(JSON.stringify({ instanceId: 'a'.repeat(64), filterKeys: ['status'] }))).status).toBe(200);
    for (const bad of [
      { instanceId: 'a'.repeat(15) },
      { instanceId: 'a'.repeat(65) },
      { instanceId: 'a'.repeat(20), extra: 1 },
      { instanceId: 42 },
    ]) {
      const res = await gbgFetch(JSON.stringify(bad));
      expect(res.status).toBe(400);
      expect(res.json.errors?.[0]).toMatchObject({ code: '4003', name: 'INVALID_FIELD' });
    }
    expect((await gbgFetch('{}')).json.errors?.[0]).toMatchObject({ code: '4002', name: 'MISSING_FIELD' });
    expect((await gbgFetch('not json')).status).toBe(400);
  });

  // The adapters apply the contract's journey-id rule (16–64 characters), as strict as GBG: the request above shows
  // the simulator's 400 for a short id; fetchState refuses one before asking, as permanently.
  it('fetchState with a short GBG id is rejected permanently, before any request', async () => {
    const { fetchState } = createActivities({
      config: fixture.sim.providerConfig(),
      dispatcher: fixture.agent,
      logger: { debug: () => undefined, warn: () => undefined },
    });
    const before = fixture.sim.stats();
    await expect(fetchState({ provider: 'gbg-go-v2', journeyId: 'short-id' })).rejects.toMatchObject({
      type: 'FetchRejected',
      message: expect.stringContaining('journeyId must be 16–64 characters'),
    });
    expect(fixture.sim.stats()).toEqual(before);
  });

  it("printed settings use GBG's samples' grant: client_credentials + gbg.token on the PingFederate path", () => {
    expect(fixture.sim.env()).toMatchObject({ GBG_GRANT: 'client_credentials', GBG_SCOPE: 'gbg.token' });
    expect(fixture.sim.env().GBG_TOKEN_URL).toMatch(/\/as\/token\.oauth2$/);
  });
});

describe('GBG decisions through the simulator, as GBG’s own client reaches them', () => {
  it('live bodies: decided while in progress, then completed with completion from the step end times', async () => {
    const journeyId = id('decided-live');
    fixture.sim.script('gbg-go-v2', journeyId, [
      'in_progress',
      'decided outcome=rejected',
      'completed outcome=rejected',
    ]);
    const { fetchState } = createActivities({
      config: fixture.sim.providerConfig(),
      dispatcher: fixture.agent,
      logger: { debug: () => undefined, warn: () => undefined },
    });
    const input = { provider: 'gbg-go-v2' as const, journeyId };
    expect(await fetchState(input)).toEqual({ status: 'in_progress', providerStatus: 'InProgress' }); // undecided: no decision recorded
    expect(await fetchState(input)).toMatchObject({ status: 'in_progress', decision: 'rejected' });
    const done = (await fetchState(input)) as JourneyState;
    expect(done).toMatchObject({
      status: 'completed',
      terminal: true,
      decision: 'rejected',
      outcome: 'Under Age',
      completedAt: expect.any(String),
    });
    expect(done.steps[0]).toMatchObject({ name: 'Age Verification', outcome: 'Under Age' });
  });

  it('a failed journey keeps the step error codes and reaches no decision', async () => {
    const journeyId = id('failed-live');
    fixture.sim.script('gbg-go-v2', journeyId, ['error']);
    const { fetchState } = createActivities({
      config: fixture.sim.providerConfig(),
      dispatcher: fixture.agent,
      logger: { debug: () => undefined, warn: () => undefined },
    });
    const state = (await fetchState({ provider: 'gbg-go-v2', journeyId })) as JourneyState;
    expect(state).toMatchObject({ status: 'failed', providerStatus: 'Error', decision: 'undecided' });
    expect(state.steps[0]).toMatchObject({ status: 'error', error: 'MODULE_EXECUTION_FAILED 5001' });
  });
});
