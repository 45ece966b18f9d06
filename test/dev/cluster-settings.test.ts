import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  DATABASES,
  DB_PLUGIN,
  DYNAMIC_CONFIG_FILE,
  DYNAMIC_CONFIG_IMAGE_PATH,
  NAMESPACE,
  NAMESPACE_RETENTION_HOURS,
  POSTGRES_PASSWORD,
  POSTGRES_USER,
  SEARCH_ATTRIBUTES,
  searchAttributeCliArgs,
  serverEnvironment,
  schemaSteps,
  SERVER_PORT_NAMES,
  TEMPORAL_ADMIN_TOOLS_IMAGE,
  TEMPORAL_SERVER_IMAGE,
  TEMPORAL_SERVER_VERSION,
  type ServerPorts,
} from '../../dev/cluster/settings';
import { journeySearchAttributeKeys } from '../../src/contract/workflow';

/** docker-compose.yml and the cluster that `npm run test:cluster` runs share dev/cluster/settings.ts. */
interface ComposeService {
  image?: string;
  environment?: Record<string, string | number>;
  command?: string[];
  volumes?: string[];
}
const root = path.join(__dirname, '..', '..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
/** `${NAME:-default}` → default. */
const composeDefault = (value: string | number | undefined) =>
  /^\$\{\w+:-([^}]*)\}$/.exec(String(value))?.[1] ?? String(value);

describe('docker-compose.yml reflects dev/cluster/settings.ts', () => {
  it('runs the server version the cluster builds: temporalio/server, with temporalio/admin-tools of the same version', () => {
    expect(TEMPORAL_SERVER_VERSION).toMatch(/^1\.32\.\d+$/);
    expect(services.temporal?.image).toBe(TEMPORAL_SERVER_IMAGE);
    expect(services['temporal-schema']?.image).toBe(TEMPORAL_ADMIN_TOOLS_IMAGE);
    expect(services['temporal-namespace']?.image).toBe(TEMPORAL_ADMIN_TOOLS_IMAGE);
  });

  it('sets up both databases with the schema steps the cluster runs, in order, with the same plugin and credentials', () => {
    const [connection, ...steps] = (services['temporal-schema']?.command ?? [])
      .join(' ')
      .split(';')
      .map((statement) => statement.trim());
    expect(connection).toBe(
      `sql="temporal-sql-tool --plugin ${DB_PLUGIN} --ep postgresql -p 5432 -u \${POSTGRES_USER:-${POSTGRES_USER}}"`,
    );
    // $$ is compose's escape for the shell's $.
    expect(steps).toEqual(DATABASES.flatMap((db) => schemaSteps(db).map((step) => `$$sql ${step.join(' ')}`)));
    expect(steps).toHaveLength(6);
    expect(composeDefault(services['temporal-schema']?.environment?.SQL_PASSWORD)).toBe(POSTGRES_PASSWORD);
  });

  it('configures the server with the same plugin, credentials, shards and no-authorizer setting', () => {
    const env = services.temporal!.environment!;
    const ours = serverEnvironment(
      { host: 'postgresql', port: 5432 },
      Object.fromEntries(SERVER_PORT_NAMES.map((n) => [n, 1])) as unknown as ServerPorts,
    );
    for (const name of ['DB', 'DB_PORT', 'POSTGRES_SEEDS', 'NUM_HISTORY_SHARDS', 'TEMPORAL_ALLOW_NO_AUTH'])
      expect(String(env[name]), name).toBe(ours[name]);
    expect(env.DB).toBe(DB_PLUGIN);
    expect(composeDefault(env.POSTGRES_USER)).toBe(POSTGRES_USER);
    expect(composeDefault(env.POSTGRES_PWD)).toBe(POSTGRES_PASSWORD);
    expect(composeDefault(services.postgresql?.environment?.POSTGRES_USER)).toBe(POSTGRES_USER);
    expect(composeDefault(services.postgresql?.environment?.POSTGRES_PASSWORD)).toBe(POSTGRES_PASSWORD);
  });

  it('gives the server the dynamic config file the cluster uses, where the image reads it', () => {
    const [host, container] =
      (services.temporal?.volumes ?? []).map((v) => v.split(':')).find(([h]) => /dynamic/.test(h!)) ?? [];
    expect(path.resolve(root, host!)).toBe(DYNAMIC_CONFIG_FILE);
    expect(container).toBe(DYNAMIC_CONFIG_IMAGE_PATH);
  });

  it('creates the namespace with the same retention and registers every search attribute the code defines, with the same types, in it', () => {
    expect(SEARCH_ATTRIBUTES.map((a) => a.name)).toEqual(journeySearchAttributeKeys.map((k) => k.name));
    const command = (services['temporal-namespace']?.command ?? []).join(' ');
    expect(command).toContain(
      `temporal operator namespace create --namespace \${TEMPORAL_NAMESPACE:-${NAMESPACE}} --retention ${NAMESPACE_RETENTION_HOURS}h`,
    );
    expect(command).toContain(searchAttributeCliArgs());
    expect(command).toContain(`search-attribute create --namespace \${TEMPORAL_NAMESPACE:-${NAMESPACE}}`);
  });
});
