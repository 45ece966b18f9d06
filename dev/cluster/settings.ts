/**
 * The production topology's settings, in one place: the throwaway cluster this folder starts (`npm run cluster`,
 * `npm run test:cluster`, `npm run bench -- --server=cluster`) and docker-compose.yml use the same server version,
 * database plugin, schema steps, database names, credentials, namespace and search attributes
 * (test/dev/cluster-settings.test.ts holds docker-compose.yml to them).
 */
import path from 'node:path';
import { SearchAttributeType } from '@temporalio/common';
import { journeySearchAttributeKeys } from '../../src/contract/workflow';

/**
 * go.temporal.io/server module version = the temporalio/server and temporalio/admin-tools image tags in
 * docker-compose.yml. The newest v1.32.x that builds with the Go here (1.26.8): v1.32.2 asks for Go 1.26.10.
 */
export const TEMPORAL_SERVER_VERSION = '1.32.1';
export const TEMPORAL_SERVER_IMAGE = `temporalio/server:${TEMPORAL_SERVER_VERSION}`;
/** Holds temporal-sql-tool (with the schema it migrates to embedded) and the temporal CLI. */
export const TEMPORAL_ADMIN_TOOLS_IMAGE = `temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`;

/** Temporal's SQL plugin for PostgreSQL ≥ 12. */
export const DB_PLUGIN = 'postgres12';
/** Each database and the schema temporal-sql-tool embeds for it (`--schema-name`; the module's schema/ folder). */
export const DATABASES = [
  { name: 'temporal', schema: 'postgresql/v12/temporal' },
  { name: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
] as const;

/**
 * temporal-sql-tool's steps for one database, after the connection flags: create it, set up the version tables,
 * migrate to the tool's own schema. Each is idempotent (an existing database is kept; setup-schema skips a database
 * already past 0.0; update-schema applies only the versions it lacks), so the same steps upgrade an existing
 * database, e.g. one a 1.29 server made, to this version's schema.
 */
export function schemaSteps(database: (typeof DATABASES)[number]): string[][] {
  return [
    ['--db', database.name, 'create'],
    ['--db', database.name, 'setup-schema', '-v', '0.0'],
    ['--db', database.name, 'update-schema', '--schema-name', database.schema],
  ];
}

/**
 * Dynamic config for the server (none changed from Temporal's defaults today). The server image reads it at
 * /etc/temporal/config/dynamicconfig/docker.yaml, where docker-compose.yml mounts this file; the cluster points
 * DYNAMIC_CONFIG_FILE_PATH at it.
 */
export const DYNAMIC_CONFIG_FILE = path.join(__dirname, 'dynamic-config.yaml');
export const DYNAMIC_CONFIG_IMAGE_PATH = '/etc/temporal/config/dynamicconfig/docker.yaml';

/** The database superuser Temporal connects as (docker-compose's POSTGRES_USER / POSTGRES_PASSWORD defaults). */
export const POSTGRES_USER = 'temporal';
export const POSTGRES_PASSWORD = 'temporal';

export const NAMESPACE = 'default';
/** The namespace's retention (docker-compose's namespace step: `--retention 24h`). */
export const NAMESPACE_RETENTION_HOURS = 24;
/** The server template's NUM_HISTORY_SHARDS default (docker-compose sets it too); fixed for the life of a cluster. */
export const NUM_HISTORY_SHARDS = 4;

/** `temporal operator search-attribute create` spells types like this. */
const CLI_TYPE_NAMES: Partial<Record<SearchAttributeType, string>> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** The custom search attributes, from the product's single definition (src/contract/workflow.ts). */
export const SEARCH_ATTRIBUTES = journeySearchAttributeKeys.map((key) => ({ name: key.name, type: key.type }));

/** The `--name X --type Keyword …` arguments docker-compose's search-attribute step passes to the CLI. */
export function searchAttributeCliArgs(): string {
  return SEARCH_ATTRIBUTES.map(({ name, type }) => `--name ${name} --type ${CLI_TYPE_NAMES[type]}`).join(' ');
}

export interface ServerPorts {
  frontendGrpc: number;
  frontendHttp: number;
  frontendMembership: number;
  historyGrpc: number;
  historyMembership: number;
  matchingGrpc: number;
  matchingMembership: number;
  workerGrpc: number;
  workerMembership: number;
}
export const SERVER_PORT_NAMES: readonly (keyof ServerPorts)[] = [
  'frontendGrpc',
  'frontendHttp',
  'frontendMembership',
  'historyGrpc',
  'historyMembership',
  'matchingGrpc',
  'matchingMembership',
  'workerGrpc',
  'workerMembership',
];

/**
 * The environment of the server's embedded config template (`temporal-server start` without a config, as the
 * temporalio/server image runs it): docker-compose sets DB, DB_PORT, POSTGRES_USER, POSTGRES_PWD, POSTGRES_SEEDS,
 * NUM_HISTORY_SHARDS and TEMPORAL_ALLOW_NO_AUTH the same way; the rest pins every listener to loopback on free ports.
 */
export function serverEnvironment(db: { host: string; port: number }, ports: ServerPorts): Record<string, string> {
  return {
    DB: DB_PLUGIN,
    DB_PORT: String(db.port),
    // The template reads the visibility store's port from POSTGRES_PORT (default 5432), not DB_PORT.
    POSTGRES_PORT: String(db.port),
    POSTGRES_SEEDS: db.host,
    POSTGRES_USER,
    POSTGRES_PWD: POSTGRES_PASSWORD,
    // No authorizer in this topology (it runs on a private network): said explicitly, as the server asks.
    TEMPORAL_ALLOW_NO_AUTH: 'true',
    NUM_HISTORY_SHARDS: String(NUM_HISTORY_SHARDS),
    LOG_LEVEL: 'warn',
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(ports.frontendGrpc),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    HISTORY_GRPC_PORT: String(ports.historyGrpc),
    HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    MATCHING_GRPC_PORT: String(ports.matchingGrpc),
    MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    WORKER_GRPC_PORT: String(ports.workerGrpc),
    WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
  };
}
