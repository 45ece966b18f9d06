import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  DB_PLUGIN,
  NAMESPACE,
  POSTGRES_PASSWORD,
  POSTGRES_USER,
  SEARCH_ATTRIBUTES,
  searchAttributeCliArgs,
  serverEnvironment,
  SERVER_PORT_NAMES,
  TEMPORAL_SERVER_IMAGE,
  type ServerPorts,
} from '../../dev/cluster/settings';
import { journeySearchAttributeKeys } from '../../src/workflow-contract';

/** docker-compose.yml and the cluster that `npm run test:cluster` runs share dev/cluster/settings.ts. */
interface ComposeService {
  image?: string;
  environment?: Record<string, string | number>;
  command?: string[];
}
const compose = parse(readFileSync(path.join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
/** `${NAME:-default}` → default. */
const composeDefault = (value: string | number | undefined) =>
  /^\$\{\w+:-([^}]*)\}$/.exec(String(value))?.[1] ?? String(value);

describe('docker-compose.yml reflects dev/cluster/settings.ts', () => {
  it('runs the server version the cluster builds', () => {
    expect(services.temporal?.image).toBe(TEMPORAL_SERVER_IMAGE);
    expect(services['temporal-search-attributes']?.image).toBe(TEMPORAL_SERVER_IMAGE);
  });

  it('configures the server with the same plugin and credentials', () => {
    const env = services.temporal!.environment!;
    const ours = serverEnvironment(
      { host: 'postgresql', port: 5432 },
      Object.fromEntries(SERVER_PORT_NAMES.map((n) => [n, 1])) as unknown as ServerPorts,
    );
    for (const name of ['DB', 'DB_PORT', 'POSTGRES_SEEDS']) expect(String(env[name]), name).toBe(ours[name]);
    expect(env.DB).toBe(DB_PLUGIN);
    expect(composeDefault(env.POSTGRES_USER)).toBe(POSTGRES_USER);
    expect(composeDefault(env.POSTGRES_PWD)).toBe(POSTGRES_PASSWORD);
    expect(composeDefault(services.postgresql?.environment?.POSTGRES_USER)).toBe(POSTGRES_USER);
    expect(composeDefault(services.postgresql?.environment?.POSTGRES_PASSWORD)).toBe(POSTGRES_PASSWORD);
  });

  it('registers every search attribute the code defines, with the same types, in the same namespace', () => {
    expect(SEARCH_ATTRIBUTES.map((a) => a.name)).toEqual(journeySearchAttributeKeys.map((k) => k.name));
    const command = (services['temporal-search-attributes']?.command ?? []).join(' ');
    expect(command).toContain(searchAttributeCliArgs());
    expect(command).toContain(`--namespace \${TEMPORAL_NAMESPACE:-${NAMESPACE}}`);
  });
});
