/** The receiver's access log: method, route pattern, status, latency, provider and journey id at most. */
import type { FastifyInstance } from 'fastify';
import type { AppLogger } from '../logger';
import { shared } from './request-state';

/** One line per response; never headers or bodies. */
export const accessLog = shared(async (app: FastifyInstance, { logger }: { logger: AppLogger }) => {
  app.addHook('onResponse', async (req, reply) => {
    const s = req.webhook ?? {};
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
});
