/**
 * The webhook receiver: provider callbacks → `journeyWebhook` signals (with start semantics).
 *
 *   POST /webhooks/gbg-go-v2[/:journeyId]   GBG GO v2 Webhook module (HTTP Basic or API-key header)
 *   POST /webhooks/gbg-go-v1[/:journeyId]   GBG GO v1 Webhook module (the same auth)
 *   POST /webhooks/idnow[/:journeyId]       IDnow (RS256 JWT as application/jwt body or X-Idnow-Signature; or a static header)
 *   GET  /healthz
 *
 * Order: authenticate (401) → body size (413) → body syntax and shape (400) → signal-with-start → 200.
 * 200 also when the journey has already finished (nothing is started; the provider must stop retrying);
 * 503 with Retry-After when Temporal cannot be reached in time (the provider retries).
 * A provider with no authentication configured has every webhook rejected (401).
 *
 * Event ids: IDnow's `data.eventId` (the same on retries) is passed on and the workflow ignores repeats.
 * GBG sends none; the receiver derives `gbg:<status>` (or `gbg:webhook` without a status) per journey, because
 * the Webhook module fires once per journey: a retried delivery then wakes the workflow at most once per status.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { isTemporalUnavailable, signalJourneyWebhook } from '../client';
import { DEFAULT_WEBHOOK_BODY_LIMIT_BYTES, DEFAULT_WEBHOOK_TEMPORAL_TIMEOUT_MS, DEFAULT_WEBHOOK_TIMEOUTS, type WebhookAuthConfig, type WebhookTimeouts } from '../config';
import { silentLogger, type AppLogger } from '../logger';
import type { JourneyProvider } from '../journey';
import { InvalidJourneyInputError, journeyIdProblem } from '../journey-input';
import { DEFAULT_TASK_QUEUE, type JourneyWebhook } from '../shared';
import { createIdnowVerifier, decodeUnverified, JwksUnavailableError, verifyGbg, WebhookAuthError, type IdnowVerifier } from './auth';
import { frameworkErrorReply, handleClientError, HttpError } from './errors';

export interface WebhookServerConfig {
  auth: WebhookAuthConfig;
  taskQueue?: string;
  bodyLimitBytes?: number;
  /** How long a signal may wait for Temporal before the webhook is answered 503. Default 5 s. */
  temporalTimeoutMs?: number;
  /** JWT clock tolerance in seconds (default 30). */
  clockToleranceSec?: number;
  /** Connection limits; the defaults stay below IDnow's 10 s delivery deadline. */
  timeouts?: Partial<WebhookTimeouts>;
}

export interface WebhookServerDeps {
  client: Client;
  config: WebhookServerConfig;
  logger?: AppLogger;
  now?: () => Date;
}

const WEBHOOK_PROVIDERS: readonly JourneyProvider[] = ['gbg-go-v2', 'gbg-go-v1', 'idnow'];

/** The journey id rule every entry shares (see journey-input.ts). */
const journeyIdSchema = z.string().refine((id) => journeyIdProblem(id) === undefined, 'malformed journey id');
const shortText = z.string().min(1).max(200);

const gbgBodySchema = z
  .object({
    instanceId: journeyIdSchema.optional(),
    status: shortText.optional(),
    eventId: shortText.optional(),
  })
  .loose();

const idnowDataSchema = z
  .object({
    eventId: shortText.optional(),
    eventName: shortText.optional(),
    environment: z.string().regex(/^[a-z0-9-]{1,32}$/).optional(),
    payload: z
      .object({
        sessionId: journeyIdSchema.optional(),
        sessionStatus: shortText.optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

interface RequestState {
  provider?: JourneyProvider;
  journeyId?: string;
  /** The verified (or static-header authenticated) JWT claims, for IDnow. */
  claims?: Record<string, unknown>;
  authenticated?: string;
  outcome?: string;
  reason?: string;
}

function headerValue(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isJwtContentType(req: FastifyRequest): boolean {
  return /^application\/jwt\b/i.test(headerValue(req, 'content-type') ?? '');
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'the body is not valid JSON');
  }
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid body';
}

export function createWebhookServer({ client, config, logger = silentLogger, now = () => new Date() }: WebhookServerDeps): FastifyInstance {
  const bodyLimit = config.bodyLimitBytes ?? DEFAULT_WEBHOOK_BODY_LIMIT_BYTES;
  const taskQueue = config.taskQueue ?? DEFAULT_TASK_QUEUE;
  const idnow: IdnowVerifier = createIdnowVerifier(config.auth.idnow, { clockToleranceSec: config.clockToleranceSec ?? 30 });
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
    connectionTimeout: timeouts.idleMs,
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
    return reply.code(404).send({ error: 'not_found', message: 'no such route (providers: /webhooks/gbg-go-v2, /webhooks/gbg-go-v1, /webhooks/idnow)' });
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
  async function authenticateHeaders(provider: JourneyProvider, req: FastifyRequest): Promise<void> {
    const s = stateOf(req);
    s.provider = provider;
    if (provider !== 'idnow') {
      s.authenticated = verifyGbg(req.headers, config.auth.gbg);
      return;
    }
    if (!idnow.jwtConfigured && !idnow.staticConfigured) throw new WebhookAuthError('no authentication is configured for IDnow webhooks');
    const headerJwt = headerValue(req, 'x-idnow-signature');
    if (headerJwt && idnow.jwtConfigured) {
      s.claims = (await idnow.verifyJwt(headerJwt.trim())) as Record<string, unknown>;
      s.authenticated = 'jwt-header';
      return;
    }
    // A JWT in the body is verified once the body is read (see the handler); a presented JWT must verify.
    if (isJwtContentType(req) && idnow.jwtConfigured) return;
    if (idnow.staticHeaderOk(req.headers)) {
      s.authenticated = 'static-header';
      return;
    }
    throw new WebhookAuthError('missing or wrong IDnow webhook credentials');
  }

  async function onAuthFailure(err: unknown, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const s = stateOf(req);
    if (err instanceof WebhookAuthError) {
      s.reason = 'unauthorized';
      logger.warn('webhook rejected', { provider: s.provider, reason: err.message });
      // Answered before the body is read: close the connection rather than wait for the rest of the body.
      const headers: Record<string, string> = s.provider === 'idnow' ? { connection: 'close' } : { connection: 'close', 'www-authenticate': 'Basic realm="journey-await webhooks"' };
      return reply.code(401).headers(headers).send({ error: 'unauthorized', message: 'missing or invalid webhook credentials' });
    }
    if (err instanceof JwksUnavailableError) {
      s.reason = 'jwks_unavailable';
      logger.error('IDnow JWKS unavailable', { reason: err.message });
      return reply.code(503).header('retry-after', '10').send({ error: 'unavailable', message: 'cannot verify the webhook right now; retry later' });
    }
    throw err;
  }

  async function extract(
    provider: JourneyProvider,
    req: FastifyRequest,
    pathJourneyId: string | undefined,
  ): Promise<{ journeyId: string; webhook: JourneyWebhook; environment?: string }> {
    const s = stateOf(req);
    const body = req.body as string | undefined;
    const receivedAt = now().toISOString();
    let bodyJourneyId: string | undefined;
    let webhook: JourneyWebhook;
    let environment: string | undefined;
    if (provider !== 'idnow') {
      const parsed = gbgBodySchema.safeParse(parseJson(body) ?? {});
      if (!parsed.success) throw new HttpError(400, 'invalid_body', firstIssue(parsed.error));
      bodyJourneyId = parsed.data.instanceId;
      const status = parsed.data.status;
      webhook = {
        eventId: parsed.data.eventId ?? `gbg:${status ? status.toLowerCase().replace(/[^a-z0-9]/g, '') : 'webhook'}`,
        ...(status ? { providerStatus: status } : {}),
        receivedAt,
      };
    } else {
      let data: unknown;
      if (s.claims) data = s.claims.data ?? s.claims;
      else if (isJwtContentType(req)) {
        const claims = await decodeUnverified((body ?? '').trim());
        if (!claims) throw new HttpError(400, 'invalid_jwt', 'the application/jwt body is not a JWT');
        data = claims.data ?? claims;
      } else {
        const json = parseJson(body) as Record<string, unknown> | undefined;
        data = json && typeof json === 'object' && json.data !== undefined ? json.data : (json ?? {});
      }
      const parsed = idnowDataSchema.safeParse(data);
      if (!parsed.success) throw new HttpError(400, 'invalid_body', firstIssue(parsed.error));
      bodyJourneyId = parsed.data.payload?.sessionId;
      environment = parsed.data.environment;
      const status = parsed.data.payload?.sessionStatus;
      webhook = { ...(parsed.data.eventId ? { eventId: parsed.data.eventId } : {}), ...(status ? { providerStatus: status } : {}), receivedAt };
    }
    if (pathJourneyId !== undefined && !journeyIdSchema.safeParse(pathJourneyId).success) throw new HttpError(400, 'invalid_journey_id', 'malformed journey id in the path');
    if (pathJourneyId && bodyJourneyId && pathJourneyId !== bodyJourneyId) {
      throw new HttpError(400, 'journey_id_mismatch', 'the journey id in the path differs from the one in the body');
    }
    const journeyId = pathJourneyId ?? bodyJourneyId;
    if (!journeyId) throw new HttpError(400, 'missing_journey_id', provider === 'idnow' ? 'no sessionId in the event payload or the path' : 'no instanceId in the body or the path');
    s.journeyId = journeyId;
    return { journeyId, webhook, ...(environment ? { environment } : {}) };
  }

  for (const provider of WEBHOOK_PROVIDERS) {
    const handler = async (req: FastifyRequest<{ Params: { journeyId?: string } }>, reply: FastifyReply) => {
      const s = stateOf(req);
      if (provider === 'idnow' && !s.authenticated) {
        // JWT in an application/jwt body: verify now that the body is read.
        try {
          s.claims = (await idnow.verifyJwt(String(req.body ?? '').trim())) as Record<string, unknown>;
          s.authenticated = 'jwt-body';
        } catch (err) {
          return onAuthFailure(err, req, reply);
        }
      }
      const { journeyId, webhook, environment } = await extract(provider, req, req.params.journeyId);
      try {
        const outcome = await signalJourneyWebhook(client, { provider, journeyId, ...(environment ? { environment } : {}) }, webhook, {
          taskQueue,
          timeoutMs: config.temporalTimeoutMs ?? DEFAULT_WEBHOOK_TEMPORAL_TIMEOUT_MS,
        });
        s.outcome = outcome;
        return reply.code(200).send({ ok: true, outcome });
      } catch (err) {
        if (isTemporalUnavailable(err)) {
          s.reason = 'temporal_unavailable';
          logger.error('Temporal unavailable; webhook refused with 503', { provider, journeyId });
          return reply.code(503).header('retry-after', '5').send({ error: 'unavailable', message: 'the webhook could not be recorded; retry later' });
        }
        throw err;
      }
    };
    const onRequest = async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        await authenticateHeaders(provider, req);
      } catch (err) {
        return onAuthFailure(err, req, reply);
      }
    };
    app.post<{ Params: { journeyId?: string } }>(`/webhooks/${provider}`, { onRequest }, handler);
    app.post<{ Params: { journeyId?: string } }>(`/webhooks/${provider}/:journeyId`, { onRequest }, handler);
  }

  return app;
}
