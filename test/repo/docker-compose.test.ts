import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { codecServerSettingsFromEnv, webhookSettingsFromEnv, workerSettingsFromEnv } from '../../src/config';
import { RECEIVER_NODE_FLAGS } from '../../src/webhooks/process-tuning';

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
  restart?: string;
}

const root = path.join(__dirname, '..', '..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('runs Postgres, the schema step, the Temporal server, the namespace step, the UI, the worker and the webhook receiver', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'postgresql',
        'temporal-schema',
        'temporal',
        'temporal-namespace',
        'temporal-ui',
        'worker',
        'webhooks',
        'codec-server',
      ]),
    );
  });

  it('uses no deprecated Temporal image (auto-setup is no longer built)', () => {
    const images = Object.values(services).map((service) => service.image ?? '');
    expect(images.filter((image) => /auto-setup/.test(image))).toEqual([]);
    expect(images).toEqual(expect.arrayContaining([expect.stringMatching(/^temporalio\/server:/)]));
  });

  it('pins every image to an exact version', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      expect(service.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+(\.\d+)?[\w.-]*$/);
      expect(service.image, name).not.toMatch(/:latest$/);
    }
  });

  it('has healthchecks on the long-running services and starts them in order', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'worker', 'webhooks', 'codec-server']) {
      expect(services[name]?.healthcheck?.test, name).toBeDefined();
    }
    // PostgreSQL healthy → schema set up (one-shot) → server healthy → namespace and attributes (one-shot) → the rest.
    expect(services['temporal-schema']?.depends_on?.postgresql?.condition).toBe('service_healthy');
    expect(services.temporal?.depends_on?.['temporal-schema']?.condition).toBe('service_completed_successfully');
    expect(services['temporal-namespace']?.depends_on?.temporal?.condition).toBe('service_healthy');
    for (const name of ['worker', 'webhooks']) {
      expect(services[name]?.depends_on?.['temporal-namespace']?.condition, name).toBe(
        'service_completed_successfully',
      );
    }
    expect(services['temporal-ui']?.depends_on?.temporal?.condition).toBe('service_healthy');
  });

  it('runs the one-shot steps once per up, never restarting them', () => {
    for (const name of ['temporal-schema', 'temporal-namespace']) {
      expect(services[name]?.restart, name).toBe('no');
      expect(services[name]?.healthcheck, name).toBeUndefined();
    }
  });

  it('registers both custom search attributes as Keyword', () => {
    const command = (services['temporal-namespace']?.command ?? []).join(' ');
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
      expect(services[name]?.command?.at(-1), name).toMatch(/^lib\/.*\.js$/);
    }
    // The receiver with its memory tuning (src/webhooks/process-tuning.ts).
    expect(services.webhooks?.command).toEqual(['node', ...RECEIVER_NODE_FLAGS, 'lib/webhooks/main.js']);
    expect(services.worker?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });
});

/** `${NAME:-default}`, `${NAME:?message}` and `${NAME}` filled in, `$$` left as `$`: as a shell or compose does. */
function interpolate(text: string, vars: Record<string, string | undefined>): string {
  return text
    .split('$$')
    .map((part) =>
      part.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, word?: string) => {
        const value = vars[name];
        if (value) return value;
        if (op === '?') throw new Error(`${name}: ${word}`);
        return op === '-' ? word! : '';
      }),
    )
    .join('$');
}

describe('docker-compose.yml with a namespace of its own', () => {
  // Compose reads .env for ${…} in the file; env_file hands it only to the services that name it.
  const dotEnv = {
    TEMPORAL_NAMESPACE: 'journeys',
    CODEC_SERVER_OIDC_ISSUER: 'https://idp.example/',
    TEMPORAL_UI_OIDC_CLIENT_ID: 'ui',
    TEMPORAL_UI_OIDC_CLIENT_SECRET: 'ui-secret',
  };
  const resolved = parse(interpolate(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), dotEnv)) as {
    services: Record<string, ComposeService>;
  };

  it('the namespace step creates the TEMPORAL_NAMESPACE of .env and registers the search attributes in it', () => {
    const { worker, 'temporal-namespace': setup } = resolved.services;
    expect(worker?.env_file).toBe('.env'); // so the worker's namespace is .env's
    expect(setup?.env_file).toBeUndefined();
    // The step's shell sees only its own environment, not .env.
    const shellVars = Object.fromEntries(Object.entries(setup?.environment ?? {}).map(([k, v]) => [k, String(v)]));
    const command = interpolate((setup?.command ?? []).join(' '), shellVars);
    const namespaces = [...command.matchAll(/--namespace (\S+)/g)].map((m) => m[1]);
    expect(namespaces).toEqual(Array(4).fill(dotEnv.TEMPORAL_NAMESPACE));
    expect(command).toMatch(/namespace create --namespace journeys /);
    expect(command).toMatch(/search-attribute create --namespace journeys /);
  });
});

describe('docker-compose.yml with a filled-in .env', () => {
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

describe("docker-compose.yml's Web UI and codec server", () => {
  const dotEnv = {
    JOURNEY_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    CODEC_SERVER_OIDC_JWKS_URL: 'https://idp.example/jwks',
    CODEC_SERVER_OIDC_ISSUER: 'https://idp.example/',
    CODEC_SERVER_OIDC_AUDIENCE: 'journey-await-codec',
    CODEC_SERVER_TOKEN: 'a-token-that-must-not-be-published',
    TEMPORAL_UI_OIDC_CLIENT_ID: 'ui',
    TEMPORAL_UI_OIDC_CLIENT_SECRET: 'ui-secret',
  };
  const text = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
  const resolved = parse(interpolate(text, dotEnv)) as { services: Record<string, ComposeService> };

  it('the UI signs operators in and passes their access tokens; its codec endpoint, which it publishes, holds no secret', () => {
    const ui = resolved.services['temporal-ui']!.environment!;
    expect(ui.TEMPORAL_AUTH_ENABLED).toBe('true');
    expect(ui.TEMPORAL_AUTH_TYPE).toBe('oidc');
    expect(ui.TEMPORAL_AUTH_ISSUER_URL).toBe(dotEnv.CODEC_SERVER_OIDC_ISSUER);
    expect(ui.TEMPORAL_CODEC_PASS_ACCESS_TOKEN).toBe('true');
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe('http://localhost:8888');
    expect(text).not.toMatch(/CODEC_SERVER_TOKEN/);
    // Without an identity provider the stack does not start with an open UI: compose names what to set.
    expect(() => interpolate(text, {})).toThrow(/CODEC_SERVER_OIDC_ISSUER/);
  });

  it('the codec server verifies OIDC access tokens, even with a CODEC_SERVER_TOKEN in .env', () => {
    const env = {
      ...dotEnv,
      ...Object.fromEntries(
        Object.entries(resolved.services['codec-server']!.environment ?? {}).map(([k, v]) => [k, String(v)]),
      ),
    };
    expect(codecServerSettingsFromEnv(env).access).toEqual({
      mode: 'oidc',
      oidc: {
        jwksUrl: dotEnv.CODEC_SERVER_OIDC_JWKS_URL,
        issuer: dotEnv.CODEC_SERVER_OIDC_ISSUER,
        audience: 'journey-await-codec',
      },
    });
  });
});
