/**
 * The simulator's admin API (not a provider API):
 *   POST /__admin/journeys {provider, journeyId, script, variant?, dataBlocksShape?, dataBlocksScript?}   script a journey
 *   GET  /__admin/journeys/{provider}/{journeyId}   its progress;  GET /__admin/stats;  POST /__admin/reset
 *   POST /__admin/tokens/expire | /__admin/tokens/revoke
 *   POST /__admin/outage {httpStatus?: 503}   every journey's state request answers that status;  DELETE: it ends
 */
import type { FastifyInstance } from 'fastify';
import { PROVIDERS, type JourneyProvider } from '../../../src/contract/vocabulary';
import { ScriptError, type ScriptEntry } from '../script';
import { HttpError, type JourneyOptions, type SimulatorState } from '../state';

export function parseJsonBody(body: unknown): Record<string, unknown> {
  try {
    const json: unknown = JSON.parse(typeof body === 'string' ? body : '');
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) return json as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, { error: 'invalid_json' });
}

export const isProvider = (value: unknown): value is JourneyProvider =>
  (PROVIDERS as readonly unknown[]).includes(value);

export function adminRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.post('/__admin/journeys', async (req, reply) => {
    const body = parseJsonBody(req.body) as {
      provider?: unknown;
      journeyId?: unknown;
      script?: ScriptEntry[];
    } & JourneyOptions;
    if (!isProvider(body.provider))
      throw new HttpError(400, { error: `provider must be one of ${PROVIDERS.join(', ')}` });
    if (typeof body.journeyId !== 'string' || body.journeyId === '')
      throw new HttpError(400, { error: 'journeyId is required' });
    if (!Array.isArray(body.script)) throw new HttpError(400, { error: 'script must be an array of steps' });
    try {
      const steps = state.script(body.provider, body.journeyId, body.script, {
        ...(body.variant ? { variant: String(body.variant) } : {}),
        ...(body.dataBlocksShape ? { dataBlocksShape: body.dataBlocksShape } : {}),
        ...(Array.isArray(body.dataBlocksScript) ? { dataBlocksScript: body.dataBlocksScript.map(String) } : {}),
      });
      return reply.code(201).send({ provider: body.provider, journeyId: body.journeyId, steps });
    } catch (err) {
      if (err instanceof ScriptError) throw new HttpError(400, { error: err.message });
      throw err;
    }
  });

  app.get<{ Params: { provider: string; journeyId: string } }>(
    '/__admin/journeys/:provider/:journeyId',
    async (req) => {
      const info = isProvider(req.params.provider)
        ? state.progress(req.params.provider, req.params.journeyId)
        : undefined;
      if (!info) throw new HttpError(404, { error: 'no fetch of this journey yet' });
      return info;
    },
  );

  app.get('/__admin/stats', async () => structuredClone(state.stats));
  const ok = (action: () => void) => async () => {
    action();
    return { ok: true };
  };
  app.post(
    '/__admin/reset',
    ok(() => state.reset()),
  );
  app.post(
    '/__admin/tokens/expire',
    ok(() => state.expireTokens()),
  );
  app.post(
    '/__admin/tokens/revoke',
    ok(() => state.revokeTokens()),
  );
  app.post('/__admin/outage', async (req) => {
    const body = req.body === '' || req.body === undefined ? {} : parseJsonBody(req.body);
    const httpStatus = body.httpStatus ?? 503;
    if (!isOutageStatus(httpStatus)) throw new HttpError(400, { error: 'httpStatus must be a 4xx or 5xx status' });
    state.outage = { httpStatus };
    return { outage: state.outage };
  });
  app.delete(
    '/__admin/outage',
    ok(() => (state.outage = undefined)),
  );
}

/** An outage answers an error status: 400–599. */
export const isOutageStatus = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= 400 && (value as number) <= 599;
