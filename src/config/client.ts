/** Settings of the client library and the CLI: the shared ones, and how long a connect may take. */
import { DEFAULT_COMMON_SETTINGS, parseCommonSettings, type CommonSettings } from './common';
import { durationMs, EnvReader, type Env, type Parsed } from './env';

/**
 * The SDK waits 10 s for a server that does not answer. A reachable one (Temporal Cloud over TLS included)
 * answers in well under a second, so 5 s still leaves room for DNS, TLS and a loaded server while an operator
 * hears "unreachable" twice as soon; it is also the webhook receiver's WEBHOOK_TEMPORAL_TIMEOUT_MS.
 */
export const DEFAULT_TEMPORAL_CONNECT_TIMEOUT_MS = 5_000;

export interface ClientSettings extends CommonSettings {
  /** TEMPORAL_CONNECT_TIMEOUT_MS: how long `connectClient` waits for Temporal before reporting it unreachable. */
  connectTimeoutMs: number;
}

export function parseConnectTimeout(env: Env): Parsed<number> {
  const r = new EnvReader(env);
  return r.result(
    r.parse(
      'TEMPORAL_CONNECT_TIMEOUT_MS',
      durationMs(1, 600_000),
      DEFAULT_TEMPORAL_CONNECT_TIMEOUT_MS,
      'milliseconds (or a duration like 5s), 1 to 600000',
    ),
  );
}

export function parseClientSettings(env: Env): Parsed<ClientSettings> {
  const r = new EnvReader(env);
  const common = r.use(parseCommonSettings(env), DEFAULT_COMMON_SETTINGS);
  const connectTimeoutMs = r.use(parseConnectTimeout(env), DEFAULT_TEMPORAL_CONNECT_TIMEOUT_MS);
  return r.result({ ...common, connectTimeoutMs });
}
