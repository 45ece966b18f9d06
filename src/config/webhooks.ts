/** Settings of the webhook receiver (`src/webhooks/main.ts`): listen address, limits and per-provider auth. */
import { EnvReader, headerName, hostPort, httpUrl, port, positiveInt, durationMs, type Env, type Parsed } from './env';
import { metricsDisabled } from './worker';
import { DEFAULT_COMMON_SETTINGS, parseCommonSettings, type CommonSettings } from './common';

// Loopback unless told otherwise: in production set WEBHOOK_HOST=0.0.0.0 behind the TLS ingress.
export const DEFAULT_WEBHOOK_HOST = '127.0.0.1';
export const DEFAULT_WEBHOOK_PORT = 8080;
/** The receiver's Prometheus endpoint: loopback, beside the worker's 9464 (the webhook port may face the internet). */
export const DEFAULT_WEBHOOK_METRICS_BIND = '127.0.0.1:9465';
export const DEFAULT_WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;
/** IDnow wants a reply within 10 s; half of that leaves room for the network. */
export const DEFAULT_WEBHOOK_TEMPORAL_TIMEOUT_MS = 5_000;
export const DEFAULT_GBG_WEBHOOK_API_KEY_HEADER = 'X-Api-Key';

/** Webhook connection limits, in ms: each below IDnow's 10 s delivery deadline, so slow clients cannot hold sockets. */
export interface WebhookTimeouts {
  /** The whole request (headers and body) must arrive within this. */
  requestMs: number;
  /** The headers must arrive within this. */
  headersMs: number;
  /** A connection with no traffic (also an idle keep-alive connection) is closed after this. */
  idleMs: number;
}
export const DEFAULT_WEBHOOK_TIMEOUTS: WebhookTimeouts = { requestMs: 8_000, headersMs: 5_000, idleMs: 5_000 };

/** GBG's Webhook module (v1 and v2 share it): HTTP Basic and/or an API key in a header we choose. */
export interface GbgWebhookAuthConfig {
  basic?: { username: string; password: string };
  apiKey?: { header: string; value: string };
}

/** IDnow: an RS256 JWT checked against the JWKS (exp/iss/aud), and/or a static custom header. */
export interface IdnowWebhookAuthConfig {
  jwt?: { jwksUrl: string; issuer: string; audience: string };
  staticHeader?: { name: string; value: string };
}

export interface WebhookAuthConfig {
  gbg?: GbgWebhookAuthConfig;
  idnow?: IdnowWebhookAuthConfig;
}

export interface WebhookSettings extends CommonSettings {
  host: string;
  port: number;
  bodyLimitBytes: number;
  /** How long a webhook may wait for Temporal before it is answered 503 (the provider then retries). */
  temporalTimeoutMs: number;
  timeouts: WebhookTimeouts;
  auth: WebhookAuthConfig;
  /** `host:port` of the receiver's Prometheus endpoint (`GET /metrics`), or undefined when WEBHOOK_METRICS_BIND=off. */
  metricsBind?: string;
}

function parseGbgWebhookAuth(r: EnvReader): GbgWebhookAuthConfig | undefined {
  const gbg: GbgWebhookAuthConfig = {};
  const basic = r.pair('GBG_WEBHOOK_BASIC_USER', 'GBG_WEBHOOK_BASIC_PASSWORD');
  if (basic) {
    if (basic[0].includes(':'))
      r.problem('GBG_WEBHOOK_BASIC_USER: malformed (HTTP Basic user names cannot contain ":")');
    else gbg.basic = { username: basic[0], password: basic[1] };
  }
  const apiKeyValue = r.text('GBG_WEBHOOK_API_KEY');
  if (r.text('GBG_WEBHOOK_API_KEY_HEADER') && !apiKeyValue)
    r.problem('GBG_WEBHOOK_API_KEY: missing (GBG_WEBHOOK_API_KEY_HEADER is set)');
  if (apiKeyValue) {
    const header = r.parse(
      'GBG_WEBHOOK_API_KEY_HEADER',
      headerName,
      DEFAULT_GBG_WEBHOOK_API_KEY_HEADER,
      'an HTTP header name',
    );
    if (header.toLowerCase() === 'authorization' && gbg.basic) {
      r.problem('GBG_WEBHOOK_API_KEY_HEADER: malformed (cannot be Authorization while HTTP Basic is configured)');
    } else gbg.apiKey = { header: header.toLowerCase(), value: apiKeyValue };
  }
  return gbg.basic || gbg.apiKey ? gbg : undefined;
}

function parseIdnowWebhookAuth(r: EnvReader): IdnowWebhookAuthConfig | undefined {
  const idnow: IdnowWebhookAuthConfig = {};
  // IDNOW_JWKS_URL (the simulator's name) is accepted as an alias of IDNOW_WEBHOOK_JWKS_URL.
  const jwksName = r.text('IDNOW_WEBHOOK_JWKS_URL')
    ? 'IDNOW_WEBHOOK_JWKS_URL'
    : r.text('IDNOW_JWKS_URL')
      ? 'IDNOW_JWKS_URL'
      : undefined;
  const issuer = r.text('IDNOW_WEBHOOK_ISSUER');
  const audience = r.text('IDNOW_WEBHOOK_AUDIENCE');
  if (jwksName) {
    const jwksUrl = r.parse(jwksName, httpUrl, '', 'an http(s) URL');
    if (!issuer) r.problem(`IDNOW_WEBHOOK_ISSUER: missing (${jwksName} is set; the JWT's iss is checked)`);
    if (!audience) r.problem(`IDNOW_WEBHOOK_AUDIENCE: missing (${jwksName} is set; the JWT's aud is checked)`);
    if (jwksUrl && issuer && audience) idnow.jwt = { jwksUrl, issuer, audience };
  } else if (issuer || audience) {
    r.problem(`IDNOW_WEBHOOK_JWKS_URL: missing (${issuer ? 'IDNOW_WEBHOOK_ISSUER' : 'IDNOW_WEBHOOK_AUDIENCE'} is set)`);
  }
  const staticHeader = r.pair('IDNOW_WEBHOOK_STATIC_HEADER', 'IDNOW_WEBHOOK_STATIC_VALUE');
  if (staticHeader) {
    const name = r.parse('IDNOW_WEBHOOK_STATIC_HEADER', headerName, '', 'an HTTP header name');
    if (name) idnow.staticHeader = { name: name.toLowerCase(), value: staticHeader[1] };
  }
  return idnow.jwt || idnow.staticHeader ? idnow : undefined;
}

const timeoutMs = durationMs(1, 60_000);
const TIMEOUT_EXPECTED = 'milliseconds (or a duration like 5s), 1 to 60000';

function parseWebhookTimeouts(r: EnvReader): WebhookTimeouts {
  const d = DEFAULT_WEBHOOK_TIMEOUTS;
  const timeouts = {
    requestMs: r.parse('WEBHOOK_REQUEST_TIMEOUT_MS', timeoutMs, d.requestMs, TIMEOUT_EXPECTED),
    headersMs: r.parse('WEBHOOK_HEADERS_TIMEOUT_MS', timeoutMs, d.headersMs, TIMEOUT_EXPECTED),
    idleMs: r.parse('WEBHOOK_IDLE_TIMEOUT_MS', timeoutMs, d.idleMs, TIMEOUT_EXPECTED),
  };
  if (timeouts.headersMs > timeouts.requestMs)
    r.problem('WEBHOOK_HEADERS_TIMEOUT_MS: malformed (must not exceed WEBHOOK_REQUEST_TIMEOUT_MS)');
  return timeouts;
}

/** Webhook authentication per provider family; a family with nothing set is left out (its webhooks get 401). */
function parseWebhookAuth(env: Env): Parsed<WebhookAuthConfig> {
  const r = new EnvReader(env);
  const gbg = parseGbgWebhookAuth(r);
  const idnow = parseIdnowWebhookAuth(r);
  return r.result({ ...(gbg ? { gbg } : {}), ...(idnow ? { idnow } : {}) });
}

/** At least one provider's webhook auth is required: without any, every webhook would be rejected. */
export function parseWebhookSettings(env: Env): Parsed<WebhookSettings> {
  const r = new EnvReader(env);
  const common = r.use(parseCommonSettings(env), DEFAULT_COMMON_SETTINGS);
  const settings = {
    host: r.text('WEBHOOK_HOST') ?? DEFAULT_WEBHOOK_HOST,
    port: r.parse('WEBHOOK_PORT', port, DEFAULT_WEBHOOK_PORT, 'a port number 0-65535'),
    bodyLimitBytes: r.parse(
      'WEBHOOK_BODY_LIMIT_BYTES',
      positiveInt.max(16 * 1024 * 1024),
      DEFAULT_WEBHOOK_BODY_LIMIT_BYTES,
      'bytes, 1 to 16777216',
    ),
    temporalTimeoutMs: r.parse(
      'WEBHOOK_TEMPORAL_TIMEOUT_MS',
      timeoutMs,
      DEFAULT_WEBHOOK_TEMPORAL_TIMEOUT_MS,
      TIMEOUT_EXPECTED,
    ),
    timeouts: parseWebhookTimeouts(r),
    auth: r.use(parseWebhookAuth(env), {}),
    metricsBind: metricsDisabled(r.text('WEBHOOK_METRICS_BIND'))
      ? undefined
      : r.parse(
          'WEBHOOK_METRICS_BIND',
          hostPort,
          DEFAULT_WEBHOOK_METRICS_BIND,
          'host:port, e.g. 127.0.0.1:9465, or off',
        ),
  };
  if (r.issues.length === 0 && !settings.auth.gbg && !settings.auth.idnow) {
    r.problem(
      'GBG_WEBHOOK_BASIC_USER/GBG_WEBHOOK_BASIC_PASSWORD, GBG_WEBHOOK_API_KEY or IDNOW_WEBHOOK_JWKS_URL/IDNOW_WEBHOOK_STATIC_HEADER: ' +
        'missing (no webhook authentication is configured, so every webhook would be rejected)',
    );
  }
  return r.result({ ...common, ...settings });
}
