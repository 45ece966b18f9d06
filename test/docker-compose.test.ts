import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { webhookSettingsFromEnv, workerSettingsFromEnv } from '../src/config';

/** No Docker engine runs where the tests do, so the file itself is checked: services, pins, ports, env. */
interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string | number>;
  env_file?: string | string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const root = path.join(__dirname, '..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('runs Postgres, the Temporal server, the UI, the worker and the webhook receiver', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'postgresql',
        'temporal',
        'temporal-ui',
        'temporal-search-attributes',
        'worker',
        'webhooks',
        'codec-server',
      ]),
    );
  });

  it('pins every image to an exact version', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      expect(service.image, name).toMatch(/^[\w./-]+:\d+\.\d+(\.\d+)?[\w.-]*$/);
      expect(service.image, name).not.toMatch(/:latest$/);
    }
  });

  it('has healthchecks on the long-running services and starts them in order', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'worker', 'webhooks']) {
      expect(services[name]?.healthcheck?.test, name).toBeDefined();
    }
    expect(services.temporal?.depends_on?.postgresql?.condition).toBe('service_healthy');
    expect(services.worker?.depends_on?.['temporal-search-attributes']?.condition).toBe(
      'service_completed_successfully',
    );
  });

  it('registers both custom search attributes as Keyword', () => {
    const command = (services['temporal-search-attributes']?.command ?? []).join(' ');
    expect(command).toMatch(/--name JourneyProvider --type Keyword/);
    expect(command).toMatch(/--name JourneyStatus --type Keyword/);
  });

  it('publishes the expected ports', () => {
    expect(services.temporal?.ports).toContain('7233:7233');
    expect(services['temporal-ui']?.ports).toContain('8233:8080');
    expect(services.webhooks?.ports).toContain('8080:8080');
  });

  it('builds the worker and webhook receiver from this repo and gives them their settings from .env', () => {
    for (const name of ['worker', 'webhooks', 'codec-server']) {
      expect(services[name]?.build, name).toBe('.');
      expect(services[name]?.env_file, name).toBe('.env');
      expect(services[name]?.command?.[1], name).toMatch(/^lib\/.*\.js$/);
    }
    expect(services.worker?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });
});

describe('docker-compose.yml and .env.example provide every setting', () => {
  const example = readFileSync(path.join(root, '.env.example'), 'utf8');
  const sources = [
    ...readdirSync(path.join(root, 'src/config')).map((f) => `src/config/${f}`),
    'src/providers/config.ts',
  ];
  const readByCode = new Set(
    sources.flatMap((file) =>
      [
        ...readFileSync(path.join(root, file), 'utf8').matchAll(
          /(?:'|env\.)((?:GBG|IDNOW|JOURNEY|WEBHOOK|METRICS|CODEC|WORKER|LOG|TEMPORAL)_[A-Z0-9_]+)/g,
        ),
      ].map((m) => m[1]!),
    ),
  );

  it('every variable the worker, webhook receiver and codec server read is documented in .env.example', () => {
    expect(readByCode.size).toBeGreaterThan(20);
    expect([...readByCode].filter((name) => !new RegExp(`\\b${name}\\b`).test(example))).toEqual([]);
  });

  it('the worker and the webhook receiver start with the compose environment plus a filled-in .env', () => {
    const dotEnv = {
      GBG_CLIENT_ID: 'id',
      GBG_CLIENT_SECRET: 'secret',
      GBG_WEBHOOK_BASIC_USER: 'gbg',
      GBG_WEBHOOK_BASIC_PASSWORD: 'pw',
    };
    const envOf = (service: string) => ({
      ...dotEnv,
      ...Object.fromEntries(Object.entries(services[service]?.environment ?? {}).map(([k, v]) => [k, String(v)])),
    });
    expect(workerSettingsFromEnv(envOf('worker')).metricsBind).toBe('0.0.0.0:9464');
    expect(webhookSettingsFromEnv(envOf('webhooks')).port).toBe(8080);
    // Without the .env the worker names what is missing rather than starting half-configured.
    expect(() => workerSettingsFromEnv(services.worker!.environment as Record<string, string>)).toThrow(
      /GBG_CLIENT_ID/,
    );
  });
});
