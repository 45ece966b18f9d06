/**
 * The Temporal connection, from @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS_*, or a temporal.toml profile): the same settings the `temporal` CLI reads. Every problem with
 * them is a ConfigError naming the variable (never its value), before any connection is tried, so that an
 * unreachable server is the only thing left to report as such.
 */
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { processEnv, type Env } from './env';
import { ConfigError } from './errors';

export const DEFAULT_NAMESPACE = 'default';

/** `host`, `host:port`, `[v6]:port`; what gRPC accepts as a Temporal endpoint. */
const ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?$/;
/** An API key travels in a gRPC header: printable ASCII, no spaces. */
const API_KEY = /^[\x21-\x7e]+$/;
const FILE_SETTINGS = [
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_CONFIG_FILE',
];

/** One line naming the setting envconfig could not load (its message may quote values, so it is not passed on). */
function loadProblem(err: Error & { code?: string; path?: string }, env: Env, profileFlag: boolean): string {
  if (/profile .* not found/i.test(err.message))
    return `${profileFlag ? '--profile' : 'TEMPORAL_PROFILE'}: no such profile in the Temporal config file`;
  if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') {
    const setting = FILE_SETTINGS.find((name) => env[name]?.trim() && err.path === env[name]!.trim());
    return `${setting ?? 'a TLS file of the temporal.toml profile'}: cannot read the file (${err.code})`;
  }
  return `TEMPORAL_CONFIG_FILE / TEMPORAL_* settings: cannot be loaded (${err.name})`;
}

function connectionProblems(loaded: ClientConnectConfig, env: Env): string[] {
  const problems: string[] = [];
  const fromEnv = (name: string, what: string) => (env[name]?.trim() ? name : `${what} (temporal.toml profile)`);
  const address = loaded.connectionOptions.address;
  const match = address === undefined ? null : ADDRESS.exec(address);
  if (
    address !== undefined &&
    (!match || (match[2] !== undefined && (Number(match[2]) < 1 || Number(match[2]) > 65_535)))
  ) {
    problems.push(`${fromEnv('TEMPORAL_ADDRESS', 'address')}: malformed (expected host:port, e.g. localhost:7233)`);
  }
  const apiKey = loaded.connectionOptions.apiKey;
  if (typeof apiKey === 'string' && !API_KEY.test(apiKey))
    problems.push(
      `${fromEnv('TEMPORAL_API_KEY', 'api_key')}: malformed (printable characters, no spaces or line breaks)`,
    );
  return problems;
}

/** The connection options and namespace of one Temporal server. */
export type TemporalConnection = ClientConnectConfig & { namespace: string };

/** The connection options and namespace; any problem with them is a ConfigError naming the setting. */
export function temporalConnectionFromEnv(options: { profile?: string; env?: Env } = {}): TemporalConnection {
  const env = options.env ?? processEnv();
  let loaded: ClientConnectConfig;
  try {
    loaded = loadClientConnectConfig({
      ...(options.profile ? { profile: options.profile } : {}),
      overrideEnvVars: env,
    } as Parameters<typeof loadClientConnectConfig>[0]);
  } catch (err) {
    throw new ConfigError([loadProblem(err as Error, env, options.profile !== undefined)]);
  }
  const problems = connectionProblems(loaded, env);
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...loaded, namespace: loaded.namespace ?? DEFAULT_NAMESPACE };
}
