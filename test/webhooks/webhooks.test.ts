/**
 * The webhook receiver over real HTTP, against the Temporal dev server, a worker running the real workflow and
 * activities, and the provider simulator (which signs IDnow JWTs with the key its JWKS serves).
 */
import { randomUUID } from 'node:crypto';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import { connectClient } from '../../src/client';
import type { WebhookAuthConfig } from '../../src/config';
import { createJsonLogger } from '../../src/logger';
import type { JourneyState } from '../../src/contract/journey-state';
import type { JourneyProvider } from '../../src/contract/vocabulary';
import { journeyWorkflowId } from '../../src/contract/identifiers';
import type { AwaitJourneyInput } from '../../src/contract/input';
import { journeySearchAttributeKeys } from '../../src/contract/workflow';
import { createSigningKey, signJwt, startSimulator, type Simulator } from '../../dev/simulator';
import { startJourneyWorkflow } from '../helpers/start-journey';
import { createWebhookServer } from '../../src/webhooks/server';
import { createLocalEnv } from '../helpers/temporal-env';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/free-ports';
import { startRefusingTemporal } from '../helpers/refusing-temporal';
import { createJourneyWorker } from '../helpers/journey-worker';
import { bundleJourneyWorkflows } from '../helpers/workflow-env';

const EventType = temporal.api.enums.v1.EventType;
const TASK_QUEUE = `webhooks-${randomUUID().slice(0, 8)}`;
const BASIC = { username: 'gbg-hook', password: 'correct horse battery staple' };
const API_KEY = { header: 'x-gbg-webhook-key', value: 'k3y-for-gbg-webhooks' };
const AUDIENCE = 'journey-await';

let env: TestWorkflowEnvironment;
let sim: Simulator;
let bundle: WorkflowBundleWithSourceMap;
let worker: Worker;
let workerDone: Promise<void>;
let app: FastifyInstance;
let base: string;
const logLines: string[] = [];

function authConfig(): WebhookAuthConfig {
  return {
    gbg: { basic: BASIC, apiKey: API_KEY },
    idnow: {
      jwt: { jwksUrl: `${sim.url}/idnow/oidc/.well-known/jwks.json`, issuer: `${sim.url}/idnow`, audience: AUDIENCE },
    },
  };
}

async function startWorker(e: TestWorkflowEnvironment): Promise<{ worker: Worker; done: Promise<void> }> {
  const w = await createJourneyWorker(e, {
    bundle,
    taskQueue: TASK_QUEUE,
    activities: createActivities({ config: sim.providerConfig() }),
  });
  return { worker: w, done: w.run() };
}

beforeAll(async () => {
  env = await createLocalEnv({ server: { searchAttributes: journeySearchAttributeKeys } });
  sim = await startSimulator();
  bundle = await bundleJourneyWorkflows();
  ({ worker, done: workerDone } = await startWorker(env));
  app = createWebhookServer({
    client: env.client,
    config: { auth: authConfig(), taskQueue: TASK_QUEUE, bodyLimitBytes: 1024 * 1024 },
    logger: createJsonLogger('INFO', (line) => logLines.push(line)),
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
  worker?.shutdown();
  await workerDone?.catch(() => {});
  await sim?.close();
  await env?.teardown();
});

const newId = (tag: string) => `${tag}-${randomUUID()}`;

/** Starts a journey that polls rarely (1 min), so only a webhook can make it fetch again soon. */
async function startSleepy(client: Client, provider: JourneyProvider, journeyId: string) {
  const input: AwaitJourneyInput = { provider, journeyId, polling: { baseIntervalMs: 60_000 } };
  const handle = await startJourneyWorkflow(client, input, { taskQueue: TASK_QUEUE });
  expect(await eventually(() => ((sim.journey(provider, journeyId)?.fetches ?? 0) >= 1 ? true : undefined))).toBe(true);
  // Let the workflow reach its timer after the first fetch.
  const sleeping = await eventually(async () =>
    (await history(client, journeyId, provider)).some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED)
      ? true
      : undefined,
  );
  expect(sleeping).toBe(true);
  return handle;
}

async function history(client: Client, journeyId: string, provider: JourneyProvider) {
  const h = await client.workflow.getHandle(journeyWorkflowId(provider, journeyId)).fetchHistory();
  return h.events ?? [];
}

async function signalCount(client: Client, provider: JourneyProvider, journeyId: string): Promise<number> {
  return (await history(client, journeyId, provider)).filter(
    (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  ).length;
}

/**
 * True once the journey has `count` signals and has handled the last one: a workflow task completed after it
 * (a signal that arrives during a task is recorded after that task). The fetches a signal causes are local
 * activities, done by the time their task completes.
 */
async function signalsHandled(provider: JourneyProvider, journeyId: string, count: number): Promise<true | undefined> {
  const types = (await history(env.client, journeyId, provider)).map((e) => e.eventType);
  const signals = types.filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED).length;
  const afterLast = types.slice(types.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) + 1);
  return signals === count && afterLast.includes(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) ? true : undefined;
}

async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await request(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.statusCode, body: await res.body.text() };
}

const basicHeader = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('a valid webhook wakes the journey', () => {
  const cases: { name: string; provider: JourneyProvider; send: (journeyId: string) => Promise<{ status: number }> }[] =
    [
      {
        name: 'GBG GO v2, HTTP Basic',
        provider: 'gbg-go-v2',
        send: (id) =>
          sim.sendWebhook({
            provider: 'gbg-go-v2',
            journeyId: id,
            url: `${base}/webhooks/gbg-go-v2`,
            auth: { type: 'basic', ...BASIC },
          }),
      },
      {
        name: 'GBG GO v1, API-key header, id in the path',
        provider: 'gbg-go-v1',
        send: (id) =>
          sim.sendWebhook({
            provider: 'gbg-go-v1',
            journeyId: id,
            url: `${base}/webhooks/gbg-go-v1/${id}`,
            auth: { type: 'apiKey', ...API_KEY },
          }),
      },
      {
        name: 'IDnow, JWT as application/jwt body',
        provider: 'idnow',
        send: (id) =>
          sim.sendWebhook({ provider: 'idnow', journeyId: id, url: `${base}/webhooks/idnow`, audience: AUDIENCE }),
      },
      {
        name: 'IDnow, JWT in X-Idnow-Signature',
        provider: 'idnow',
        send: (id) =>
          sim.sendWebhook({
            provider: 'idnow',
            journeyId: id,
            url: `${base}/webhooks/idnow`,
            audience: AUDIENCE,
            delivery: 'header',
          }),
      },
    ];
  for (const c of cases) {
    it(`${c.name}: completes on the webhook's fetch, not at the next poll`, async () => {
      const journeyId = newId('wake');
      sim.script(c.provider, journeyId, ['in_progress', 'completed']);
      const handle = await startSleepy(env.client, c.provider, journeyId);
      const res = await c.send(journeyId);
      expect(res.status).toBe(200);
      const result = (await handle.result()) as JourneyState;
      expect(result).toMatchObject({ status: 'completed', source: 'webhook' });
      const events = await history(env.client, journeyId, c.provider);
      // From history, not the clock (the dev server's is the machine's): no poll timer fired between the signal
      // and the completion, so the webhook's fetch ended the journey.
      const signalled = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
      const completed = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
      expect(signalled).toBeGreaterThan(-1);
      expect(completed).toBeGreaterThan(signalled);
      expect(events.slice(signalled, completed).map((e) => e.eventType)).not.toContain(
        EventType.EVENT_TYPE_TIMER_FIRED,
      );
      expect(sim.journey(c.provider, journeyId)?.fetches).toBe(2);
    });
  }
});

describe('authentication', () => {
  it('rejects bad credentials with 401 and records no signal', async () => {
    const gbgId = newId('auth-gbg');
    const idnowId = newId('auth-idnow');
    sim.script('gbg-go-v2', gbgId, ['in_progress']);
    sim.script('idnow', idnowId, ['in_progress']);
    await startSleepy(env.client, 'gbg-go-v2', gbgId);
    await startSleepy(env.client, 'idnow', idnowId);
    const gbgBody = JSON.stringify({ instanceId: gbgId, status: 'Completed' });
    const idnowUrl = `${base}/webhooks/idnow`;
    const validJwt = await signJwt(sim.signingKey, {
      iss: `${sim.url}/idnow`,
      aud: AUDIENCE,
      exp: Math.floor(Date.now() / 1000) + 300,
      data: { eventId: 'e1', payload: { sessionId: idnowId, sessionStatus: 'COMPLETED' } },
    });
    const [h, p, s] = validJwt.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url')}.${s}`;
    const attempts: [string, () => Promise<{ status: number }>][] = [
      ['GBG wrong Basic password', () => post('/webhooks/gbg-go-v2', gbgBody, basicHeader(BASIC.username, 'wrong'))],
      ['GBG wrong Basic user', () => post('/webhooks/gbg-go-v2', gbgBody, basicHeader('someone', BASIC.password))],
      ['GBG wrong API key', () => post('/webhooks/gbg-go-v2', gbgBody, { [API_KEY.header]: 'nope' })],
      ['GBG no auth', () => post('/webhooks/gbg-go-v2', gbgBody)],
      ['IDnow bad signature', () => post('/webhooks/idnow', tampered, { 'content-type': 'application/jwt' })],
      [
        'IDnow JWT signed by another key',
        () =>
          sim.sendWebhook({
            provider: 'idnow',
            journeyId: idnowId,
            url: idnowUrl,
            audience: AUDIENCE,
            signingKey: createSigningKey(sim.signingKey.kid),
          }),
      ],
      [
        'IDnow JWT with an unknown kid',
        () =>
          sim.sendWebhook({
            provider: 'idnow',
            journeyId: idnowId,
            url: idnowUrl,
            audience: AUDIENCE,
            signingKey: createSigningKey(),
          }),
      ],
      [
        'IDnow expired JWT',
        () =>
          sim.sendWebhook({
            provider: 'idnow',
            journeyId: idnowId,
            url: idnowUrl,
            audience: AUDIENCE,
            expiresInSec: -300,
          }),
      ],
      [
        'IDnow wrong audience',
        () => sim.sendWebhook({ provider: 'idnow', journeyId: idnowId, url: idnowUrl, audience: 'someone-else' }),
      ],
      [
        'IDnow wrong issuer',
        () =>
          sim.sendWebhook({
            provider: 'idnow',
            journeyId: idnowId,
            url: idnowUrl,
            audience: AUDIENCE,
            issuer: 'https://evil.example',
          }),
      ],
      [
        'IDnow wrong audience in header',
        () =>
          sim.sendWebhook({ provider: 'idnow', journeyId: idnowId, url: idnowUrl, audience: 'x', delivery: 'header' }),
      ],
      [
        'IDnow no auth',
        () => post('/webhooks/idnow', JSON.stringify({ eventId: 'e2', payload: { sessionId: idnowId } })),
      ],
      [
        'IDnow unsigned JWT (alg none)',
        () => post('/webhooks/idnow', unsignedJwt(idnowId), { 'content-type': 'application/jwt' }),
      ],
    ];
    for (const [name, attempt] of attempts) {
      const res = await attempt();
      expect(res.status, name).toBe(401);
    }
    expect(await signalCount(env.client, 'gbg-go-v2', gbgId)).toBe(0);
    expect(await signalCount(env.client, 'idnow', idnowId)).toBe(0);
    expect(sim.journey('gbg-go-v2', gbgId)?.fetches).toBe(1);
    // A valid one still gets through (the 401s were about the credentials, not the journey).
    expect((await post('/webhooks/gbg-go-v2', gbgBody, basicHeader(BASIC.username, BASIC.password))).status).toBe(200);
    expect(await signalCount(env.client, 'gbg-go-v2', gbgId)).toBe(1);
  });

  it('rejects every webhook of a provider with no authentication configured', async () => {
    const bare = createWebhookServer({ client: env.client, config: { auth: {}, taskQueue: TASK_QUEUE } });
    try {
      const url = await bare.listen({ host: '127.0.0.1', port: 0 });
      const journeyId = newId('noauth');
      for (const provider of ['gbg-go-v2', 'gbg-go-v1', 'idnow'] as const) {
        const res = await sim.sendWebhook({
          provider,
          journeyId,
          url: `${url}/webhooks/${provider}`,
          auth: { type: 'basic', ...BASIC },
          audience: AUDIENCE,
        });
        expect(res.status, provider).toBe(401);
      }
      await expect(env.client.workflow.getHandle(journeyWorkflowId('idnow', journeyId)).describe()).rejects.toThrow();
    } finally {
      await bare.close();
    }
  });

  it('keeps secrets, tokens and bodies out of the access log', () => {
    const text = logLines.join('\n');
    expect(text).toContain('"route":"/webhooks/gbg-go-v2"');
    expect(text).not.toContain(BASIC.password);
    expect(text).not.toContain(API_KEY.value);
    expect(text).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    for (const line of logLines) expect(Object.keys(JSON.parse(line)).sort()).not.toContain('body');
  });
});

describe('signal-with-start semantics and dedupe', () => {
  it('the same IDnow event delivered 5 times causes one extra fetch', async () => {
    const journeyId = newId('dupe');
    sim.script('idnow', journeyId, ['in_progress']);
    await startSleepy(env.client, 'idnow', journeyId);
    const eventId = randomUUID();
    for (let i = 0; i < 5; i++) {
      const res = await sim.sendWebhook({
        provider: 'idnow',
        journeyId,
        url: `${base}/webhooks/idnow`,
        audience: AUDIENCE,
        eventId,
      });
      expect(res.status).toBe(200);
    }
    expect(await eventually(() => signalsHandled('idnow', journeyId, 5))).toBe(true);
    expect(sim.journey('idnow', journeyId)?.fetches).toBe(2);
  });

  it('the same GBG delivery 5 times (no event id: derived from the status) causes one extra fetch', async () => {
    const journeyId = newId('dupe-gbg');
    sim.script('gbg-go-v2', journeyId, ['in_progress']);
    await startSleepy(env.client, 'gbg-go-v2', journeyId);
    for (let i = 0; i < 5; i++) {
      const res = await sim.sendWebhook({
        provider: 'gbg-go-v2',
        journeyId,
        url: `${base}/webhooks/gbg-go-v2`,
        auth: { type: 'basic', ...BASIC },
      });
      expect(res.status).toBe(200);
    }
    expect(await eventually(() => signalsHandled('gbg-go-v2', journeyId, 5))).toBe(true);
    expect(sim.journey('gbg-go-v2', journeyId)?.fetches).toBe(2);
  });

  it('a webhook before the start starts the journey, which completes; one after the end starts nothing', async () => {
    const journeyId = newId('early');
    sim.script('gbg-go-v1', journeyId, ['completed']);
    const res = await sim.sendWebhook({
      provider: 'gbg-go-v1',
      journeyId,
      url: `${base}/webhooks/gbg-go-v1`,
      auth: { type: 'apiKey', ...API_KEY },
    });
    expect(res.status).toBe(200);
    const handle = env.client.workflow.getHandle(journeyWorkflowId('gbg-go-v1', journeyId));
    const result = (await handle.result()) as JourneyState;
    expect(result.status).toBe('completed');
    const before = await handle.describe();
    expect(before.typedSearchAttributes.get(journeySearchAttributeKeys[0]!)).toBe('gbg-go-v1');

    const late = await sim.sendWebhook({
      provider: 'gbg-go-v1',
      journeyId,
      url: `${base}/webhooks/gbg-go-v1`,
      auth: { type: 'apiKey', ...API_KEY },
      status: 'Failed',
    });
    expect(late.status).toBe(200);
    expect(JSON.parse(late.body)).toMatchObject({ outcome: 'already-finished' });
    const after = await handle.describe();
    expect(after.runId).toBe(before.runId);
    expect(after.status.name).toBe('COMPLETED');
    expect(await signalCount(env.client, 'gbg-go-v1', journeyId)).toBe(1);
  });
});

describe('bad requests', () => {
  it('malformed JSON → 400, 2 MB body → 413, unknown provider → 404, mismatched ids → 400; nothing signalled', async () => {
    const journeyId = newId('bad');
    sim.script('gbg-go-v2', journeyId, ['in_progress']);
    await startSleepy(env.client, 'gbg-go-v2', journeyId);
    const auth = basicHeader(BASIC.username, BASIC.password);
    expect((await post(`/webhooks/gbg-go-v2/${journeyId}`, '{"instanceId": ', auth)).status).toBe(400);
    expect(
      (
        await post(
          `/webhooks/gbg-go-v2/${journeyId}`,
          JSON.stringify({ instanceId: journeyId, pad: 'x'.repeat(2 * 1024 * 1024) }),
          auth,
        )
      ).status,
    ).toBe(413);
    expect((await post(`/webhooks/onfido/${journeyId}`, JSON.stringify({ instanceId: journeyId }), auth)).status).toBe(
      404,
    );
    expect(
      (await post('/webhooks/gbg-go-v2/other-journey-id-123', JSON.stringify({ instanceId: journeyId }), auth)).status,
    ).toBe(400);
    expect((await post('/webhooks/gbg-go-v2', JSON.stringify({ instanceId: 42 }), auth)).status).toBe(400);
    expect((await post('/webhooks/gbg-go-v2', JSON.stringify({ status: 'Completed' }), auth)).status).toBe(400);
    expect((await post('/webhooks/gbg-go-v2/..%2F..%2Fetc', '{}', auth)).status).toBe(400);
    expect(await signalCount(env.client, 'gbg-go-v2', journeyId)).toBe(0);
    const health = await request(`${base}/healthz`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
  });
});

describe('Temporal unreachable', () => {
  it('answers 503 while Temporal is down, and accepts the same webhook once it is back', async () => {
    const port = await freePort();
    const client = await connectClient({
      lazy: true,
      connectionOptions: { address: `127.0.0.1:${port}` },
      namespace: 'default',
    });
    const receiver = createWebhookServer({
      client,
      config: { auth: authConfig(), taskQueue: TASK_QUEUE, temporalTimeoutMs: 1_500 },
    });
    let env2: TestWorkflowEnvironment | undefined;
    let w2: { worker: Worker; done: Promise<void> } | undefined;
    try {
      const url = await receiver.listen({ host: '127.0.0.1', port: 0 });
      const journeyId = newId('outage');
      sim.script('idnow', journeyId, ['completed']);
      const eventId = randomUUID();
      const send = () =>
        sim.sendWebhook({ provider: 'idnow', journeyId, url: `${url}/webhooks/idnow`, audience: AUDIENCE, eventId });
      const down = await send();
      expect(down.status).toBe(503);

      env2 = await createLocalEnv({ server: { port, searchAttributes: journeySearchAttributeKeys } });
      w2 = await startWorker(env2);
      // The provider retries; the receiver reconnects (back-off capped at 5 s).
      const up = await eventually(async () => {
        const r = await send();
        return r.status === 200 ? r : undefined;
      }, 20_000);
      expect(up?.status).toBe(200);
      const result = (await env2.client.workflow
        .getHandle(journeyWorkflowId('idnow', journeyId))
        .result()) as JourneyState;
      expect(result.status).toBe('completed');
    } finally {
      await receiver.close();
      await client.connection.close().catch(() => {});
      w2?.worker.shutdown();
      await w2?.done.catch(() => {});
      await env2?.teardown();
    }
  });
});

describe('Temporal refusing the credentials', () => {
  it('answers 503 so the provider retries, and logs what to fix', async () => {
    const temporal = await startRefusingTemporal();
    const client = await connectClient({ lazy: true, connectionOptions: { address: temporal.address } });
    const lines: string[] = [];
    const receiver = createWebhookServer({
      client,
      config: { auth: authConfig(), taskQueue: TASK_QUEUE, temporalTimeoutMs: 1_500 },
      logger: createJsonLogger('INFO', (line) => lines.push(line)),
    });
    try {
      const url = await receiver.listen({ host: '127.0.0.1', port: 0 });
      const journeyId = newId('refused');
      const reply = await sim.sendWebhook({
        provider: 'idnow',
        journeyId,
        url: `${url}/webhooks/idnow`,
        audience: AUDIENCE,
      });
      expect(reply.status).toBe(503);
      expect(temporal.calls.length).toBeGreaterThan(0);
      const refused = lines
        .map((l) => JSON.parse(l) as { msg: string })
        .find((l) => l.msg.includes('refused the credentials'));
      expect(refused?.msg).toMatch(/check TEMPORAL_API_KEY.*; webhook refused with 503$/);
    } finally {
      await receiver.close();
      await client.connection.close().catch(() => {});
      await temporal.close();
    }
  });
});

function unsignedJwt(sessionId: string): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ iss: `${sim.url}/idnow`, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300, data: { payload: { sessionId } } })}.`;
}
