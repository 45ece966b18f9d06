/** Webhook sending on request: POST /__admin/webhooks {provider, journeyId, url, …} → the provider's webhook to `url`. */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../state';
import type { WebhookOptions, WebhookResult } from '../webhooks';
import { isProvider, parseJsonBody } from './admin';

export function webhookRoutes(app: FastifyInstance, send: (options: WebhookOptions) => Promise<WebhookResult>): void {
  app.post('/__admin/webhooks', async (req) => {
    const body = parseJsonBody(req.body) as Partial<WebhookOptions>;
    if (!isProvider(body.provider) || typeof body.journeyId !== 'string' || typeof body.url !== 'string') {
      throw new HttpError(400, { error: 'provider, journeyId and url are required' });
    }
    return send(body as WebhookOptions);
  });
}
