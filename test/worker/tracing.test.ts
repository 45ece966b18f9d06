/**
 * Opt-in tracing end to end: a real OTLP/HTTP receiver (started here; it decodes the exporter's JSON) collects
 * the spans of one journey that a webhook starts: the webhook request → signal-with-start → the workflow run →
 * fetchState (scheduled by the workflow, run by the worker, with its provider and HTTP status class) → result, all
 * one trace with each span's parent where it belongs. No span attribute holds the journey's subject data.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, createProviderAgent } from '../../src/activities';
import { parseTracingSettings } from '../../src/config';
import type { JourneyState } from '../../src/contract/journey-state';
import {
  startTracing,
  TRACING_WORKFLOW_MODULE,
  tracingClientInterceptors,
  tracingWorkerOptions,
  type Tracing,
} from '../../src/tracing';
import { createWebhookServer } from '../../src/webhooks/server';
import { journeyWorkflowId } from '../../src/contract/identifiers';
import { journeySearchAttributeKeys } from '../../src/contract/workflow';
import { startSimulator, type Simulator } from '../../dev/simulator';
import { createLocalEnv } from '../helpers/temporal-env';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: OtlpValue }[];
}
interface OtlpRequest {
  resourceSpans: {
    resource?: { attributes?: { key: string; value: OtlpValue }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

const BASIC = { username: 'gbg-hook', password: 'tracing-test-password' };
const TASK_QUEUE = `tracing-${randomUUID().slice(0, 8)}`;
const spans: (OtlpSpan & { service?: string })[] = [];
const contentTypes = new Set<string>();

let otlp: Server;
let tracing: Tracing;
let env: TestWorkflowEnvironment;
let sim: Simulator;
let worker: Worker;
let workerDone: Promise<void>;
let app: FastifyInstance;
let base: string;
const agent = createProviderAgent();

/** The OTLP/HTTP traces endpoint: POST /v1/traces, JSON as @opentelemetry/exporter-trace-otlp-http sends it. */
function startOtlpReceiver(): Promise<string> {
  otlp = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') return void res.writeHead(404).end();
      contentTypes.add(String(req.headers['content-type']));
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpRequest;
      for (const rs of body.resourceSpans) {
        const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue;
        for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, ...(service ? { service } : {}) });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    otlp.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(otlp.address() as AddressInfo).port}`)),
  );
}

beforeAll(async () => {
  const endpoint = await startOtlpReceiver();
  // The standard variable, read as the processes read it.
  const settings = parseTracingSettings({
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_SERVICE_NAME: 'journey-await-test',
  });
  if (!settings.ok || !settings.value) throw new Error('tracing settings');
  expect(settings.value.tracesUrl).toBe(`${endpoint}/v1/traces`);
  tracing = startTracing(settings.value, 'unused')!;
  env = await createLocalEnv({ server: { searchAttributes: journeySearchAttributeKeys } });
  sim = await startSimulator();
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    workflowInterceptorModules: [TRACING_WORKFLOW_MODULE],
    logger: { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error: console.error } as never,
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: bundle,
    activities: createActivities({ config: sim.providerConfig(), dispatcher: agent }),
    ...tracingWorkerOptions(tracing, { bundled: true }),
  });
  workerDone = worker.run();
  const client = new Client({
    connection: env.connection,
    namespace: env.namespace ?? 'default',
    interceptors: { workflow: tracingClientInterceptors() },
  });
  app = createWebhookServer({ client, config: { auth: { gbg: { basic: BASIC } }, taskQueue: TASK_QUEUE } });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
  worker?.shutdown();
  await workerDone?.catch(() => {});
  await tracing?.shutdown();
  await sim?.close();
  await agent.close();
  await env?.teardown();
  otlp?.close();
});

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : (v?.boolValue ?? v?.doubleValue));
};

describe('tracing (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('one journey is one trace: webhook → signal-with-start → workflow → fetchState → result', async () => {
    const journeyId = randomUUID();
    sim.script('gbg-go-v2', journeyId, ['completed']);
    const sent = await sim.sendWebhook({
      provider: 'gbg-go-v2',
      journeyId,
      url: `${base}/webhooks/gbg-go-v2`,
      auth: { type: 'basic', ...BASIC },
    });
    expect(sent.status).toBe(200);
    const result = (await env.client.workflow
      .getHandle(journeyWorkflowId('gbg-go-v2', journeyId))
      .result()) as JourneyState;
    expect(result.status).toBe('completed');
    expect(result.subject?.firstName).toBeTruthy();

    const named = (name: string) => spans.find((s) => s.name === name);
    const deadline = Date.now() + 30_000;
    while (!(named('RunActivity:fetchState') && named('RunWorkflow:awaitJourneyCompletion'))) {
      if (Date.now() > deadline) throw new Error(`spans so far: ${spans.map((s) => s.name).join(', ')}`);
      await tracing.spanProcessor.forceFlush();
      await new Promise((r) => setTimeout(r, 250));
    }
    const webhook = named('POST /webhooks/gbg-go-v2')!;
    const signal = named('SignalWithStartWorkflow:awaitJourneyCompletion')!;
    const run = named('RunWorkflow:awaitJourneyCompletion')!;
    const start = named('StartActivity:fetchState')!;
    const fetch = named('RunActivity:fetchState')!;
    for (const s of [webhook, signal, run, start, fetch]) expect(s, spans.map((x) => x.name).join(', ')).toBeDefined();

    // One trace, each span under the one before it.
    expect(new Set([webhook, signal, run, start, fetch].map((s) => s.traceId)).size).toBe(1);
    expect(webhook.parentSpanId || undefined).toBeUndefined();
    expect(signal.parentSpanId).toBe(webhook.spanId);
    expect(run.parentSpanId).toBe(signal.spanId);
    expect(start.parentSpanId).toBe(run.spanId);
    expect(fetch.parentSpanId).toBe(start.spanId);
    // The signal is handled inside the same trace.
    expect(named('HandleSignal:journeyWebhook')?.traceId).toBe(webhook.traceId);

    expect(attr(webhook, 'journey.provider')).toBe('gbg-go-v2');
    expect(attr(webhook, 'journey.webhook.outcome')).toBe('signalled');
    expect(attr(fetch, 'journey.provider')).toBe('gbg-go-v2');
    expect(attr(fetch, 'journey.fetch.outcome')).toBe('ok');
    expect(attr(fetch, 'http.response.status_class')).toBe('2xx');
    expect(webhook.service).toBe('journey-await-test');
    expect([...contentTypes]).toEqual([expect.stringContaining('application/json')]);

    // Never the subject's data (name, date of birth, address) in any span attribute.
    const subject = JSON.stringify(result.subject);
    const values = spans.flatMap((s) => (s.attributes ?? []).map((a) => JSON.stringify(a.value)));
    const leaks = [result.subject!.firstName!, ...(result.subject!.lastNames ?? []), result.subject!.dateOfBirth!]
      .filter(Boolean)
      .filter((piece) => values.some((v) => v.includes(piece)));
    expect(leaks, subject).toEqual([]);
  });

  it('is off without the variable (no settings, so nothing is started)', () => {
    expect(parseTracingSettings({})).toEqual({ ok: true, value: undefined });
    expect(parseTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', OTEL_SDK_DISABLED: 'true' })).toEqual({
      ok: true,
      value: undefined,
    });
    expect(parseTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toEqual({
      ok: false,
      issues: ['OTEL_EXPORTER_OTLP_ENDPOINT: malformed (expected an http(s) URL, e.g. http://localhost:4318)'],
    });
  });
});
