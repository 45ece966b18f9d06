/**
 * One route pair per provider in the registry, `POST /webhooks/<provider>[/:journeyId]`:
 * authenticate the headers (onRequest, before the body is read) → a JWT body (preHandler) → parse → signal.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Client } from '@temporalio/client';
import { signalJourneyWebhook } from '../client';
import { headerValue } from '../headers';
import { journeyIdProblem } from '../contract/identifiers';
import type { ProviderAdapter } from '../providers/adapter';
import type { JourneyWebhook } from '../contract/workflow';
import type { WebhookAuthConfig } from '../config';
import { verifySharedSecret, type JwtVerifier, type SharedSecretConfig } from './auth';
import { bodyJwt, payloadOf } from './body';
import { HttpError, WebhookAuthError } from './errors';
import { stateOf } from './request-state';
import { withWebhookSpan } from './tracing';

export interface ProviderRoutesOptions {
  adapter: ProviderAdapter;
  auth: WebhookAuthConfig;
  /** For signed-jwt providers. */
  verifier?: JwtVerifier;
  client: Client;
  taskQueue: string;
  temporalTimeoutMs: number;
  now: () => Date;
}

type WebhookRequest = FastifyRequest<{ Params: { journeyId?: string } }>;

/** Header-borne credentials, checked before the body is read. A JWT in the body waits for authenticateBody. */
function authenticateHeaders(
  { adapter, auth, verifier }: ProviderRoutesOptions,
  req: FastifyRequest,
): void | Promise<void> {
  const s = stateOf(req);
  s.provider = adapter.provider;
  const scheme = adapter.webhook.auth;
  if (scheme.scheme === 'shared-secret') {
    s.authenticated = verifySharedSecret(req.headers, auth[scheme.configKey] as SharedSecretConfig | undefined);
    return;
  }
  if (!verifier || (!verifier.jwtConfigured && !verifier.staticConfigured))
    throw new WebhookAuthError(`no authentication is configured for ${adapter.provider} webhooks`);
  const headerJwt = headerValue(req.headers, scheme.jwtHeader);
  if (headerJwt && verifier.jwtConfigured) {
    return verifier.verifyJwt(headerJwt.trim()).then((claims) => {
      s.claims = claims as Record<string, unknown>;
      s.authenticated = 'jwt-header';
    });
  }
  // A presented JWT body must verify: checked once the body is read.
  if (verifier.jwtConfigured && /^application\/jwt\b/i.test(headerValue(req.headers, 'content-type') ?? '')) return;
  if (verifier.staticHeaderOk(req.headers)) {
    s.authenticated = 'static-header';
    return;
  }
  throw new WebhookAuthError(`missing or wrong ${adapter.provider} webhook credentials`);
}

/** An application/jwt body of a sender not yet authenticated: verified now that it is read. */
async function authenticateBody({ adapter, verifier }: ProviderRoutesOptions, req: FastifyRequest): Promise<void> {
  const s = stateOf(req);
  if (s.authenticated) return;
  const jwt = bodyJwt(adapter, req);
  if (!verifier || jwt === undefined) throw new WebhookAuthError(`missing ${adapter.provider} webhook credentials`);
  s.claims = (await verifier.verifyJwt(jwt)) as Record<string, unknown>;
  s.authenticated = 'jwt-body';
}

/** The journey and the signal of an authenticated webhook; the path's and the body's journey ids must agree. */
async function extract(
  { adapter, now }: ProviderRoutesOptions,
  req: WebhookRequest,
): Promise<{ journeyId: string; webhook: JourneyWebhook; environment?: string }> {
  const event = adapter.webhook.parse(await payloadOf(adapter, req));
  const webhook: JourneyWebhook = {
    ...(event.eventId ? { eventId: event.eventId } : {}),
    ...(event.providerStatus ? { providerStatus: event.providerStatus } : {}),
    receivedAt: now().toISOString(),
  };
  const { journeyId: bodyJourneyId } = event;
  const pathJourneyId = req.params.journeyId;
  if (bodyJourneyId !== undefined && journeyIdProblem(bodyJourneyId) !== undefined)
    throw new HttpError('invalid_body', `${adapter.webhook.journeyIdField}: malformed journey id`);
  if (pathJourneyId !== undefined && journeyIdProblem(pathJourneyId) !== undefined)
    throw new HttpError('invalid_journey_id', 'malformed journey id in the path');
  if (pathJourneyId && bodyJourneyId && pathJourneyId !== bodyJourneyId)
    throw new HttpError('journey_id_mismatch', 'the journey id in the path differs from the one in the body');
  const journeyId = pathJourneyId ?? bodyJourneyId;
  if (!journeyId)
    throw new HttpError('missing_journey_id', `no ${adapter.webhook.journeyIdField} in the body or the path`);
  stateOf(req).journeyId = journeyId;
  return { journeyId, webhook, ...(event.environment ? { environment: event.environment } : {}) };
}

/** Signal-with-start; 200 also when the journey has already finished (the provider must stop retrying). */
async function deliver(options: ProviderRoutesOptions, req: WebhookRequest, reply: FastifyReply) {
  const { journeyId, webhook, environment } = await extract(options, req);
  const outcome = await withWebhookSpan(options.adapter.provider, () =>
    signalJourneyWebhook(
      options.client,
      { provider: options.adapter.provider, journeyId, ...(environment ? { environment } : {}) },
      webhook,
      { taskQueue: options.taskQueue, timeoutMs: options.temporalTimeoutMs },
    ),
  );
  stateOf(req).outcome = outcome;
  return reply.code(200).send({ ok: true, outcome });
}

export async function providerRoutes(app: FastifyInstance, options: ProviderRoutesOptions): Promise<void> {
  const route = {
    onRequest: async (req: FastifyRequest) => authenticateHeaders(options, req),
    preHandler: async (req: FastifyRequest) => authenticateBody(options, req),
    handler: async (req: WebhookRequest, reply: FastifyReply) => deliver(options, req, reply),
  };
  const base = `/webhooks/${options.adapter.provider}`;
  app.post<{ Params: { journeyId?: string } }>(base, route);
  app.post<{ Params: { journeyId?: string } }>(`${base}/:journeyId`, route);
}
