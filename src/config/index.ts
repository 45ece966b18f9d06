/**
 * The one owner of configuration: every process (worker, webhook receiver, codec server, CLI, and the dev
 * tooling) reads its settings here, validated with zod at start-up. Each feature has a parser that returns its
 * settings or one line per problem; the `…FromEnv` functions compose them and throw one ConfigError listing
 * every problem, naming variables, never their values (values may be secrets).
 */
import { parseClientSettings, parseConnectTimeout, type ClientSettings } from './client';
import { parseCodecServerSettings, type CodecServerSettings } from './codec-server';
import { orThrow, processEnv, type Env } from './env';
import { parseTracingSettings, type TracingSettings } from './tracing';
import { parseWebhookSettings, type WebhookSettings } from './webhooks';
import { parseWorkerSettings, type WorkerSettings } from './worker';

export * from './client';
export * from './codec-server';
export * from './common';
export * from './encryption';
export { processEnv, type Env, type Parsed } from './env';
export * from './errors';
export * from './running-stack';
export * from './temporal';
export * from './tracing';
export * from './webhooks';
export * from './worker';

/** Settings of the worker. Throws ConfigError. */
export function workerSettingsFromEnv(env: Env = processEnv()): WorkerSettings {
  return orThrow(parseWorkerSettings(env));
}

/** Settings of the webhook receiver. Throws ConfigError. */
export function webhookSettingsFromEnv(env: Env = processEnv()): WebhookSettings {
  return orThrow(parseWebhookSettings(env));
}

/** Settings of the codec server. Throws ConfigError. */
export function codecServerSettingsFromEnv(env: Env = processEnv()): CodecServerSettings {
  return orThrow(parseCodecServerSettings(env));
}

/** Settings of the client library and CLI. Throws ConfigError. */
export function clientSettingsFromEnv(env: Env = processEnv()): ClientSettings {
  return orThrow(parseClientSettings(env));
}

/** TEMPORAL_CONNECT_TIMEOUT_MS alone, for `connectClient` (a library user's LOG_LEVEL is not its business). */
export function connectTimeoutMsFromEnv(env: Env = processEnv()): number {
  return orThrow(parseConnectTimeout(env));
}

/** OpenTelemetry tracing settings (undefined: tracing off). Throws ConfigError. */
export function tracingSettingsFromEnv(env: Env = processEnv()): TracingSettings | undefined {
  return orThrow(parseTracingSettings(env));
}
