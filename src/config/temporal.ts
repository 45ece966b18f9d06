/**
 * The Temporal connection, from @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS_*, or a temporal.toml profile): the same settings the `temporal` CLI reads.
 */
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { processEnv, type Env } from './env';
import { ConfigError } from './errors';

export const DEFAULT_NAMESPACE = 'default';

/** The connection options and namespace; a broken profile or TLS file is a ConfigError. */
export function temporalConnectionFromEnv(options: { profile?: string; env?: Env } = {}): ClientConnectConfig & { namespace: string } {
  let loaded: ClientConnectConfig;
  try {
    loaded = loadClientConnectConfig({
      ...(options.profile ? { profile: options.profile } : {}),
      overrideEnvVars: options.env ?? processEnv(),
    } as Parameters<typeof loadClientConnectConfig>[0]);
  } catch (err) {
    throw new ConfigError([`Temporal connection (TEMPORAL_* / temporal.toml): ${(err as Error).message}`]);
  }
  return { ...loaded, namespace: loaded.namespace ?? DEFAULT_NAMESPACE };
}
