/**
 * The webhook receiver: provider callbacks → `journeyWebhook` signals (with start semantics).
 *
 *   POST /webhooks/<provider>[/:journeyId]   one route pair per provider in the registry (./provider-routes)
 *   GET  /healthz
 *
 * The receiver knows no provider by name: each adapter says how its webhooks are authenticated (a shared secret, or
 * a signed JWT as the body or in a header, with a static header as the alternative) and parses its own body.
 *
 * Order: authenticate (401) → body size (413) → body syntax and shape (400) → signal-with-start → 200.
 * 200 also when the journey has already finished (nothing is started; the provider must stop retrying);
 * 503 with Retry-After when Temporal cannot be reached in time (the provider retries).
 * A provider with no authentication configured has every webhook rejected (401). Statuses: ./errors.
 *
 * Event ids come from the adapter (the provider's own, or one it derives) and the workflow ignores repeats.
 */
import type { Server } from 'node:http';
import Fastify, { type FastifyHttpOptions, type FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import {
  DEFAULT_WEBHOOK_BODY_LIMIT_BYTES,
  DEFAULT_WEBHOOK_TEMPORAL_TIMEOUT_MS,
  DEFAULT_WEBHOOK_TIMEOUTS,
  type WebhookAuthConfig,
  type WebhookTimeouts,
} from '../config';
import { silentLogger, type AppLogger } from '../logger';
import type { ProviderAdapter } from '../providers/adapter';
import { adapters } from '../providers/registry';
import { DEFAULT_TASK_QUEUE } from '../contract/workflow';
import { accessLog } from './access-log';
import { createJwtVerifier, type SignedJwtConfig } from './auth';
import { textBodies } from './body';
import { errorReplies } from './error-replies';
import { frameworkErrorReply, handleClientError } from './errors';
import { registerWebhookMetrics, type WebhookMetrics } from './metrics';
import { providerRoutes } from './provider-routes';
import { requestState } from './request-state';

export interface WebhookServerConfig {
  auth: WebhookAuthConfig;
  taskQueue?: string;
  bodyLimitBytes?: number;
  /** How long a signal may wait for Temporal before the webhook is answered 503. Default 5 s. */
  temporalTimeoutMs?: number;
  /** JWT clock tolerance in seconds (default 30). */
  clockToleranceSec?: number;
  /** Connection limits; the defaults stay below the shortest documented provider delivery deadline (10 s). */
  timeouts?: Partial<WebhookTimeouts>;
}

export interface WebhookServerDeps {
  client: Client;
  config: WebhookServerConfig;
  logger?: AppLogger;
  now?: () => Date;
  /** Counts every answered request (./metrics); none by default. */
  metrics?: WebhookMetrics;
}

const WEBHOOK_ADAPTERS: readonly ProviderAdapter[] = Object.values(adapters);

/** Fastify's server options: the body limit and the connection timeouts. */
function serverOptions(config: WebhookServerConfig, bodyLimit: number): FastifyHttpOptions<Server> {
  const timeouts = { ...DEFAULT_WEBHOOK_TIMEOUTS, ...config.timeouts };
  return {
    logger: false,
    bodyLimit,
    return503OnClosing: true,
    // A client that trickles headers or a body, or idles, loses the connection well before a provider's deadline.
    requestTimeout: timeouts.requestMs,
    // The socket timeout also runs while a handler waits for Temporal (which can overrun its deadline on a loaded
    // machine): a backstop well past that wait, or a webhook arriving while the server is down loses its connection
    // instead of getting the 503. Slow or idle clients are cut by the header, request and keep-alive timeouts.
    connectionTimeout: Math.max(
      timeouts.idleMs,
      timeouts.requestMs + (config.temporalTimeoutMs ?? DEFAULT_WEBHOOK_TEMPORAL_TIMEOUT_MS),
    ),
    keepAliveTimeout: timeouts.idleMs,
    http: {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(timeouts.headersMs / 2))),
    },
    frameworkErrors: frameworkErrorReply,
    clientErrorHandler: handleClientError,
  };
}

export function createWebhookServer({
  client,
  config,
  logger = silentLogger,
  now = () => new Date(),
  metrics,
}: WebhookServerDeps): FastifyInstance {
  const bodyLimit = config.bodyLimitBytes ?? DEFAULT_WEBHOOK_BODY_LIMIT_BYTES;
  const app = Fastify(serverOptions(config, bodyLimit));
  app.register(requestState);
  app.register(accessLog, { logger });
  if (metrics) registerWebhookMetrics(app, metrics, (req) => req.webhook ?? {});
  app.register(errorReplies, { bodyLimit, logger });
  app.register(textBodies, { bodyLimit });
  app.get('/healthz', async () => ({ ok: true }));
  for (const adapter of WEBHOOK_ADAPTERS) {
    const { auth } = adapter.webhook;
    // Signed-jwt providers each get a verifier, which caches its own JWKS.
    const verifier =
      auth.scheme === 'signed-jwt'
        ? createJwtVerifier(config.auth[auth.configKey] as SignedJwtConfig | undefined, {
            clockToleranceSec: config.clockToleranceSec ?? 30,
          })
        : undefined;
    app.register(providerRoutes, {
      adapter,
      auth: config.auth,
      ...(verifier ? { verifier } : {}),
      client,
      taskQueue: config.taskQueue ?? DEFAULT_TASK_QUEUE,
      temporalTimeoutMs: config.temporalTimeoutMs ?? DEFAULT_WEBHOOK_TEMPORAL_TIMEOUT_MS,
      now,
    });
  }
  return app;
}
