/**
 * `startCluster()`: the production topology's Temporal side on this machine, without Docker: a throwaway
 * PostgreSQL cluster in a temp folder, a real Temporal server on it with SQL visibility, the namespace and the
 * journey search attributes registered through the API (what docker-compose's schema and namespace services do).
 * Free loopback ports only. `stop()` removes everything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { freePorts } from '../free-ports';
import { startPostgres, type PostgresCluster } from './postgres';
import { temporalServerBuild } from './server-build';
import {
  NAMESPACE,
  NAMESPACE_RETENTION_HOURS,
  POSTGRES_PASSWORD,
  POSTGRES_USER,
  SEARCH_ATTRIBUTES,
  SERVER_PORT_NAMES,
  TEMPORAL_SERVER_VERSION,
  type ServerPorts,
} from './settings';
import { setUpSchema, temporalServer, type TemporalServerProcess } from './temporal-server';

const { IndexedValueType } = temporal.api.enums.v1;

const INDEXED_VALUE_TYPES: Partial<Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType>> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.TEXT]: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

export interface ClusterOptions {
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface Cluster {
  address: string;
  namespace: string;
  serverVersion: string;
  /** Holds the PostgreSQL data and the server's config; its logs are postgres.log and temporal-server.log. */
  dir: string;
  postgres: PostgresCluster;
  server: TemporalServerProcess;
  /** Resolves when the server answers and serves the namespace with the search attributes. */
  waitUntilServing(timeoutMs?: number): Promise<void>;
  /** Stops both servers and removes `dir`, unless `keepFiles` (to read the logs after a failure). */
  stop(opts?: { keepFiles?: boolean }): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withConnection<T>(address: string, fn: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}

/**
 * Retries `fn` until it succeeds (a starting server answers Unavailable or "not enough hosts" for a while), unless
 * the server process has died.
 */
async function eventually<T>(
  what: string,
  server: TemporalServerProcess,
  fn: () => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const died = server.exitReason();
      if (died) throw new Error(`${what}: ${died}`, { cause: err });
      if (Date.now() > deadline)
        throw new Error(`${what}: not done within ${timeoutMs / 1000} s (last error: ${(err as Error).message})`, {
          cause: err,
        });
      await sleep(500);
    }
  }
}

/** What docker-compose's namespace service does once: the namespace, then the attributes. */
async function registerNamespace(address: string): Promise<void> {
  await withConnection(address, async (connection) => {
    const existing = await connection.workflowService
      .describeNamespace({ namespace: NAMESPACE })
      .catch(() => undefined);
    if (!existing) {
      await connection.workflowService.registerNamespace({
        namespace: NAMESPACE,
        workflowExecutionRetentionPeriod: msToTs(`${NAMESPACE_RETENTION_HOURS}h`),
      });
    }
    const searchAttributes = Object.fromEntries(
      SEARCH_ATTRIBUTES.map(({ name, type }) => [name, INDEXED_VALUE_TYPES[type]!]),
    );
    await connection.operatorService.addSearchAttributes({ namespace: NAMESPACE, searchAttributes });
  });
}

/** A value of each type a list query accepts. */
const PROBE_VALUES: Partial<Record<SearchAttributeType, string>> = {
  [SearchAttributeType.KEYWORD]: "'probe'",
  [SearchAttributeType.INT]: '0',
  [SearchAttributeType.DATETIME]: "'2000-01-01T00:00:00Z'",
};

/** A list query on every custom attribute succeeds only once the namespace and attributes reached the frontend. */
async function servesNamespace(address: string): Promise<void> {
  await withConnection(address, async (connection) => {
    const query = SEARCH_ATTRIBUTES.map(({ name, type }) => `${name} = ${PROBE_VALUES[type]}`).join(' AND ');
    await connection.workflowService.listWorkflowExecutions({ namespace: NAMESPACE, query, pageSize: 1 });
  });
}

export async function startCluster({
  log = (line) => process.stderr.write(`[cluster] ${line}\n`),
}: ClusterOptions = {}): Promise<Cluster> {
  const build = await temporalServerBuild();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'journey-await-cluster-'));
  // One pick, so PostgreSQL's port differs from the server's (which must fit its smallint membership column).
  const [pgPort, ...serverPortList] = await freePorts(1 + SERVER_PORT_NAMES.length);
  const ports = Object.fromEntries(
    SERVER_PORT_NAMES.map((name, i) => [name, serverPortList[i]!]),
  ) as unknown as ServerPorts;
  const stops: (() => Promise<void>)[] = [];
  const stop = async ({ keepFiles = false } = {}) => {
    for (const fn of stops.reverse()) await fn().catch((err) => log(`stop: ${(err as Error).message}`));
    stops.length = 0;
    if (keepFiles) log(`logs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  try {
    const started = Date.now();
    log(`starting PostgreSQL on 127.0.0.1:${pgPort} (data in ${dir})…`);
    const postgres = await startPostgres({
      dir: path.join(dir, 'postgres'),
      port: pgPort!,
      user: POSTGRES_USER,
      password: POSTGRES_PASSWORD,
    });
    stops.push(() => postgres.stop());
    log('creating the Temporal schema with temporal-sql-tool…');
    await setUpSchema(build, postgres);
    const server = temporalServer({ build, db: postgres, ports, dir });
    stops.push(() => server.stop());
    log(`starting the Temporal server v${TEMPORAL_SERVER_VERSION} on ${server.address}…`);
    await server.start();
    const waitUntilServing = (timeoutMs = 120_000) =>
      eventually('the Temporal server serving the namespace', server, () => servesNamespace(server.address), timeoutMs);
    await eventually(
      'registering the namespace and search attributes',
      server,
      () => registerNamespace(server.address),
      120_000,
    );
    await waitUntilServing();
    log(
      `cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s: TEMPORAL_ADDRESS=${server.address} TEMPORAL_NAMESPACE=${NAMESPACE}`,
    );
    return {
      address: server.address,
      namespace: NAMESPACE,
      serverVersion: TEMPORAL_SERVER_VERSION,
      dir,
      postgres,
      server,
      waitUntilServing,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
