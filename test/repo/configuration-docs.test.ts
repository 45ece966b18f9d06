/**
 * The settings documentation agrees with the code: every variable src/config, the provider adapters, `npm start`
 * and the simulator read is in .env.example and docs/configuration.md, and .env.example shows only real variables
 * at their defaults.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import {
  clientSettingsFromEnv,
  codecServerSettingsFromEnv,
  DEFAULT_DATA_DIR,
  temporalConnectionFromEnv,
  webhookSettingsFromEnv,
  workerSettingsFromEnv,
} from '../../src/config';
import { stackPortsFrom } from '../../dev/stack/ports';
import { supervisionTimingsFrom } from '../../dev/stack/supervision-timings';

const root = path.join(__dirname, '..', '..');

describe('.env.example and docs/configuration.md document every setting', () => {
  const example = readFileSync(path.join(root, '.env.example'), 'utf8');
  const configurationDocs = readFileSync(path.join(root, 'docs', 'configuration.md'), 'utf8');
  const filesUnder = (dir: string): string[] =>
    readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `${dir}/${f}`);
  // Every process's settings (src/config, the provider adapters) and `npm start`'s, `npm run simulator`'s own.
  const sources = [...filesUnder('src/config'), ...filesUnder('src/providers'), ...filesUnder('dev/stack')];
  sources.push('dev/simulator/main.ts');
  const readByCode = new Set(
    sources.flatMap((file) =>
      [
        ...readFileSync(path.join(root, file), 'utf8').matchAll(
          /(?:'|env\.)((?:GBG|IDNOW|JOURNEY|WEBHOOK|METRICS|CODEC|WORKER|LOG|TEMPORAL|STACK|SIMULATOR)_[A-Z0-9_]+)/g,
        ),
      ].map((m) => m[1]!),
    ),
  );
  // The Temporal connection variables @temporalio/envconfig reads itself.
  const envconfigDir = path.join(root, 'node_modules/@temporalio/envconfig/lib');
  const readByEnvconfig = new Set(
    readdirSync(envconfigDir)
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => [...readFileSync(path.join(envconfigDir, f), 'utf8').matchAll(/TEMPORAL_[A-Z0-9_]+/g)])
      .map((m) => m[0]),
  );
  /** `NAME=value` lines of .env.example, set or commented out. */
  const assignments = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!] as const);

  it('every variable the worker, webhook receiver, codec server, npm start and the simulator read is documented in .env.example and docs/configuration.md', () => {
    expect(readByCode.size).toBeGreaterThan(60);
    const documentedIn = (text: string, name: string) =>
      new RegExp(`\\b${name}\\b`).test(text) ||
      [...text.matchAll(/`([A-Z][A-Z0-9_]*_)\*`/g)].some((m) => name.startsWith(m[1]!));
    expect([...readByCode].filter((name) => !documentedIn(example, name))).toEqual([]);
    expect([...readByCode].filter((name) => !documentedIn(configurationDocs, name))).toEqual([]);
  });

  it('every variable .env.example sets or shows is one the code reads', () => {
    expect(assignments.length).toBeGreaterThan(50);
    expect(readByEnvconfig).toContain('TEMPORAL_TLS_SERVER_NAME');
    expect(
      assignments.map(([name]) => name).filter((name) => !readByCode.has(name) && !readByEnvconfig.has(name)),
    ).toEqual([]);
  });

  it('every value .env.example shows is the default (setting it changes nothing), except the marked examples', () => {
    // Shown as examples of a value, not as the default (their comments say what the default is).
    const examples = new Set([
      'GBG_GRANT',
      'IDNOW_WEBHOOK_STATIC_HEADER',
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
      'JOURNEY_WORKFLOW_BUNDLE',
    ]);
    const key = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
    const attempt = (read: () => unknown) => {
      try {
        return read();
      } catch (err) {
        return { error: (err as Error).message };
      }
    };
    const settingsWith = (extra: Record<string, string>) => {
      const env = (base: Record<string, string>) => ({ ...base, ...extra });
      const providers = { GBG_CLIENT_ID: 'i', GBG_CLIENT_SECRET: 's', IDNOW_CLIENT_ID: 'i', IDNOW_CLIENT_SECRET: 's' };
      const connection = () => temporalConnectionFromEnv({ env: env({}) });
      return {
        worker: attempt(() => workerSettingsFromEnv(env(providers))),
        webhooks: attempt(() => webhookSettingsFromEnv(env({ GBG_WEBHOOK_API_KEY: 'k' }))),
        codecServer: attempt(() =>
          codecServerSettingsFromEnv(env({ JOURNEY_ENCRYPTION_KEYS: key, CODEC_SERVER_TOKEN: 't' })),
        ),
        client: attempt(() => clientSettingsFromEnv(env({}))),
        temporal: attempt(() => ({
          address: connection().connectionOptions.address ?? 'localhost:7233',
          namespace: connection().namespace,
        })),
        stackPorts: attempt(() => stackPortsFrom([], env({}))),
        stackTimings: attempt(() => supervisionTimingsFrom(env({}))),
        stackDataDir: path.resolve(root, env({}).STACK_DATA_DIR ?? DEFAULT_DATA_DIR),
        simulatorPort: env({}).SIMULATOR_PORT ?? '4010',
        simulatorHost: env({}).SIMULATOR_HOST ?? '127.0.0.1',
      };
    };
    const defaults = settingsWith({});
    const notDefault = assignments
      .filter(([name, value]) => value && !examples.has(name))
      .filter(([name, value]) => !isDeepStrictEqual(settingsWith({ [name]: value }), defaults))
      .map(([name, value]) => `${name}=${value}`);
    expect(notDefault).toEqual([]);
  });
});
