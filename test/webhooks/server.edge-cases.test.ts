/**
 * The receiver's edge cases over real HTTP, against the Temporal dev server, a worker running the real workflow
 * and the provider simulator: a GBG body whatever its Content-Type claims, over-long GBG statuses and event ids
 * that must not merge, and oversized bodies that must get a readable 413.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { temporal } from '@temporalio/proto';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JourneyProvider } from '../../src/contract/vocabulary';
import { journeyWorkflowId } from '../../src/contract/identifiers';
import type { AwaitJourneyInput } from '../../src/contract/input';
import { signJwt } from '../../dev/simulator';
import { createWebhookServer } from '../../src/webhooks/server';
import { startJourneyWorkflow } from '../helpers/start-journey';
import { eventually } from '../helpers/eventually';
import { useLocalJourneyStack } from '../helpers/local-stack';

const EventType = temporal.api.enums.v1.EventType;
const TASK_QUEUE = `webhook-edges-${randomUUID().slice(0, 8)}`;
const BASIC = { username: 'gbg-hook', password: 'correct horse battery staple' };
const AUDIENCE = 'journey-await';
const basic = { authorization: `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64')}` };

const stack = useLocalJourneyStack(TASK_QUEUE);
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = createWebhookServer({
    client: stack.env.client,
    config: {
      auth: {
        gbg: { basic: BASIC },
        idnow: {
          jwt: {
            jwksUrl: `${stack.sim.url}/idnow/oidc/.well-known/jwks.json`,
            issuer: `${stack.sim.url}/idnow`,
            audience: AUDIENCE,
          },
        },
      },
      taskQueue: TASK_QUEUE,
      bodyLimitBytes: 1024 * 1024,
    },
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
});

const newId = (tag: string) => `${tag}-${randomUUID()}`;

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await request(`${base}${path}`, { method: 'POST', headers, body });
  return { status: res.statusCode, body: await res.body.text() };
}

/** True once `count` signals are in and a workflow task completed after the last (its fetches are done then). */
async function signalsHandled(provider: JourneyProvider, journeyId: string, count: number) {
  const { events } = await stack.env.client.workflow.getHandle(journeyWorkflowId(provider, journeyId)).fetchHistory();
  const types = (events ?? []).map((e) => e.eventType);
  const signals = types.filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED).length;
  const afterLast = types.slice(types.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) + 1);
  return signals === count && afterLast.includes(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) ? true : undefined;
}

/** A journey that polls once a minute and has made its first fetch: only a webhook makes it fetch again soon. */
async function startSleepy(provider: JourneyProvider, journeyId: string) {
  stack.sim.script(provider, journeyId, ['in_progress']);
  const input: AwaitJourneyInput = { provider, journeyId, polling: { baseIntervalMs: 60_000 } };
  await startJourneyWorkflow(stack.env.client, input, { taskQueue: TASK_QUEUE });
  expect(await eventually(() => ((stack.sim.journey(provider, journeyId)?.fetches ?? 0) >= 1 ? true : undefined))).toBe(
    true,
  );
}

describe('GBG webhook bodies', () => {
  it('a JSON body with valid Basic credentials sent as application/jwt is read by its body (it was a 400 invalid_jwt)', async () => {
    const journeyId = newId('gbg-ctype');
    await startSleepy('gbg-go-v2', journeyId);
    for (const contentType of ['application/jwt', 'text/plain', 'application/x-www-form-urlencoded']) {
      const res = await post(
        '/webhooks/gbg-go-v2',
        JSON.stringify({ instanceId: journeyId, status: `Completed-${contentType}` }),
        { ...basic, 'content-type': contentType },
      );
      expect(res.status, `${contentType}: ${res.body}`).toBe(200);
    }
    // Signals that arrive during a workflow task are recorded after it: wait for all three.
    expect(await eventually(() => signalsHandled('gbg-go-v2', journeyId, 3))).toBe(true);
    // Credentials still come first: the same body without them is a 401, whatever its type.
    const anonymous = await post('/webhooks/gbg-go-v2', JSON.stringify({ instanceId: journeyId }), {
      'content-type': 'application/jwt',
    });
    expect(anonymous.status).toBe(401);
  });

  it('two different over-long statuses, and two over-long event ids, each wake the journey (they merged into gbg:webhook)', async () => {
    const journeyId = newId('gbg-long');
    await startSleepy('gbg-go-v2', journeyId);
    const bodies = [
      { instanceId: journeyId, status: `Completed ${'a'.repeat(300)}` },
      { instanceId: journeyId, status: `Completed ${'b'.repeat(300)}` },
      { instanceId: journeyId, status: 'In Progress', eventId: `evt-${'1'.repeat(300)}` },
      { instanceId: journeyId, status: 'In Progress', eventId: `evt-${'2'.repeat(300)}` },
    ];
    // A retry of the first one comes last: it repeats its id, so it wakes nothing.
    for (const [i, body] of [...bodies, bodies[0]].entries()) {
      const res = await post('/webhooks/gbg-go-v2', JSON.stringify(body), {
        ...basic,
        'content-type': 'application/json',
      });
      expect(res.status, res.body).toBe(200);
      // One at a time, so signals handled in one workflow task do not share a fetch.
      expect(await eventually(() => signalsHandled('gbg-go-v2', journeyId, i + 1))).toBe(true);
    }
    // One fetch at the start, one per distinct webhook; the retry none.
    expect(stack.sim.journey('gbg-go-v2', journeyId)?.fetches).toBe(5);
  });
});

describe('oversized bodies', () => {
  /**
   * A POST over node:http with `Connection: close` (as curl and many HTTP libraries send it): the server closes
   * after its answer, so an answer sent while the body is still coming used to reset the connection under the
   * client (EPIPE or ECONNRESET instead of the 413). `chunked`: no Content-Length, the limit is hit mid-stream.
   */
  function postClosing(path: string, body: string, headers: Record<string, string>, chunked = false) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${base}${path}`, {
        method: 'POST',
        agent: false,
        headers: { ...headers, connection: 'close', ...(chunked ? {} : { 'content-length': Buffer.byteLength(body) }) },
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      // In pieces, as over a real network: the answer can then come while the body is still being sent.
      const data = Buffer.from(body);
      const piece = 128 * 1024;
      const write = (offset: number): void => {
        if (offset >= data.length) return void req.end();
        req.write(data.subarray(offset, offset + piece));
        setTimeout(() => write(offset + piece), 5);
      };
      write(0);
    });
  }

  /** Each of 20 tries gets the 413 with its JSON body: a reset connection rejects here. */
  async function expect413(send: () => Promise<{ status: number; body: string }>) {
    for (let i = 0; i < 20; i++) {
      const res = await send();
      expect(res.status, `try ${i + 1}`).toBe(413);
      expect(JSON.parse(res.body)).toEqual({ error: 'body_too_large', message: 'the body exceeds 1048576 bytes' });
    }
  }

  it('a 2 MB GBG JSON body, with or without Content-Length: a readable 413, 20 times out of 20', async () => {
    const body = JSON.stringify({ instanceId: newId('gbg-big'), pad: 'x'.repeat(2 * 1024 * 1024) });
    const headers = { ...basic, 'content-type': 'application/json' };
    await expect413(() => postClosing('/webhooks/gbg-go-v2', body, headers));
    await expect413(() => postClosing('/webhooks/gbg-go-v2', body, headers, true));
  });

  it('a 2 MB IDnow JWT body: a readable 413, 20 times out of 20', async () => {
    const jwt = await signJwt(stack.sim.signingKey, { aud: AUDIENCE, pad: 'x'.repeat(2 * 1024 * 1024) });
    await expect413(() => postClosing('/webhooks/idnow', jwt, { 'content-type': 'application/jwt' }));
    await expect413(() => postClosing('/webhooks/idnow', jwt, { 'content-type': 'application/jwt' }, true));
  });
});
