/**
 * A local HTTP simulator of the three providers: token endpoints (GBG PingFederate and Keycloak, IDnow OIDC),
 * state endpoints, IDnow data blocks and JWKS, scripted journeys, auth enforcement, webhooks.
 *
 * Routes (base = simulator URL):
 *   POST /gbg/as/token.oauth2                                    GBG token (password or client_credentials+scope)
 *   POST /gbg/auth/realms/go/protocol/openid-connect/token       GBG Keycloak-style token (password)
 *   POST /gbg/{region}/v2/captain/journey/state/fetch            GBG GO v2 state
 *   POST /gbg/{region}/captain/api/journey/state/fetch           GBG GO v1 state
 *   POST /idnow/oidc/token                                       IDnow token (client_secret_post or _basic)
 *   GET  /idnow/oidc/.well-known/jwks.json                       IDnow JWKS (webhook JWT key)
 *   GET  /idnow/api/v1/{environment}/sessions/{id}[/datablocks]  IDnow session / data blocks
 *   POST /__admin/journeys {provider, journeyId, script, variant?, dataBlocksShape?}   script a journey
 *   GET  /__admin/journeys/{provider}/{journeyId}   its progress;  GET /__admin/stats;  POST /__admin/reset
 *   POST /__admin/tokens/expire | /__admin/tokens/revoke;  POST /__admin/webhooks {provider, journeyId, url, …}
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROVIDERS, type JourneyProvider } from '../../src/journey';
import { providerConfigFromEnv, type ProviderConfig } from '../../src/providers/config';
import { createSigningKey, type SigningKey } from './jwt';
import { errorBody, gbgV1Body, gbgV2Body, idnowDataBlocksBody, idnowSessionBody, providerSpelling } from './payloads';
import { DEFAULT_SCRIPT, expandScript, ScriptError, scriptFromJourneyId, type ScriptEntry, type SimStep } from './script';
import { sendWebhook, type WebhookOptions, type WebhookResult } from './webhooks';

type Family = 'gbg' | 'idnow';

export interface SimulatorCredentials {
  gbg: { clientId: string; clientSecret: string; username: string; password: string; scope: string };
  idnow: { clientId: string; clientSecret: string };
}

export const DEFAULT_SIMULATOR_CREDENTIALS: SimulatorCredentials = {
  gbg: { clientId: 'sim-gbg-client', clientSecret: 'sim-gbg-secret', username: 'sim-user', password: 'sim-password', scope: 'gbg.token' },
  idnow: { clientId: 'sim-idnow-client', clientSecret: 'sim-idnow-secret' },
};

export interface SimulatorOptions {
  port?: number;
  host?: string;
  now?: () => number;
  /** Token lifetimes in seconds (GBG 3600, IDnow 86400 like the providers). */
  tokenTtlSeconds?: Partial<Record<Family, number>>;
  credentials?: Partial<SimulatorCredentials>;
  /**
   * How the IDnow token endpoint reads HTTP Basic client credentials: `raw` Base64(id:secret) as IDnow documents
   * (default), or `urlencoded` (each part form-encoded first, RFC 6749 §2.3.1).
   */
  idnowBasicEncoding?: 'raw' | 'urlencoded';
  /** Script for journeys neither scripted nor named by the convention. */
  defaultScript?: readonly ScriptEntry[];
  /** One line per request (method, path, status); never tokens or bodies. */
  log?: (line: string) => void;
}

export interface JourneyOptions {
  /** Body shape: GBG v2 `docs`|`sdk`, GBG v1 `api`|`guide`, IDnow `io`|`sx`. Steps may override. */
  variant?: string;
  /** IDnow data-block shape: `A` (default), `B`, `C`. */
  dataBlocksShape?: 'A' | 'B' | 'C';
  /**
   * IDnow data-block replies, one per request, the last repeating: a shape (`A`, `B`, `C`), an HTTP status
   * (`503`), `malformed` (not JSON) or `invalid` (no known shape). Default: `dataBlocksShape` forever.
   */
  dataBlocksScript?: readonly string[];
}

export interface JourneyProgressInfo {
  provider: JourneyProvider;
  journeyId: string;
  fetches: number;
  step: number;
  steps: number;
  lastStatus?: string;
}

export interface SimulatorStats {
  tokenRequests: Record<Family, number>;
  tokensIssued: Record<Family, number>;
  idnowClientAuth: { post: number; basic: number };
  stateRequests: Record<JourneyProvider, number>;
  dataBlockRequests: number;
  rejectedAuth: { missing: number; wrong: number; expired: number };
}

export interface Simulator {
  url: string;
  port: number;
  credentials: SimulatorCredentials;
  /** A ProviderConfig that points fetchState at this simulator. */
  providerConfig(overrides?: { gbg?: Partial<NonNullable<ProviderConfig['gbg']>>; idnow?: Partial<NonNullable<ProviderConfig['idnow']>> }): ProviderConfig;
  /** The same as GBG_* / IDNOW_* env vars, for a worker process. */
  env(): Record<string, string>;
  script(provider: JourneyProvider, journeyId: string, script: readonly ScriptEntry[], options?: JourneyOptions): void;
  journey(provider: JourneyProvider, journeyId: string): JourneyProgressInfo | undefined;
  tokenRequests(family?: Family): number;
  stats(): SimulatorStats;
  /** Every token issued so far now counts as expired. */
  expireTokens(): void;
  /** Every token issued so far is forgotten (a 401 as after a provider-side rotation). */
  revokeTokens(): void;
  reset(): void;
  jwks(): { keys: Record<string, unknown>[] };
  signingKey: SigningKey;
  sendWebhook(options: WebhookOptions): Promise<WebhookResult>;
  close(): Promise<void>;
}

interface JourneyRun {
  provider: JourneyProvider;
  journeyId: string;
  steps: SimStep[];
  options: JourneyOptions;
  index: number;
  fetches: number;
  dataBlockFetches: number;
  createdAt: string;
  lastStatus?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

function emptyStats(): SimulatorStats {
  return {
    tokenRequests: { gbg: 0, idnow: 0 },
    tokensIssued: { gbg: 0, idnow: 0 },
    idnowClientAuth: { post: 0, basic: 0 },
    stateRequests: { 'gbg-go-v2': 0, 'gbg-go-v1': 0, idnow: 0 },
    dataBlockRequests: 0,
    rejectedAuth: { missing: 0, wrong: 0, expired: 0 },
  };
}

function same(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function readBody(req: IncomingMessage, limit = 1_048_576): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, { error: 'payload_too_large' });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `id:secret` from HTTP Basic credentials (split at the first colon); anything undecodable is no credential. */
function basicPair(encoded: string, encoding: 'raw' | 'urlencoded'): [string | undefined, string | undefined] {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return [undefined, undefined];
  const [id, secret] = [decoded.slice(0, i), decoded.slice(i + 1)];
  if (encoding === 'raw') return [id, secret];
  try {
    const formDecode = (v: string) => decodeURIComponent(v.replace(/\+/g, ' '));
    return [formDecode(id), formDecode(secret)];
  } catch {
    return [undefined, undefined];
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, { error: 'invalid_json' });
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const credentials: SimulatorCredentials = {
    gbg: { ...DEFAULT_SIMULATOR_CREDENTIALS.gbg, ...options.credentials?.gbg },
    idnow: { ...DEFAULT_SIMULATOR_CREDENTIALS.idnow, ...options.credentials?.idnow },
  };
  const ttl: Record<Family, number> = { gbg: 3600, idnow: 86400, ...options.tokenTtlSeconds };
  const defaultScript = options.defaultScript ?? DEFAULT_SCRIPT;
  const idnowBasicEncoding = options.idnowBasicEncoding ?? 'raw';
  const signingKey = createSigningKey();
  const tokens = new Map<string, { family: Family; expiresAt: number }>();
  const scripted = new Map<string, { steps: SimStep[]; options: JourneyOptions }>();
  const runs = new Map<string, JourneyRun>();
  const timers = new Set<NodeJS.Timeout>();
  let stats = emptyStats();
  let requestCounter = 0;
  let url = '';

  const key = (provider: JourneyProvider, journeyId: string) => `${provider}\u0000${journeyId}`;

  function runFor(provider: JourneyProvider, journeyId: string): JourneyRun {
    const k = key(provider, journeyId);
    let run = runs.get(k);
    if (!run) {
      const given = scripted.get(k);
      let steps: SimStep[];
      try {
        steps = given?.steps ?? expandScript(scriptFromJourneyId(journeyId) ?? defaultScript);
      } catch (err) {
        if (err instanceof ScriptError) throw new HttpError(400, { error: `simulator naming convention: ${err.message}` });
        throw err;
      }
      run = { provider, journeyId, steps, options: given?.options ?? {}, index: 0, fetches: 0, dataBlockFetches: 0, createdAt: new Date(now()).toISOString() };
      runs.set(k, run);
    }
    return run;
  }

  function issueToken(family: Family): { access_token: string; token_type: string; expires_in: number } {
    const token = `sim-${family}-${randomBytes(24).toString('base64url')}`;
    tokens.set(token, { family, expiresAt: now() + ttl[family] * 1000 });
    stats.tokensIssued[family]++;
    return { access_token: token, token_type: 'Bearer', expires_in: ttl[family] };
  }

  function requireBearer(req: IncomingMessage, family: Family, provider: JourneyProvider): void {
    const auth = req.headers.authorization;
    const m = auth ? /^Bearer (.+)$/i.exec(auth) : null;
    if (!m) {
      stats.rejectedAuth.missing++;
      throw new HttpError(401, errorBody(provider, 401));
    }
    const entry = tokens.get(m[1]!);
    if (!entry || entry.family !== family) {
      stats.rejectedAuth.wrong++;
      throw new HttpError(401, errorBody(provider, 401));
    }
    if (now() >= entry.expiresAt) {
      stats.rejectedAuth.expired++;
      throw new HttpError(401, errorBody(provider, 401));
    }
  }

  function gbgToken(form: URLSearchParams, keycloak: boolean) {
    stats.tokenRequests.gbg++;
    const c = credentials.gbg;
    const grant = form.get('grant_type');
    if (grant !== 'password' && (grant !== 'client_credentials' || keycloak)) throw new HttpError(400, { error: 'unsupported_grant_type' });
    if (!same(form.get('client_id') ?? undefined, c.clientId) || !same(form.get('client_secret') ?? undefined, c.clientSecret)) {
      throw new HttpError(401, { error: 'invalid_client' });
    }
    if (grant === 'password' && (!same(form.get('username') ?? undefined, c.username) || !same(form.get('password') ?? undefined, c.password))) {
      throw new HttpError(400, { error: 'invalid_grant' });
    }
    if (grant === 'client_credentials' && form.get('scope') !== c.scope) throw new HttpError(400, { error: 'invalid_scope' });
    return issueToken('gbg');
  }

  function idnowToken(req: IncomingMessage, form: URLSearchParams) {
    stats.tokenRequests.idnow++;
    const c = credentials.idnow;
    if (form.get('grant_type') !== 'client_credentials') throw new HttpError(400, { error: 'unsupported_grant_type' });
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    let id: string | undefined;
    let secret: string | undefined;
    if (basic) {
      [id, secret] = basicPair(basic[1]!, idnowBasicEncoding);
      stats.idnowClientAuth.basic++;
    } else {
      id = form.get('client_id') ?? undefined;
      secret = form.get('client_secret') ?? undefined;
      stats.idnowClientAuth.post++;
    }
    if (!same(id, c.clientId) || !same(secret, c.clientSecret)) throw new HttpError(401, { error: 'invalid_client' });
    return issueToken('idnow');
  }

  function stateBody(run: JourneyRun, step: Extract<SimStep, { kind: 'state' }>, environment: string): unknown {
    const providerStatus = step.providerStatus ?? providerSpelling(run.provider, step.status);
    run.lastStatus = providerStatus;
    const times = { createdAt: run.createdAt, now: new Date(now()).toISOString() };
    const variant = step.variant ?? run.options.variant;
    if (run.provider === 'gbg-go-v2') return gbgV2Body(run.journeyId, providerStatus, step.status, times, variant, step.outcome);
    if (run.provider === 'gbg-go-v1') return gbgV1Body(run.journeyId, providerStatus, step.status, times, variant);
    return idnowSessionBody(run.journeyId, providerStatus, step.status, times, environment, variant, step.outcome);
  }

  function delay(ms: number, req: IncomingMessage): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve(true);
      }, ms);
      timers.add(timer);
      req.socket.once('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      });
    });
  }

  async function answerStep(req: IncomingMessage, res: ServerResponse, run: JourneyRun, step: SimStep, environment: string, headers: Record<string, string>): Promise<void> {
    switch (step.kind) {
      case 'state':
        return send(res, 200, stateBody(run, step, environment), headers);
      case 'http': {
        const extra: Record<string, string> = step.retryAfterSeconds !== undefined ? { 'retry-after': String(step.retryAfterSeconds) } : {};
        return send(res, step.httpStatus, errorBody(run.provider, step.httpStatus), { ...headers, ...extra });
      }
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json', ...headers });
        res.end('{"status": "InProgress", "context": {'); // truncated JSON
        return;
      case 'invalid':
        return send(res, 200, run.provider === 'idnow' ? { sessionId: run.journeyId, sessionStatus: 42 } : { instanceId: run.journeyId, status: 42 }, headers);
      case 'slow':
        if (!(await delay(step.delayMs, req))) return;
        return answerStep(req, res, run, step.then ?? { kind: 'state', status: 'in_progress' }, environment, headers);
      case 'reset':
        req.socket.destroy();
        return;
    }
  }

  async function stateFetch(req: IncomingMessage, res: ServerResponse, provider: JourneyProvider, journeyId: string, environment: string, headers: Record<string, string>) {
    stats.stateRequests[provider]++;
    requireBearer(req, provider === 'idnow' ? 'idnow' : 'gbg', provider);
    if (!journeyId) throw new HttpError(400, errorBody(provider, 400));
    const run = runFor(provider, journeyId);
    const step = run.steps[Math.min(run.index, run.steps.length - 1)]!;
    run.index++;
    run.fetches++;
    await answerStep(req, res, run, step, environment, headers);
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  const api: Omit<Simulator, 'url' | 'port' | 'close'> = {
    credentials,
    signingKey,
    providerConfig(overrides = {}) {
      // The same settings as env(), read the way the worker reads them.
      const { gbg, idnow } = providerConfigFromEnv(api.env());
      return { gbg: { ...gbg!, ...overrides.gbg }, idnow: { ...idnow!, ...overrides.idnow } };
    },
    env() {
      return {
        GBG_TOKEN_URL: `${url}/gbg/as/token.oauth2`,
        GBG_GRANT: 'password',
        GBG_CLIENT_ID: credentials.gbg.clientId,
        GBG_CLIENT_SECRET: credentials.gbg.clientSecret,
        GBG_USERNAME: credentials.gbg.username,
        GBG_PASSWORD: credentials.gbg.password,
        GBG_REGION: 'eu',
        GBG_BASE_URL: `${url}/gbg/{region}`,
        IDNOW_BASE_URL: `${url}/idnow`,
        IDNOW_TOKEN_URL: `${url}/idnow/oidc/token`,
        IDNOW_CLIENT_ID: credentials.idnow.clientId,
        IDNOW_CLIENT_SECRET: credentials.idnow.clientSecret,
        IDNOW_CLIENT_AUTH: 'post',
        IDNOW_ENVIRONMENT: 'live',
        IDNOW_JWKS_URL: `${url}/idnow/oidc/.well-known/jwks.json`,
      };
    },
    script(provider, journeyId, script, journeyOptions = {}) {
      scripted.set(key(provider, journeyId), { steps: expandScript(script), options: journeyOptions });
      runs.delete(key(provider, journeyId));
    },
    journey(provider, journeyId) {
      const run = runs.get(key(provider, journeyId));
      return run
        ? { provider, journeyId, fetches: run.fetches, step: Math.min(run.index, run.steps.length), steps: run.steps.length, ...(run.lastStatus ? { lastStatus: run.lastStatus } : {}) }
        : undefined;
    },
    tokenRequests: (family) => (family ? stats.tokenRequests[family] : stats.tokenRequests.gbg + stats.tokenRequests.idnow),
    stats: () => structuredClone(stats),
    expireTokens() {
      for (const entry of tokens.values()) entry.expiresAt = Math.min(entry.expiresAt, now());
    },
    revokeTokens() {
      tokens.clear();
    },
    reset() {
      tokens.clear();
      scripted.clear();
      runs.clear();
      stats = emptyStats();
    },
    jwks: () => ({ keys: [signingKey.jwk] }),
    sendWebhook: (webhook) => sendWebhook(webhook, { key: signingKey, issuer: `${url}/idnow`, now }),
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://sim');
    const path = u.pathname;
    const method = req.method ?? 'GET';
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/healthz') return send(res, 200, { ok: true });

    if (method === 'POST' && (path === '/gbg/as/token.oauth2' || path === '/gbg/auth/realms/go/protocol/openid-connect/token')) {
      return send(res, 200, gbgToken(new URLSearchParams(await readBody(req)), path.includes('realms')), { 'cache-control': 'no-store' });
    }
    if ((m = /^\/gbg\/([a-z]{2})\/(v2\/captain|captain\/api)\/journey\/state\/fetch$/.exec(path))) {
      const provider: JourneyProvider = m[2] === 'v2/captain' ? 'gbg-go-v2' : 'gbg-go-v1';
      const headers = { 'x-request-id': `sim-req-${++requestCounter}` };
      if (method !== 'POST') throw new HttpError(405, errorBody(provider, 405));
      try {
        const text = await readBody(req);
        let instanceId: unknown;
        try {
          instanceId = (JSON.parse(text) as { instanceId?: unknown })?.instanceId;
        } catch {
          instanceId = undefined;
        }
        if (typeof instanceId !== 'string' || instanceId === '') {
          requireBearer(req, 'gbg', provider);
          throw new HttpError(400, errorBody(provider, 400));
        }
        return await stateFetch(req, res, provider, instanceId, m[1]!, headers);
      } catch (err) {
        if (err instanceof HttpError) return send(res, err.status, err.body, headers);
        throw err;
      }
    }
    if (method === 'POST' && path === '/idnow/oidc/token') {
      return send(res, 200, idnowToken(req, new URLSearchParams(await readBody(req))), { 'cache-control': 'no-store' });
    }
    if (method === 'GET' && path === '/idnow/oidc/.well-known/jwks.json') return send(res, 200, api.jwks());
    if (method === 'GET' && (m = /^\/idnow\/api\/v1\/([^/]+)\/sessions\/([^/]+)(\/datablocks)?$/.exec(path))) {
      const environment = decodeURIComponent(m[1]!);
      const sessionId = decodeURIComponent(m[2]!);
      if (m[3]) {
        stats.dataBlockRequests++;
        requireBearer(req, 'idnow', 'idnow');
        const run = runFor('idnow', sessionId);
        const script = run.options.dataBlocksScript ?? [];
        const reply = script[Math.min(run.dataBlockFetches++, script.length - 1)] ?? run.options.dataBlocksShape ?? 'A';
        if (/^\d{3}$/.test(reply)) return send(res, Number(reply), errorBody('idnow', Number(reply)));
        if (reply === 'malformed') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"dataBlocks": ['); // truncated JSON
          return;
        }
        if (reply === 'invalid') return send(res, 200, { dataBlocks: 'none' });
        return send(res, 200, idnowDataBlocksBody(sessionId, { createdAt: run.createdAt, now: new Date(now()).toISOString() }, reply));
      }
      return stateFetch(req, res, 'idnow', sessionId, environment, {});
    }

    if (path.startsWith('/__admin/')) return admin(req, res, method, path);
    throw new HttpError(404, { error: 'not_found' });
  }

  async function admin(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/__admin/journeys') {
      const body = parseJson(await readBody(req)) as { provider?: string; journeyId?: string; script?: ScriptEntry[] } & JourneyOptions;
      if (!PROVIDERS.includes(body.provider as JourneyProvider)) throw new HttpError(400, { error: `provider must be one of ${PROVIDERS.join(', ')}` });
      if (typeof body.journeyId !== 'string' || body.journeyId === '') throw new HttpError(400, { error: 'journeyId is required' });
      if (!Array.isArray(body.script)) throw new HttpError(400, { error: 'script must be an array of steps' });
      try {
        api.script(body.provider as JourneyProvider, body.journeyId, body.script, {
          ...(body.variant ? { variant: body.variant } : {}),
          ...(body.dataBlocksShape ? { dataBlocksShape: body.dataBlocksShape } : {}),
          ...(Array.isArray(body.dataBlocksScript) ? { dataBlocksScript: body.dataBlocksScript.map(String) } : {}),
        });
      } catch (err) {
        if (err instanceof ScriptError) throw new HttpError(400, { error: err.message });
        throw err;
      }
      return send(res, 201, { provider: body.provider, journeyId: body.journeyId, steps: scripted.get(key(body.provider as JourneyProvider, body.journeyId))!.steps.length });
    }
    if (method === 'GET' && (m = /^\/__admin\/journeys\/([^/]+)\/([^/]+)$/.exec(path))) {
      const info = api.journey(decodeURIComponent(m[1]!) as JourneyProvider, decodeURIComponent(m[2]!));
      if (!info) throw new HttpError(404, { error: 'no fetch of this journey yet' });
      return send(res, 200, info);
    }
    if (method === 'GET' && path === '/__admin/stats') return send(res, 200, api.stats());
    if (method === 'POST' && path === '/__admin/reset') {
      api.reset();
      return send(res, 200, { ok: true });
    }
    if (method === 'POST' && path === '/__admin/tokens/expire') {
      api.expireTokens();
      return send(res, 200, { ok: true });
    }
    if (method === 'POST' && path === '/__admin/tokens/revoke') {
      api.revokeTokens();
      return send(res, 200, { ok: true });
    }
    if (method === 'POST' && path === '/__admin/webhooks') {
      const body = parseJson(await readBody(req)) as WebhookOptions;
      if (!PROVIDERS.includes(body.provider) || typeof body.journeyId !== 'string' || typeof body.url !== 'string') {
        throw new HttpError(400, { error: 'provider, journeyId and url are required' });
      }
      return send(res, 200, await api.sendWebhook(body));
    }
    throw new HttpError(404, { error: 'not_found' });
  }

  const server = createServer((req, res) => {
    const started = now();
    res.on('finish', () => options.log?.(`${req.method} ${new URL(req.url ?? '/', 'http://sim').pathname} ${res.statusCode} ${now() - started}ms`));
    route(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) return send(res, err.status, err.body);
      options.log?.(`simulator error: ${(err as Error)?.message}`);
      send(res, 500, { error: 'simulator_error' });
    });
  });
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;

  return {
    ...api,
    url,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
