/**
 * The app's own settings (not the Temporal connection, which comes from @temporalio/envconfig, and not the
 * provider API credentials, which come from `providerConfigFromEnv`): env vars validated with zod at start-up.
 * Every problem is reported as one line naming the variable, never its value (values may be secrets).
 */
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from './shared';
import { ProviderConfigError, providerConfigFromEnv, type ProviderConfig } from './providers/config';

type Env = Record<string, string | undefined>;

/** A configuration problem: `problems` holds one line per missing or malformed variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

export const DEFAULT_WEBHOOK_PORT = 8080;
export const DEFAULT_WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_METRICS_BIND = '127.0.0.1:9464';

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

export interface WebhookSettings {
  host: string;
  port: number;
  bodyLimitBytes: number;
  /** How long a webhook may wait for Temporal before it is answered 503 (the provider then retries). */
  temporalTimeoutMs: number;
  timeouts: WebhookTimeouts;
  auth: WebhookAuthConfig;
}

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface CommonSettings {
  taskQueue: string;
  logLevel: LogLevel;
}

export interface WorkerSettings extends CommonSettings {
  /** `host:port` for the Prometheus scrape endpoint, or undefined when METRICS_BIND=off. */
  metricsBind?: string;
  shutdownGraceMs: number;
  providers: ProviderConfig;
}

const blank = (v: string | undefined) => v === undefined || v.trim() === '';
const get = (env: Env, name: string) => (blank(env[name]) ? undefined : env[name]!.trim());

class Problems {
  readonly lines: string[] = [];
  add(line: string): void {
    this.lines.push(line);
  }
  parse<T>(env: Env, name: string, schema: z.ZodType<T>, fallback: T, expected: string): T {
    const raw = get(env, name);
    if (raw === undefined) return fallback;
    const result = schema.safeParse(raw);
    if (result.success) return result.data;
    this.add(`${name}: malformed (expected ${expected})`);
    return fallback;
  }
  throwIfAny(): void {
    if (this.lines.length > 0) throw new ConfigError(this.lines);
  }
}

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().min(1);
const taskQueue = z.string().regex(/^[A-Za-z0-9._:/-]{1,200}$/);
const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/);
const httpUrl = z.url({ protocol: /^https?$/ });
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/);
const logLevel = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']));

function common(env: Env, p: Problems): CommonSettings {
  return {
    taskQueue: p.parse(env, 'JOURNEY_TASK_QUEUE', taskQueue, DEFAULT_TASK_QUEUE, 'letters, digits and ._:/- only'),
    logLevel: p.parse(env, 'LOG_LEVEL', logLevel, 'INFO' as LogLevel, 'TRACE, DEBUG, INFO, WARN or ERROR'),
  };
}

/** Both or neither of a pair; a half-set pair is a problem naming the missing one. */
function pair(env: Env, p: Problems, a: string, b: string): [string, string] | undefined {
  const va = get(env, a);
  const vb = get(env, b);
  if (va && vb) return [va, vb];
  if (va && !vb) p.add(`${b}: missing (${a} is set)`);
  if (vb && !va) p.add(`${a}: missing (${b} is set)`);
  return undefined;
}

export function webhookAuthFromEnv(env: Env, p: Problems = new Problems()): WebhookAuthConfig {
  const auth: WebhookAuthConfig = {};
  const gbg: GbgWebhookAuthConfig = {};
  const basic = pair(env, p, 'GBG_WEBHOOK_BASIC_USER', 'GBG_WEBHOOK_BASIC_PASSWORD');
  if (basic) {
    if (basic[0].includes(':')) p.add('GBG_WEBHOOK_BASIC_USER: malformed (HTTP Basic user names cannot contain ":")');
    else gbg.basic = { username: basic[0], password: basic[1] };
  }
  const apiKeyValue = get(env, 'GBG_WEBHOOK_API_KEY');
  const apiKeyHeader = get(env, 'GBG_WEBHOOK_API_KEY_HEADER');
  if (apiKeyHeader && !apiKeyValue) p.add('GBG_WEBHOOK_API_KEY: missing (GBG_WEBHOOK_API_KEY_HEADER is set)');
  if (apiKeyValue) {
    const header = p.parse(env, 'GBG_WEBHOOK_API_KEY_HEADER', headerName, 'X-Api-Key', 'an HTTP header name');
    if (header.toLowerCase() === 'authorization' && gbg.basic) {
      p.add('GBG_WEBHOOK_API_KEY_HEADER: malformed (cannot be Authorization while HTTP Basic is configured)');
    } else gbg.apiKey = { header: header.toLowerCase(), value: apiKeyValue };
  }
  if (gbg.basic || gbg.apiKey) auth.gbg = gbg;

  const idnow: IdnowWebhookAuthConfig = {};
  // IDNOW_JWKS_URL (the simulator's env() name) is accepted as an alias of IDNOW_WEBHOOK_JWKS_URL.
  const jwksName = get(env, 'IDNOW_WEBHOOK_JWKS_URL') ? 'IDNOW_WEBHOOK_JWKS_URL' : get(env, 'IDNOW_JWKS_URL') ? 'IDNOW_JWKS_URL' : undefined;
  const issuer = get(env, 'IDNOW_WEBHOOK_ISSUER');
  const audience = get(env, 'IDNOW_WEBHOOK_AUDIENCE');
  if (jwksName) {
    const jwksUrl = p.parse(env, jwksName, httpUrl, '', 'an http(s) URL');
    if (!issuer) p.add(`IDNOW_WEBHOOK_ISSUER: missing (${jwksName} is set; the JWT's iss is checked)`);
    if (!audience) p.add(`IDNOW_WEBHOOK_AUDIENCE: missing (${jwksName} is set; the JWT's aud is checked)`);
    if (jwksUrl && issuer && audience) idnow.jwt = { jwksUrl, issuer, audience };
  } else if (issuer || audience) {
    p.add(`IDNOW_WEBHOOK_JWKS_URL: missing (${issuer ? 'IDNOW_WEBHOOK_ISSUER' : 'IDNOW_WEBHOOK_AUDIENCE'} is set)`);
  }
  const staticHeader = pair(env, p, 'IDNOW_WEBHOOK_STATIC_HEADER', 'IDNOW_WEBHOOK_STATIC_VALUE');
  if (staticHeader) {
    const name = p.parse(env, 'IDNOW_WEBHOOK_STATIC_HEADER', headerName, '', 'an HTTP header name');
    if (name) idnow.staticHeader = { name: name.toLowerCase(), value: staticHeader[1] };
  }
  if (idnow.jwt || idnow.staticHeader) auth.idnow = idnow;
  return auth;
}

function webhookTimeoutsFromEnv(env: Env, p: Problems): WebhookTimeouts {
  const ms = positiveInt.max(60_000);
  const d = DEFAULT_WEBHOOK_TIMEOUTS;
  const timeouts = {
    requestMs: p.parse(env, 'WEBHOOK_REQUEST_TIMEOUT_MS', ms, d.requestMs, 'milliseconds, 1 to 60000'),
    headersMs: p.parse(env, 'WEBHOOK_HEADERS_TIMEOUT_MS', ms, d.headersMs, 'milliseconds, 1 to 60000'),
    idleMs: p.parse(env, 'WEBHOOK_IDLE_TIMEOUT_MS', ms, d.idleMs, 'milliseconds, 1 to 60000'),
  };
  if (timeouts.headersMs > timeouts.requestMs) p.add('WEBHOOK_HEADERS_TIMEOUT_MS: malformed (must not exceed WEBHOOK_REQUEST_TIMEOUT_MS)');
  return timeouts;
}

/** Settings of the webhook receiver (`src/webhooks/main.ts`). At least one provider's webhook auth is required. */
export function webhookSettingsFromEnv(env: Env = process.env): CommonSettings & WebhookSettings {
  const p = new Problems();
  const base = common(env, p);
  const settings = {
    ...base,
    // Loopback unless told otherwise: in production set WEBHOOK_HOST=0.0.0.0 behind the TLS ingress.
    host: get(env, 'WEBHOOK_HOST') ?? '127.0.0.1',
    port: p.parse(env, 'WEBHOOK_PORT', port, DEFAULT_WEBHOOK_PORT, 'a port number 0-65535'),
    bodyLimitBytes: p.parse(env, 'WEBHOOK_BODY_LIMIT_BYTES', positiveInt.max(16 * 1024 * 1024), DEFAULT_WEBHOOK_BODY_LIMIT_BYTES, 'bytes, 1 to 16777216'),
    temporalTimeoutMs: p.parse(env, 'WEBHOOK_TEMPORAL_TIMEOUT_MS', positiveInt.max(60_000), 5_000, 'milliseconds, 1 to 60000'),
    timeouts: webhookTimeoutsFromEnv(env, p),
    auth: webhookAuthFromEnv(env, p),
  };
  if (p.lines.length === 0 && !settings.auth.gbg && !settings.auth.idnow) {
    p.add(
      'GBG_WEBHOOK_BASIC_USER/GBG_WEBHOOK_BASIC_PASSWORD, GBG_WEBHOOK_API_KEY or IDNOW_WEBHOOK_JWKS_URL/IDNOW_WEBHOOK_STATIC_HEADER: ' +
        'missing (no webhook authentication is configured, so every webhook would be rejected)',
    );
  }
  p.throwIfAny();
  return settings;
}

/** Settings of the worker (`src/worker.ts`). At least one provider's API credentials are required. */
export function workerSettingsFromEnv(env: Env = process.env): WorkerSettings {
  const p = new Problems();
  const base = common(env, p);
  const metricsRaw = get(env, 'METRICS_BIND');
  const metricsBind =
    metricsRaw && /^(off|none|false|0)$/i.test(metricsRaw)
      ? undefined
      : p.parse(env, 'METRICS_BIND', hostPort, DEFAULT_METRICS_BIND, 'host:port, e.g. 127.0.0.1:9464, or off');
  const shutdownGraceMs = p.parse(env, 'WORKER_SHUTDOWN_GRACE_MS', z.coerce.number().int().min(0).max(600_000), 10_000, 'milliseconds, 0 to 600000');
  let providers: ProviderConfig = {};
  try {
    providers = providerConfigFromEnv(env);
  } catch (err) {
    if (!(err instanceof ProviderConfigError)) throw err;
    // "invalid provider configuration: GBG_CLIENT_SECRET: …; GBG_PASSWORD: …" → one line each.
    const detail = err.message.replace(/^invalid provider configuration:\s*/, '');
    for (const line of detail.split('; ')) p.add(line.replace(/Invalid input: expected string, received undefined$/, 'missing'));
  }
  if (p.lines.length === 0 && !providers.gbg && !providers.idnow) {
    p.add('GBG_CLIENT_ID/GBG_CLIENT_SECRET or IDNOW_CLIENT_ID/IDNOW_CLIENT_SECRET: missing (configure at least one provider)');
  }
  p.throwIfAny();
  return { ...base, metricsBind, shutdownGraceMs, providers };
}

/** Settings of the client library and CLI. */
export function clientSettingsFromEnv(env: Env = process.env): CommonSettings {
  const p = new Problems();
  const base = common(env, p);
  p.throwIfAny();
  return base;
}

/** A structured (JSON lines) logger; the same shape as Temporal's `Logger`, so the Runtime can use it. */
export interface AppLogger {
  log(level: LogLevel, message: string, meta?: Record<string, unknown>): void;
  trace(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

const LEVELS: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

export function createJsonLogger(
  level: LogLevel = 'INFO',
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  base: Record<string, unknown> = {},
): AppLogger {
  const log = (lvl: LogLevel, message: string, meta?: Record<string, unknown>) => {
    if (LEVELS[lvl] < LEVELS[level]) return;
    let line: string;
    try {
      line = JSON.stringify({ time: new Date().toISOString(), level: lvl.toLowerCase(), msg: message, ...base, ...meta }, errorReplacer);
    } catch {
      line = JSON.stringify({ time: new Date().toISOString(), level: lvl.toLowerCase(), msg: message, ...base });
    }
    write(line);
  };
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** A logger that drops everything (tests, library default). */
export const silentLogger: AppLogger = createJsonLogger('ERROR', () => {});
