/** A Temporal Client for journey-await: the connection from envconfig, the payload codec from the keys. */
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import {
  connectTimeoutMsFromEnv,
  DEFAULT_NAMESPACE,
  journeyDataConverter,
  temporalConnectionFromEnv,
  tracingSettingsFromEnv,
} from '../config';
import { ensureTracing, tracingClientInterceptors } from '../tracing';
import { rethrowTemporalError } from './errors';
import { checkJourneyDefaults, setJourneyDefaults, type JourneyDefaults } from './journey-defaults';

export interface ConnectOptions {
  /** Connect lazily (first call), so a process can start while Temporal is down. Default false. */
  lazy?: boolean;
  /** envconfig profile (TEMPORAL_PROFILE otherwise). */
  profile?: string;
  /** Override the connection options from envconfig (tests); their `connectTimeout` wins over the env's. */
  connectionOptions?: ConnectionOptions;
  namespace?: string;
  dataConverter?: DataConverter;
  /** Defaults for every journey this client starts (setJourneyDefaults): a polling policy, a lifetime. */
  journeyDefaults?: JourneyDefaults;
  /**
   * Trace each Temporal call (OpenTelemetry; the trace travels on into the workflow). Default: when
   * OTEL_EXPORTER_OTLP_ENDPOINT is set, and then spans are exported over OTLP/HTTP unless the process has its own
   * tracer provider registered.
   */
  tracing?: boolean;
}

/**
 * A Temporal Client configured from @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS_*, or a temporal.toml profile), with the payload codec when encryption keys are configured.
 * Reconnect back-off is capped at 5 s, so a restarted server is found again quickly. A server that does not
 * answer within TEMPORAL_CONNECT_TIMEOUT_MS (5 s) is a TemporalUnavailableError.
 */
export async function connectClient(options: ConnectOptions = {}): Promise<Client> {
  if (options.journeyDefaults !== undefined) checkJourneyDefaults(options.journeyDefaults);
  // Every setting is checked (ConfigError) before connecting: only a well-formed address can be "unreachable".
  const loaded = options.connectionOptions
    ? undefined
    : temporalConnectionFromEnv(options.profile ? { profile: options.profile } : {});
  const dataConverter = options.dataConverter ?? journeyDataConverter();
  const traced = options.tracing ?? ensureTracing(tracingSettingsFromEnv(), 'journey-await-client');
  const connectionOptions: ConnectionOptions = {
    connectTimeout: connectTimeoutMsFromEnv(),
    ...(loaded?.connectionOptions as ConnectionOptions | undefined),
    ...options.connectionOptions,
    channelArgs: {
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 5_000,
      ...options.connectionOptions?.channelArgs,
    },
  };
  let connection: Connection;
  if (options.lazy) connection = Connection.lazy(connectionOptions);
  else {
    try {
      connection = await Connection.connect(connectionOptions);
    } catch (err) {
      rethrowTemporalError(err);
    }
  }
  const client = new Client({
    connection,
    namespace: options.namespace ?? loaded?.namespace ?? DEFAULT_NAMESPACE,
    dataConverter,
    ...(traced ? { interceptors: { workflow: tracingClientInterceptors() } } : {}),
  });
  if (options.journeyDefaults !== undefined) setJourneyDefaults(client, options.journeyDefaults);
  return client;
}
