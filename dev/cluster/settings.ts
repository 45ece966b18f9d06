/**
 * The production topology's settings, in one place: the throwaway cluster this folder starts (`npm run cluster`,
 * `npm run test:cluster`, `npm run bench -- --server=cluster`) and docker-compose.yml use the same server version,
 * database plugin, database names, credentials, namespace and search attributes (test/dev/cluster-settings.test.ts
 * holds docker-compose.yml to them).
 */
import { SearchAttributeType } from '@temporalio/common';
import { journeySearchAttributeKeys } from '../../src/workflow-contract';

/** go.temporal.io/server module version = the temporalio/auto-setup image tag in docker-compose.yml. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
export const TEMPORAL_SERVER_IMAGE = `temporalio/auto-setup:${TEMPORAL_SERVER_VERSION}`;

/** Temporal's SQL plugin for PostgreSQL ≥ 12, and where its schema files live inside the server module. */
export const DB_PLUGIN = 'postgres12';
export const SCHEMA_DIR = 'schema/postgresql/v12';
export const DATABASES = [
  { name: 'temporal', schema: `${SCHEMA_DIR}/temporal/versioned` },
  { name: 'temporal_visibility', schema: `${SCHEMA_DIR}/visibility/versioned` },
] as const;

/** The database superuser Temporal connects as (docker-compose's POSTGRES_USER / POSTGRES_PASSWORD defaults). */
export const POSTGRES_USER = 'temporal';
export const POSTGRES_PASSWORD = 'temporal';

export const NAMESPACE = 'default';
/** auto-setup's DEFAULT_NAMESPACE_RETENTION. */
export const NAMESPACE_RETENTION_HOURS = 24;
/** auto-setup's NUM_HISTORY_SHARDS default; fixed for the life of a cluster. */
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

/** The custom search attributes, from the product's single definition (src/workflow-contract.ts). */
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
 * The environment of the server module's own `config/docker.yaml` template, the configuration the auto-setup
 * image renders: docker-compose sets DB, DB_PORT, POSTGRES_USER, POSTGRES_PWD and POSTGRES_SEEDS the same way;
 * the rest pins every listener to loopback on free ports.
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
