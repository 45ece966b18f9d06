/**
 * A local HTTP simulator of the three providers on Fastify: token endpoints (routes/token.ts), the state and
 * data-block APIs with the JWKS (routes/provider-api.ts), webhook sending (routes/webhooks.ts) and the admin API
 * (routes/admin.ts), over one SimulatorState. Bodies come from payloads/, one file per provider family.
 */
import Fastify, { type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { JourneyProvider } from '../../src/contract/vocabulary';
import { providerConfigFromEnv, type ProviderConfig } from '../../src/providers/config';
import { createSigningKey, type SigningKey } from './jwt';
import { adminRoutes, isOutageStatus } from './routes/admin';
import { providerApiRoutes } from './routes/provider-api';
import { tokenRoutes } from './routes/token';
import { webhookRoutes } from './routes/webhooks';
import type { ScriptEntry } from './script';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  HttpError,
  SimulatorState,
  type Family,
  type JourneyOptions,
  type JourneyProgressInfo,
  type SimulatorCredentials,
  type SimulatorStats,
  type TokenIssuer,
} from './state';
import { sendWebhook, type WebhookOptions, type WebhookResult } from './webhooks';

export { DEFAULT_SIMULATOR_CREDENTIALS };
export type { JourneyOptions, JourneyProgressInfo, SimulatorCredentials, SimulatorStats };

export interface SimulatorOptions {
  port?: number;
  host?: string;
  now?: () => number;
  /** Token lifetimes in seconds (GBG 3600, GBG Keycloak 300, IDnow 86400 like the providers). */
  tokenTtlSeconds?: Partial<Record<TokenIssuer, number>>;
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

export interface Simulator {
  url: string;
  port: number;
  credentials: SimulatorCredentials;
  /** A ProviderConfig that points fetchState at this simulator. */
  providerConfig(overrides?: {
    gbg?: Partial<NonNullable<ProviderConfig['gbg']>>;
    idnow?: Partial<NonNullable<ProviderConfig['idnow']>>;
  }): ProviderConfig;
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
  /**
   * A provider outage: every journey's state (and IDnow data-block) request answers `httpStatus` (default 503)
   * until `outage(false)`; scripts do not move on meanwhile, so each journey resumes where it was.
   */
  outage(on: boolean, httpStatus?: number): void;
  reset(): void;
  jwks(): { keys: Record<string, unknown>[] };
  signingKey: SigningKey;
  sendWebhook(options: WebhookOptions): Promise<WebhookResult>;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const credentials: SimulatorCredentials = {
    gbg: { ...DEFAULT_SIMULATOR_CREDENTIALS.gbg, ...options.credentials?.gbg },
    idnow: { ...DEFAULT_SIMULATOR_CREDENTIALS.idnow, ...options.credentials?.idnow },
  };
  const state = new SimulatorState(
    credentials,
    now,
    { gbg: 3600, gbgKeycloak: 300, idnow: 86400, ...options.tokenTtlSeconds },
    options.defaultScript,
  );
  const signingKey = createSigningKey();
  const timers = new Set<NodeJS.Timeout>();
  let url = '';

  /** Waits, unless the client goes away first (then false): slow steps never outlive their request. */
  function delay(ms: number, req: FastifyRequest): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve(true);
      }, ms);
      timers.add(timer);
      req.raw.socket.once('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      });
    });
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
      // GBG's own samples: client_credentials with scope gbg.token on the PingFederate path.
      return {
        GBG_TOKEN_URL: `${url}/gbg/as/token.oauth2`,
        GBG_GRANT: 'client_credentials',
        GBG_SCOPE: credentials.gbg.scope,
        GBG_CLIENT_ID: credentials.gbg.clientId,
        GBG_CLIENT_SECRET: credentials.gbg.clientSecret,
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
    script: (provider, journeyId, script, journeyOptions = {}) =>
      void state.script(provider, journeyId, script, journeyOptions),
    journey: (provider, journeyId) => state.progress(provider, journeyId),
    tokenRequests: (family) =>
      family ? state.stats.tokenRequests[family] : state.stats.tokenRequests.gbg + state.stats.tokenRequests.idnow,
    stats: () => structuredClone(state.stats),
    expireTokens: () => state.expireTokens(),
    revokeTokens: () => state.revokeTokens(),
    outage(on, httpStatus = 503) {
      if (on && !isOutageStatus(httpStatus)) throw new RangeError('outage httpStatus must be 400–599');
      state.outage = on ? { httpStatus } : undefined;
    },
    reset: () => state.reset(),
    jwks: () => ({ keys: [signingKey.jwk] }),
    sendWebhook: (webhook) => sendWebhook(webhook, { key: signingKey, issuer: `${url}/idnow`, now }),
  };

  const app = Fastify({ logger: false, bodyLimit: 1_048_576, keepAliveTimeout: 60_000, forceCloseConnections: true });
  // Bodies are read as text: each route parses its own (JSON, form) the way the provider does.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    if (err instanceof HttpError) return reply.code(err.status).send(err.body);
    if (err.statusCode === 413) return reply.code(413).send({ error: 'payload_too_large' });
    options.log?.(`simulator error: ${err.message}`);
    return reply.code(500).send({ error: 'simulator_error' });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not_found' }));
  app.addHook('onResponse', async (req, reply) =>
    options.log?.(`${req.method} ${req.url.split('?')[0]} ${reply.statusCode} ${Math.round(reply.elapsedTime)}ms`),
  );

  app.get('/healthz', async () => ({ ok: true }));
  tokenRoutes(app, { state, idnowBasicEncoding: options.idnowBasicEncoding ?? 'raw' });
  providerApiRoutes(app, { state, jwks: api.jwks, delay });
  webhookRoutes(app, api.sendWebhook);
  adminRoutes(app, state);

  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;

  return {
    ...api,
    url,
    port: address.port,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await app.close();
    },
  };
}
