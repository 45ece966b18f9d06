/** The receiver's error handler and 404, both answering from the one table in ./errors. */
import type { FastifyInstance } from 'fastify';
import type { AppLogger } from '../logger';
import { adapters } from '../providers/registry';
import { discardRest, DISCARD_FACTOR } from './body';
import { HttpError, refusalFor, statusOf } from './errors';
import { shared, stateOf } from './request-state';

export interface ErrorRepliesOptions {
  bodyLimit: number;
  logger: AppLogger;
}

export const errorReplies = shared(async (app: FastifyInstance, { bodyLimit, logger }: ErrorRepliesOptions) => {
  app.setErrorHandler(async (err, req, reply) => {
    const s = stateOf(req);
    const provider = s.provider;
    const refusal = refusalFor(err, {
      bodyLimit,
      basicChallenge: provider !== undefined && adapters[provider].webhook.auth.scheme === 'shared-secret',
    });
    s.reason = refusal.reason;
    if (refusal.log) {
      const fields = {
        ...(provider ? { provider } : {}),
        ...(s.journeyId ? { journeyId: s.journeyId } : {}),
        ...(refusal.reason === 'internal' ? { route: req.routeOptions.url } : {}),
      };
      logger[refusal.log.level](refusal.log.message, fields);
    }
    if (refusal.body.error === 'body_too_large') await discardRest(req.raw, DISCARD_FACTOR * bodyLimit);
    return reply
      .code(statusOf(refusal))
      .headers(refusal.headers ?? {})
      .send(refusal.body);
  });

  const routes = Object.values(adapters)
    .map((a) => `/webhooks/${a.provider}`)
    .join(', ');
  app.setNotFoundHandler(async () => {
    throw new HttpError('not_found', `no such route (providers: ${routes})`);
  });
});
