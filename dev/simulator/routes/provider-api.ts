/**
 * The providers' read APIs, scripted per journey, answering like the real ones (bearer token required):
 *   POST /gbg/{region}/v2/captain/journey/state/fetch            GBG GO v2 state (`eu`, `us`, `au`)
 *   POST /gbg/{region}/captain/api/journey/state/fetch           GBG GO v1 state
 *   GET  /idnow/api/v1/{environment}/sessions/{id}[/datablocks]  IDnow session / data blocks (`live`, `staging`)
 *   GET  /idnow/oidc/.well-known/jwks.json                       IDnow JWKS (the webhook JWT key)
 * GBG requests are checked as GBG's spec says: a JSON object with `instanceId` (16–64 characters), optionally
 * `filterKeys`, nothing else; otherwise 400 with GBG's `errors[]` body.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JourneyProvider } from '../../../src/contract/vocabulary';
import { GBG_REGIONS } from '../../../src/providers/config';
import {
  errorBody,
  gbgErrorBody,
  gbgV1Body,
  gbgV2Body,
  idnowDataBlocksBody,
  idnowSessionBody,
  providerSpelling,
} from '../payloads';
import type { SimStep } from '../script';
import { HttpError, type Family, type JourneyRun, type SimulatorState } from '../state';

/** The environments IDnow documents; API clients belong to one of them. */
const IDNOW_ENVIRONMENTS: readonly string[] = ['live', 'staging'];

export interface ProviderApiOptions {
  state: SimulatorState;
  jwks: () => { keys: Record<string, unknown>[] };
  /** Waits `ms` unless the request's connection closes first (then false). */
  delay: (ms: number, req: FastifyRequest) => Promise<boolean>;
}

/** The GBG state request's problem, if any, as GBG's `errors[]` body. */
export function gbgRequestProblem(body: unknown): { errors: unknown[] } | undefined {
  let json: unknown;
  try {
    json = typeof body === 'string' && body !== '' ? JSON.parse(body) : undefined;
  } catch {
    return gbgErrorBody(400, { problem: 'The body is not valid JSON', action: 'Send {"instanceId": "…"}' });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !('instanceId' in json))
    return gbgErrorBody(400, { problem: 'instanceId is missing' });
  const { instanceId, filterKeys, ...extra } = json as Record<string, unknown>;
  const invalid = (problem: string) =>
    gbgErrorBody(400, { code: '4003', name: 'INVALID_FIELD', problem, action: 'Check the request body' });
  if (typeof instanceId !== 'string' || instanceId.length < 16 || instanceId.length > 64)
    return invalid('instanceId must be a string of 16 to 64 characters');
  if (filterKeys !== undefined && !(Array.isArray(filterKeys) && filterKeys.every((k) => typeof k === 'string')))
    return invalid('filterKeys must be an array of strings');
  const unknown = Object.keys(extra);
  if (unknown.length > 0) return invalid(`additional properties are not allowed (${unknown.slice(0, 3).join(', ')})`);
  return undefined;
}

export function providerApiRoutes(app: FastifyInstance, { state, jwks, delay }: ProviderApiOptions): void {
  function requireBearer(req: FastifyRequest, family: Family, provider: JourneyProvider): void {
    if (state.checkBearer(req.headers.authorization, family)) throw new HttpError(401, errorBody(provider, 401));
  }

  /** During an outage: the provider's error body, and the journey's script stays where it is. */
  function outageReply(reply: FastifyReply, provider: JourneyProvider, httpStatus: number): FastifyReply {
    state.stats.outageReplies++;
    return reply.code(httpStatus).send(errorBody(provider, httpStatus));
  }

  function stateBody(run: JourneyRun, step: Extract<SimStep, { kind: 'state' }>, environment: string): unknown {
    const providerStatus = step.providerStatus ?? providerSpelling(run.provider, step.status);
    run.lastStatus = providerStatus;
    const times = { createdAt: run.createdAt, now: new Date(state.now()).toISOString() };
    const variant = step.variant ?? run.options.variant;
    if (run.provider === 'gbg-go-v2')
      return gbgV2Body(run.journeyId, providerStatus, step.status, times, variant, step.outcome);
    if (run.provider === 'gbg-go-v1') return gbgV1Body(run.journeyId, providerStatus, step.status, times, variant);
    return idnowSessionBody(run.journeyId, providerStatus, step.status, times, environment, variant, step.outcome);
  }

  async function answer(
    req: FastifyRequest,
    reply: FastifyReply,
    run: JourneyRun,
    step: SimStep,
    environment: string,
  ): Promise<FastifyReply> {
    switch (step.kind) {
      case 'state':
        return reply.code(200).send(stateBody(run, step, environment));
      case 'http':
        if (step.retryAfterSeconds !== undefined) reply.header('retry-after', String(step.retryAfterSeconds));
        return reply.code(step.httpStatus).send(errorBody(run.provider, step.httpStatus));
      case 'malformed':
        return reply.code(200).type('application/json').send('{"status": "InProgress", "context": {'); // truncated JSON
      case 'invalid':
        return reply
          .code(200)
          .send(
            run.provider === 'idnow'
              ? { sessionId: run.journeyId, sessionStatus: 42 }
              : { instanceId: run.journeyId, status: 42 },
          );
      case 'slow':
        if (!(await delay(step.delayMs, req))) return reply.hijack();
        return answer(req, reply, run, step.then ?? { kind: 'state', status: 'in_progress' }, environment);
      case 'reset':
        reply.hijack();
        req.raw.socket.destroy();
        return reply;
    }
  }

  async function fetchState(
    req: FastifyRequest,
    reply: FastifyReply,
    provider: JourneyProvider,
    journeyId: string,
    environment: string,
  ) {
    const run = state.runFor(provider, journeyId);
    if (state.outage) return outageReply(reply, provider, state.outage.httpStatus);
    return answer(req, reply, run, state.nextStep(run), environment);
  }

  for (const [provider, path] of [
    ['gbg-go-v2', '/gbg/:region/v2/captain/journey/state/fetch'],
    ['gbg-go-v1', '/gbg/:region/captain/api/journey/state/fetch'],
  ] as const) {
    app.post<{ Params: { region: string } }>(path, async (req, reply) => {
      reply.header('x-request-id', state.nextRequestId());
      // Only these regional hosts exist.
      if (!(GBG_REGIONS as readonly string[]).includes(req.params.region))
        throw new HttpError(404, errorBody(provider, 404));
      state.stats.stateRequests[provider]++;
      requireBearer(req, 'gbg', provider);
      const problem = gbgRequestProblem(req.body);
      if (problem) throw new HttpError(400, provider === 'gbg-go-v2' ? problem : errorBody(provider, 400));
      const { instanceId } = JSON.parse(req.body as string) as { instanceId: string };
      return fetchState(req, reply, provider, instanceId, req.params.region);
    });
    app.get(path, async (_req, reply) =>
      reply.header('x-request-id', state.nextRequestId()).code(405).send(errorBody(provider, 405)),
    );
  }

  app.get('/idnow/oidc/.well-known/jwks.json', async () => jwks());

  function requireEnvironment(environment: string): void {
    if (!IDNOW_ENVIRONMENTS.includes(environment)) throw new HttpError(404, errorBody('idnow', 404));
  }

  app.get<{ Params: { environment: string; sessionId: string } }>(
    '/idnow/api/v1/:environment/sessions/:sessionId',
    async (req, reply) => {
      state.stats.stateRequests.idnow++;
      requireBearer(req, 'idnow', 'idnow');
      requireEnvironment(req.params.environment);
      return fetchState(req, reply, 'idnow', req.params.sessionId, req.params.environment);
    },
  );

  app.get<{ Params: { environment: string; sessionId: string } }>(
    '/idnow/api/v1/:environment/sessions/:sessionId/datablocks',
    async (req, reply) => {
      state.stats.dataBlockRequests++;
      requireBearer(req, 'idnow', 'idnow');
      requireEnvironment(req.params.environment);
      const { sessionId } = req.params;
      const run = state.runFor('idnow', sessionId);
      if (state.outage) return outageReply(reply, 'idnow', state.outage.httpStatus);
      const script = run.options.dataBlocksScript ?? [];
      const next = script[Math.min(run.dataBlockFetches++, script.length - 1)] ?? run.options.dataBlocksShape ?? 'A';
      if (/^\d{3}$/.test(next)) return reply.code(Number(next)).send(errorBody('idnow', Number(next)));
      if (next === 'malformed') return reply.type('application/json').send('{"dataBlocks": ['); // truncated JSON
      if (next === 'invalid') return { dataBlocks: 'none' };
      return idnowDataBlocksBody(
        sessionId,
        { createdAt: run.createdAt, now: new Date(state.now()).toISOString() },
        next,
      );
    },
  );
}
