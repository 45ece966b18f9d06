/**
 * The webhook receiver's Prometheus metrics (prom-client, on a registry of its own) and the small HTTP server that
 * serves them on WEBHOOK_METRICS_BIND, apart from the webhook port (which may face the internet). Labels are
 * classes only: provider, reply code, outcome, authentication failure kind; never a journey id or a credential.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import client from 'prom-client';
import type { WebhookAuthConfig } from '../config';
import { headerValue } from '../headers';
import type { JourneyProvider } from '../contract/vocabulary';
import { METRIC_BUCKETS, WEBHOOK_METRICS } from '../metrics';
import { adapters } from '../providers/registry';
import { WORKFLOW_TYPE, journeyProviderKey } from '../contract/workflow';

const PROVIDERS = Object.keys(adapters) as JourneyProvider[];
/** Why a webhook's credentials were refused (`journey_await_webhook_auth_failures_total{kind}`). */
export const AUTH_FAILURE_KINDS = ['not_configured', 'missing', 'invalid', 'jwks_unavailable'] as const;
export type AuthFailureKind = (typeof AUTH_FAILURE_KINDS)[number];
/** What a signal did (`journey_await_webhook_signals_total{outcome}`), as signalJourneyWebhook reports it. */
export const SIGNAL_OUTCOMES = ['signalled', 'already-finished'] as const;

/** What the receiver's request state tells about one answered request. */
export interface WebhookRequestFacts {
  provider?: JourneyProvider;
  outcome?: string;
  reason?: string;
}

/** How many journeys are running, per provider (Temporal's visibility), or undefined when it cannot be asked. */
export type RunningJourneysCounter = () => Promise<Partial<Record<JourneyProvider, number>> | undefined>;

export interface WebhookMetrics {
  registry: client.Registry;
  /** Records one answered request (the receiver's onResponse hook calls it). */
  observe(req: FastifyRequest, reply: FastifyReply, facts: WebhookRequestFacts): void;
}

/** Headers that carry credentials for a provider: present means "wrong", absent means "missing". */
function credentialHeaders(provider: JourneyProvider, auth: WebhookAuthConfig): string[] {
  const meta = adapters[provider].webhook.auth;
  const config = auth[meta.configKey] as Record<string, { header?: string; name?: string } | undefined> | undefined;
  const named = Object.values(config ?? {}).flatMap((c) => [c?.header, c?.name].filter((h): h is string => !!h));
  return ['authorization', ...('jwtHeader' in meta && meta.jwtHeader ? [meta.jwtHeader] : []), ...named];
}

/** The kind of an authentication failure, from the request alone (nothing presented is read beyond presence). */
export function authFailureKind(
  provider: JourneyProvider,
  auth: WebhookAuthConfig,
  req: Pick<FastifyRequest, 'headers'>,
  reason: string | undefined,
): AuthFailureKind {
  if (reason === 'jwks_unavailable') return 'jwks_unavailable';
  if (auth[adapters[provider].webhook.auth.configKey] === undefined) return 'not_configured';
  const jwtBody = /^application\/jwt\b/i.test(headerValue(req.headers, 'content-type') ?? '');
  const presented = jwtBody || credentialHeaders(provider, auth).some((h) => headerValue(req.headers, h) !== undefined);
  return presented ? 'invalid' : 'missing';
}

/** Running journeys per provider, from visibility: one count per provider, at most once per `ttlMs`. */
export function visibilityRunningJourneys(
  temporal: { workflowService: { countWorkflowExecutions(req: object): Promise<{ count?: unknown }> } },
  namespace: string,
  ttlMs = 10_000,
  now: () => number = Date.now,
): RunningJourneysCounter {
  let cached: { at: number; value: Partial<Record<JourneyProvider, number>> } | undefined;
  return async () => {
    if (cached && now() - cached.at < ttlMs) return cached.value;
    try {
      const counts = await Promise.all(
        PROVIDERS.map(async (p) => {
          const query = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND ${journeyProviderKey.name} = '${p}'`;
          const res = await temporal.workflowService.countWorkflowExecutions({ namespace, query });
          return [p, Number(res.count ?? 0)] as const;
        }),
      );
      cached = { at: now(), value: Object.fromEntries(counts) };
      return cached.value;
    } catch {
      // Temporal unreachable: no sample this scrape (an absent series, rather than a false zero).
      return undefined;
    }
  };
}

export function createWebhookMetrics(opts: {
  auth: WebhookAuthConfig;
  runningJourneys?: RunningJourneysCounter;
}): WebhookMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const requests = new client.Counter({
    name: WEBHOOK_METRICS.requests,
    help: 'Webhook requests answered, by provider (none: no webhook route) and reply code',
    labelNames: ['provider', 'code'],
    registers: [registry],
  });
  const authFailures = new client.Counter({
    name: WEBHOOK_METRICS.authFailures,
    help: 'Webhooks refused for their credentials, by provider and kind (not_configured, missing, invalid, jwks_unavailable)',
    labelNames: ['provider', 'kind'],
    registers: [registry],
  });
  const signals = new client.Counter({
    name: WEBHOOK_METRICS.signals,
    help: 'Webhooks delivered to their journey (signal with start), by provider and outcome (signalled, already-finished)',
    labelNames: ['provider', 'outcome'],
    registers: [registry],
  });
  const signalDuration = new client.Histogram({
    name: WEBHOOK_METRICS.signalDuration,
    help: 'Seconds from a webhook request arriving to its signal being recorded by Temporal, by provider',
    labelNames: ['provider'],
    buckets: [...METRIC_BUCKETS[WEBHOOK_METRICS.signalDuration]],
    registers: [registry],
  });
  // Known label values start at zero, so a rate over them exists before the first failure.
  for (const provider of PROVIDERS) {
    // The first accepted webhook is then an increase (JourneyWebhooksMissing reads it), not a series born at 1.
    requests.inc({ provider, code: '200' }, 0);
    for (const kind of AUTH_FAILURE_KINDS) authFailures.inc({ provider, kind }, 0);
    for (const outcome of SIGNAL_OUTCOMES) signals.inc({ provider, outcome }, 0);
  }
  const running = opts.runningJourneys;
  if (running) {
    new client.Gauge({
      name: WEBHOOK_METRICS.journeysRunning,
      help: "Journeys running, by provider, from Temporal's visibility (absent while Temporal cannot be reached)",
      labelNames: ['provider'],
      registers: [registry],
      async collect() {
        const counts = await running();
        this.reset();
        for (const [provider, n] of Object.entries(counts ?? {})) this.set({ provider }, n);
      },
    });
  }

  return {
    registry,
    observe(req, reply, facts) {
      const provider = facts.provider ?? 'none';
      requests.inc({ provider, code: String(reply.statusCode) });
      if (!facts.provider) return;
      if (facts.reason === 'unauthorized' || facts.reason === 'jwks_unavailable')
        authFailures.inc({ provider, kind: authFailureKind(facts.provider, opts.auth, req, facts.reason) });
      if (facts.outcome) {
        signals.inc({ provider, outcome: facts.outcome });
        // The reply is sent as soon as the signal is recorded: its elapsed time is the webhook-to-signal latency.
        signalDuration.observe({ provider }, reply.elapsedTime / 1000);
      }
    },
  };
}

/** The receiver's hook: every answered request is counted (`facts` reads the request's state). */
export function registerWebhookMetrics(
  app: FastifyInstance,
  metrics: WebhookMetrics,
  facts: (req: FastifyRequest) => WebhookRequestFacts,
): void {
  app.addHook('onResponse', async (req, reply) => metrics.observe(req, reply, facts(req)));
}

/** `GET /metrics` on its own listener; resolves with the bound address (`host:port`). */
export async function serveMetrics(
  registry: client.Registry,
  bind: string,
): Promise<{ address: string; close(): Promise<void> }> {
  const i = bind.lastIndexOf(':');
  const host = bind.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(bind.slice(i + 1));
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { address, port: bound } = server.address() as AddressInfo;
  return {
    address: `${address.includes(':') ? `[${address}]` : address}:${bound}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
