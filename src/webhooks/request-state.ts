/**
 * Per-request state of a webhook, as a Fastify request decoration (`req.webhook`): what the access log reports and
 * the verified JWT claims the body parser reads. Set up fresh for each request by an onRequest hook.
 */
import type { FastifyInstance } from 'fastify';
import type { JourneyProvider } from '../contract/vocabulary';

export interface WebhookRequestState {
  provider?: JourneyProvider;
  journeyId?: string;
  /** The verified JWT claims, for the signed-jwt scheme. */
  claims?: Record<string, unknown>;
  /** How the sender was authenticated (`basic`, `api-key`, `jwt-header`, `jwt-body`, `static-header`). */
  authenticated?: string;
  outcome?: string;
  reason?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Null only for errors Fastify answers before any hook runs (frameworkErrors). */
    webhook: WebhookRequestState | null;
  }
}

/** A part shared with the whole app rather than encapsulated (what fastify-plugin does). */
export function shared<T extends (app: FastifyInstance, opts: never) => Promise<void> | void>(plugin: T): T {
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
}

export const requestState = shared(async (app: FastifyInstance) => {
  app.decorateRequest('webhook', null);
  app.addHook('onRequest', async (req) => {
    req.webhook = {};
  });
});

/** The request's state; an empty one for a request no hook has seen. */
export const stateOf = (req: { webhook: WebhookRequestState | null }): WebhookRequestState => (req.webhook ??= {});
