/**
 * The webhook receiver's /metrics over real HTTP: webhooks from the provider simulator and bad requests against a
 * receiver on the Temporal dev server, then a scrape of its own metrics listener. Requests by provider and reply
 * code, authentication failures by kind, signals by outcome with their latency, running journeys from visibility.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookAuthConfig } from '../../src/config';
import { WEBHOOK_METRICS } from '../../src/metrics';
import { journeySearchAttributeKeys } from '../../src/contract/workflow';
import { createWebhookMetrics, serveMetrics, visibilityRunningJourneys } from '../../src/webhooks/metrics';
import { createWebhookServer } from '../../src/webhooks/server';
import { startSimulator, type Simulator } from '../../dev/simulator';
import { eventually } from '../helpers/eventually';
import { createLocalEnv } from '../helpers/temporal-env';

const BASIC = { username: 'gbg-hook', password: 'correct horse battery staple' };
// IDnow's webhook authentication is left unconfigured: its webhooks are refused as not_configured.
const AUTH: WebhookAuthConfig = { gbg: { basic: BASIC } };

let env: TestWorkflowEnvironment;
let sim: Simulator;
let app: FastifyInstance;
let base: string;
let metricsUrl: string;
let closeMetrics: () => Promise<void>;

beforeAll(async () => {
  env = await createLocalEnv({ server: { searchAttributes: journeySearchAttributeKeys } });
  sim = await startSimulator();
  const metrics = createWebhookMetrics({
    auth: AUTH,
    runningJourneys: visibilityRunningJourneys(env.client, env.client.options.namespace, 0),
  });
  app = createWebhookServer({
    client: env.client,
    config: { auth: AUTH, taskQueue: `metrics-${randomUUID().slice(0, 8)}` },
    metrics,
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  const served = await serveMetrics(metrics.registry, '127.0.0.1:0');
  metricsUrl = `http://${served.address}/metrics`;
  closeMetrics = served.close;
});

afterAll(async () => {
  await app?.close();
  await closeMetrics?.();
  await sim?.close();
  await env?.teardown();
});

async function scrape(): Promise<string> {
  const res = await request(metricsUrl);
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/plain');
  return res.body.text();
}

function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const post = (path: string, headers: Record<string, string> = {}) =>
  request(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: '{}',
  }).then(async (r) => (await r.body.text(), r.statusCode));

describe('webhook receiver metrics', () => {
  it('counts requests, authentication failures by kind, signals and running journeys', async () => {
    const before = await scrape();
    // Known label values are there from the start, at zero.
    expect(value(before, WEBHOOK_METRICS.authFailures, { provider: 'gbg-go-v2', kind: 'invalid' })).toBe(0);
    expect(value(before, WEBHOOK_METRICS.signals, { provider: 'idnow', outcome: 'signalled' })).toBe(0);

    const journeyIds = [randomUUID(), randomUUID()];
    for (const journeyId of journeyIds) {
      const sent = await sim.sendWebhook({
        provider: 'gbg-go-v2',
        journeyId,
        url: `${base}/webhooks/gbg-go-v2`,
        auth: { type: 'basic', ...BASIC },
      });
      expect(sent.status).toBe(200);
    }
    const wrong = `Basic ${Buffer.from(`${BASIC.username}:wrong`).toString('base64')}`;
    expect(await post('/webhooks/gbg-go-v2', { authorization: wrong })).toBe(401);
    expect(await post('/webhooks/gbg-go-v2')).toBe(401);
    expect(await post('/webhooks/idnow')).toBe(401);
    expect(await post('/nowhere')).toBe(404);

    const text = await scrape();
    expect(value(text, WEBHOOK_METRICS.requests, { provider: 'gbg-go-v2', code: '200' })).toBe(2);
    expect(value(text, WEBHOOK_METRICS.requests, { provider: 'gbg-go-v2', code: '401' })).toBe(2);
    expect(value(text, WEBHOOK_METRICS.requests, { provider: 'idnow', code: '401' })).toBe(1);
    expect(value(text, WEBHOOK_METRICS.requests, { provider: 'none', code: '404' })).toBe(1);
    expect(value(text, WEBHOOK_METRICS.authFailures, { provider: 'gbg-go-v2', kind: 'invalid' })).toBe(1);
    expect(value(text, WEBHOOK_METRICS.authFailures, { provider: 'gbg-go-v2', kind: 'missing' })).toBe(1);
    expect(value(text, WEBHOOK_METRICS.authFailures, { provider: 'idnow', kind: 'not_configured' })).toBe(1);
    expect(value(text, WEBHOOK_METRICS.signals, { provider: 'gbg-go-v2', outcome: 'signalled' })).toBe(2);
    expect(value(text, `${WEBHOOK_METRICS.signalDuration}_count`, { provider: 'gbg-go-v2' })).toBe(2);
    const seconds = value(text, `${WEBHOOK_METRICS.signalDuration}_sum`, { provider: 'gbg-go-v2' })!;
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(10);
    // Classes only: no journey id and no credential in any sample.
    for (const secret of [...journeyIds, BASIC.password, 'wrong']) expect(text).not.toContain(secret);

    // The two journeys the webhooks started (no worker runs here, so they stay running), from visibility.
    const running = await eventually(async () => {
      const now = await scrape();
      return value(now, WEBHOOK_METRICS.journeysRunning, { provider: 'gbg-go-v2' }) === 2 ? now : undefined;
    });
    expect(running, 'journeys_running{provider="gbg-go-v2"} reached 2').toBeDefined();
    expect(value(running!, WEBHOOK_METRICS.journeysRunning, { provider: 'idnow' })).toBe(0);
  });

  it('serves nothing but GET /metrics', async () => {
    const res = await request(metricsUrl.replace('/metrics', '/other'));
    expect(res.statusCode).toBe(404);
    await res.body.text();
  });
});
