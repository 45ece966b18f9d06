/**
 * The webhook receiver: provider callbacks → `journeyWebhook` signals (with start semantics).
 *
 *   POST /webhooks/<provider>[/:journeyId]   one route pair per provider in the registry
 *   GET  /healthz
 *
 * The receiver knows no provider by name: each adapter says how its webhooks are authenticated (a shared secret, or
 * a signed JWT as the body or in a header, with a static header as the alternative) and parses its own body.
 *
 * Order: authenticate (401) → body size (413) → body syntax and shape (400) → signal-with-start → 200.
 * 200 also when the journey has already finished (nothing is started; the provider must stop retrying);
 * 503 with Retry-After when Temporal cannot be reached in time (the provider retries).
 * A provider with no authentication configured has every webhook rejected (401).
 *
 * Event ids come from the adapter (the provider's own, or one it derives) and the workflow ignores repeats.
 *
 * Longer than our ~250-line guideline on purpose: the route, its error mapping and the server's timeouts are one
 * request path read in order; authentication lives in ./auth and the error shape in ./errors.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Client } from '@temporalio/client';
import { isTemporalUnavailable, signalJourneyWebhook, TemporalAccessDeniedError } from '../client';
import { headerValue } from '../headers';
import { parseJsonOrThrow } from '../json';
import {
  DEFAULT_WEBHOOK_BODY_LIMIT_BYTES,
  DEFAULT_WEBHOOK_TEMPORAL_TIMEOUT_MS,
  DEFAULT_WEBHOOK_TIMEOUTS,
  type WebhookAuthConfig,
  type WebhookTimeouts,
} from '../config';
import { silentLogger, type AppLogger } from '../logger';
import type { JourneyProvider } from '../journey';
import { WebhookBodyError, type ProviderAdapter } from '../providers/adapter';
import { adapters } from '../providers/registry';
import { InvalidJourneyInputError, journeyIdProblem } from '../journey-input';
import { DEFAULT_TASK_QUEUE, type JourneyWebhook } from '../workflow-contract';
import {
  createJwtVerifier,
  decodeUnverified,
  JwksUnavailableError,
  verifySharedSecret,
  WebhookAuthError,
  type JwtVerifier,
  type SharedSecretConfig,
  type SignedJwtConfig,
} from './auth';
import { frameworkErrorReply, handleClientError, HttpError } from './errors';

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
}

const WEBHOOK_ADAPTERS: readonly ProviderAdapter[] = Object.values(adapters);

interface RequestState {
  provider?: JourneyProvider;
  journeyId?: string;
  /** The verified JWT claims, for the signed-jwt scheme. */
  claims?: Record<string, unknown>;
  authenticated?: string;
  outcome?: string;
  reason?: string;
}

function isJwtContentType(req: FastifyRequest): boolean {
  return /^application\/jwt\b/i.test(headerValue(req.headers, 'content-type') ?? '');
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  return parseJsonOrThrow(text, () => new HttpError(400, 'invalid_json', 'the body is not valid JSON'));
}

export function createWebhookServer({
  client,
  config,
  logger = silentLogger,
  now = () => new Date(),
}: WebhookServerDeps): FastifyInstance {
  const bodyLimit = config.bodyLimitBytes ?? DEFAULT_WEBHOOK_BODY_LIMIT_BYTES;
  const taskQueue = config.taskQueue ?? DEFAULT_TASK_QUEUE;
  // One JWT verifier per provider using the signed-jwt scheme (each caches its own JWKS).
  const verifiers = new Map<JourneyProvider, JwtVerifier>();
  for (const { provider, webhook } of WEBHOOK_ADAPTERS) {
    if (webhook.auth.scheme !== 'signed-jwt') continue;
    const jwtConfig = config.auth[webhook.auth.configKey] as SignedJwtConfig | undefined;
    verifiers.set(provider, createJwtVerifier(jwtConfig, { clockToleranceSec: config.clockToleranceSec ?? 30 }));
  }
  const state = new WeakMap<FastifyRequest, RequestState>();
  const stateOf = (req: FastifyRequest) => {
    let s = state.get(req);
    if (!s) state.set(req, (s = {}));
    return s;
  };

  const timeouts = { ...DEFAULT_WEBHOOK_TIMEOUTS, ...config.timeouts };
  const app = Fastify({
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
  });

  // Every body is read as text (within the limit) and parsed by the handler, after authentication.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    const s = stateOf(req);
    if (err instanceof HttpError) {
      s.reason = err.code;
      return reply.code(err.status).send({ error: err.code, message: err.message });
    }
    if (err instanceof WebhookBodyError) {
      s.reason = 'invalid_body';
      return reply.code(400).send({ error: 'invalid_body', message: err.message });
    }
    if (err instanceof InvalidJourneyInputError) {
      s.reason = 'invalid_input';
      return reply.code(400).send({ error: 'invalid_input', message: err.message });
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      s.reason = 'body_too_large';
      return reply.code(413).send({ error: 'body_too_large', message: `the body exceeds ${bodyLimit} bytes` });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      s.reason = err.code ?? 'bad_request';
      return reply.code(err.statusCode).send({ error: 'bad_request', message: 'the request could not be read' });
    }
    s.reason = 'internal';
    logger.error('webhook handler failed', { error: err.name, route: req.routeOptions.url });
    return reply.code(500).send({ error: 'internal', message: 'internal error' });
  });

  app.setNotFoundHandler((req, reply) => {
    stateOf(req).reason = 'not_found';
    const routes = WEBHOOK_ADAPTERS.map((a) => `/webhooks/${a.provider}`).join(', ');
    return reply.code(404).send({ error: 'not_found', message: `no such route (providers: ${routes})` });
  });

  // Access log: method, route pattern, status, latency, provider and journey id at most. Never headers or bodies.
  app.addHook('onResponse', async (req, reply) => {
    const s = state.get(req) ?? {};
    logger.info('http', {
      method: req.method,
      route: req.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      latencyMs: Math.round(reply.elapsedTime * 10) / 10,
      ...(s.provider ? { provider: s.provider } : {}),
      ...(s.journeyId ? { journeyId: s.journeyId } : {}),
      ...(s.outcome ? { outcome: s.outcome } : {}),
      ...(s.reason ? { reason: s.reason } : {}),
    });
  });

  app.get('/healthz', async () => ({ ok: true }));

  /** Header-borne credentials are checked before the body is read. */
  async function authenticateHeaders(adapter: ProviderAdapter, req: FastifyRequest): Promise<void> {
    const s = stateOf(req);
    s.provider = adapter.provider;
    const auth = adapter.webhook.auth;
    if (auth.scheme === 'shared-secret') {
      s.authenticated = verifySharedSecret(req.headers, config.auth[auth.configKey] as SharedSecretConfig | undefined);
      return;
    }
    const verifier = verifiers.get(adapter.provider)!;
    if (!verifier.jwtConfigured && !verifier.staticConfigured)
      throw new WebhookAuthError(`no authentication is configured for ${adapter.provider} webhooks`);
    const headerJwt = headerValue(req.headers, auth.jwtHeader);
    if (headerJwt && verifier.jwtConfigured) {
      s.claims = (await verifier.verifyJwt(headerJwt.trim())) as Record<string, unknown>;
      s.authenticated = 'jwt-header';
      return;
    }
    // A JWT in the body is verified once the body is read (see the handler); a presented JWT must verify.
    if (isJwtContentType(req) && verifier.jwtConfigured) return;
    if (verifier.staticHeaderOk(req.headers)) {
      s.authenticated = 'static-header';
      return;
    }
    throw new WebhookAuthError(`missing or wrong ${adapter.provider} webhook credentials`);
  }

  async function onAuthFailure(err: unknown, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const s = stateOf(req);
    if (err instanceof WebhookAuthError) {
      s.reason = 'unauthorized';
      logger.warn('webhook rejected', { provider: s.provider, reason: err.message });
      // Answered before the body is read: close the connection rather than wait for the rest of the body.
      const sharedSecret = s.provider !== undefined && adapters[s.provider].webhook.auth.scheme === 'shared-secret';
      const headers: Record<string, string> = sharedSecret
        ? { connection: 'close', 'www-authenticate': 'Basic realm="journey-await webhooks"' }
        : { connection: 'close' };
      return reply
        .code(401)
        .headers(headers)
        .send({ error: 'unauthorized', message: 'missing or invalid webhook credentials' });
    }
    if (err instanceof JwksUnavailableError) {
      s.reason = 'jwks_unavailable';
      logger.error('JWKS unavailable', { provider: s.provider, reason: err.message });
      return reply
        .code(503)
        .header('retry-after', '10')
        .send({ error: 'unavailable', message: 'cannot verify the webhook right now; retry later' });
    }
    throw err;
  }

  /** The payload the adapter parses: the verified claims, an application/jwt body's claims, or the JSON body. */
  async function payloadOf(req: FastifyRequest): Promise<unknown> {
    const s = stateOf(req);
    const body = req.body as string | undefined;
    if (s.claims) return s.claims;
    if (isJwtContentType(req)) {
      // Only reached when a static header authenticated the sender: the JWT itself is not verified.
      const claims = await decodeUnverified((body ?? '').trim());
      if (!claims) throw new HttpError(400, 'invalid_jwt', 'the application/jwt body is not a JWT');
      return claims;
    }
    return parseJson(body);
  }

  async function extract(
    adapter: ProviderAdapter,
    req: FastifyRequest,
    pathJourneyId: string | undefined,
  ): Promise<{ journeyId: string; webhook: JourneyWebhook; environment?: string }> {
    const s = stateOf(req);
    const event = adapter.webhook.parse(await payloadOf(req));
    const webhook: JourneyWebhook = {
      ...(event.eventId ? { eventId: event.eventId } : {}),
      ...(event.providerStatus ? { providerStatus: event.providerStatus } : {}),
      receivedAt: now().toISOString(),
    };
    const bodyJourneyId = event.journeyId;
    if (bodyJourneyId !== undefined && journeyIdProblem(bodyJourneyId) !== undefined) {
      throw new HttpError(400, 'invalid_body', `${adapter.webhook.journeyIdField}: malformed journey id`);
    }
    if (pathJourneyId !== undefined && journeyIdProblem(pathJourneyId) !== undefined)
      throw new HttpError(400, 'invalid_journey_id', 'malformed journey id in the path');
    if (pathJourneyId && bodyJourneyId && pathJourneyId !== bodyJourneyId) {
      throw new HttpError(400, 'journey_id_mismatch', 'the journey id in the path differs from the one in the body');
    }
    const journeyId = pathJourneyId ?? bodyJourneyId;
    if (!journeyId)
      throw new HttpError(400, 'missing_journey_id', `no ${adapter.webhook.journeyIdField} in the body or the path`);
    s.journeyId = journeyId;
    return { journeyId, webhook, ...(event.environment ? { environment: event.environment } : {}) };
  }

  for (const adapter of WEBHOOK_ADAPTERS) {
    const provider = adapter.provider;
    const verifier = verifiers.get(provider);
    const handler = async (req: FastifyRequest<{ Params: { journeyId?: string } }>, reply: FastifyReply) => {
      const s = stateOf(req);
      if (verifier && !s.authenticated) {
        // JWT in an application/jwt body: verify now that the body is read.
        try {
          s.claims = (await verifier.verifyJwt(String(req.body ?? '').trim())) as Record<string, unknown>;
          s.authenticated = 'jwt-body';
        } catch (err) {
          return onAuthFailure(err, req, reply);
        }
      }
      const { journeyId, webhook, environment } = await extract(adapter, req, req.params.journeyId);
      try {
        const outcome = await signalJourneyWebhook(
          client,
          { provider, journeyId, ...(environment ? { environment } : {}) },
          webhook,
          {
            taskQueue,
            timeoutMs: config.temporalTimeoutMs ?? DEFAULT_WEBHOOK_TEMPORAL_TIMEOUT_MS,
          },
        );
        s.outcome = outcome;
        return reply.code(200).send({ ok: true, outcome });
      } catch (err) {
        // Either way the provider should retry: an operator can fix the credentials while it does.
        const refused = err instanceof TemporalAccessDeniedError;
        if (refused || isTemporalUnavailable(err)) {
          s.reason = refused ? 'temporal_access_denied' : 'temporal_unavailable';
          logger.error(`${refused ? err.message : 'Temporal unavailable'}; webhook refused with 503`, {
            provider,
            journeyId,
          });
          return reply
            .code(503)
            .header('retry-after', '5')
            .send({ error: 'unavailable', message: 'the webhook could not be recorded; retry later' });
        }
        throw err;
      }
    };
    const onRequest = async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        await authenticateHeaders(adapter, req);
      } catch (err) {
        return onAuthFailure(err, req, reply);
      }
    };
    app.post<{ Params: { journeyId?: string } }>(`/webhooks/${provider}`, { onRequest }, handler);
    app.post<{ Params: { journeyId?: string } }>(`/webhooks/${provider}/:journeyId`, { onRequest }, handler);
  }

  return app;
}
