/**
 * The local stack's ports: each one set by a flag of `npm start`, else an env var, else its default. Before
 * anything starts, every port the stack will listen on is checked, and a busy one is reported with the setting
 * that moves it.
 */
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';

export interface StackPorts {
  temporal: number;
  ui: number;
  webhooks: number;
  simulator: number;
  codec: number;
  metrics: number;
  webhookMetrics: number;
}

export const DEFAULT_PORTS: StackPorts = {
  temporal: 7233,
  ui: 8233,
  webhooks: 8080,
  simulator: 4010,
  codec: 8888,
  metrics: 9464,
  webhookMetrics: 9465,
};

/** What listens on each port, its flag and its env var (the product's own variable where it has one). */
export const PORT_SETTINGS: Record<keyof StackPorts, { what: string; flag: string; env: string }> = {
  temporal: { what: 'Temporal dev server', flag: '--temporal-port', env: 'STACK_TEMPORAL_PORT' },
  ui: { what: 'Temporal Web UI', flag: '--ui-port', env: 'STACK_UI_PORT' },
  webhooks: { what: 'webhook receiver', flag: '--webhook-port', env: 'WEBHOOK_PORT' },
  simulator: { what: 'provider simulator', flag: '--simulator-port', env: 'STACK_SIMULATOR_PORT' },
  codec: { what: 'codec server', flag: '--codec-port', env: 'CODEC_SERVER_PORT' },
  metrics: { what: 'worker metrics', flag: '--metrics-port', env: 'STACK_METRICS_PORT' },
  webhookMetrics: {
    what: 'webhook receiver metrics',
    flag: '--webhook-metrics-port',
    env: 'STACK_WEBHOOK_METRICS_PORT',
  },
};

/** A bad flag or setting, or a busy port: `npm start` exits 2 with this one line. */
export class StackSettingError extends Error {
  override readonly name = 'StackSettingError';
}

function parsePort(text: string, setting: string): number {
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text.trim()) || n < 1 || n > 65_535)
    throw new StackSettingError(`${setting}: expected a port number 1-65535`);
  return n;
}

const USAGE = `usage: npm start -- [${Object.values(PORT_SETTINGS)
  .map((s) => `${s.flag} N`)
  .join('] [')}]`;

/** Ports from `npm start -- --webhook-port 8081 …`, then env, then defaults. */
export function stackPortsFrom(argv: string[], env: Record<string, string | undefined>): StackPorts {
  let values: Record<string, string | undefined>;
  try {
    const options = Object.fromEntries(
      Object.values(PORT_SETTINGS).map((s) => [s.flag.slice(2), { type: 'string' as const }]),
    );
    values = parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values as Record<
      string,
      string | undefined
    >;
  } catch (err) {
    throw new StackSettingError(`${(err as Error).message}\n${USAGE}`);
  }
  const ports = { ...DEFAULT_PORTS };
  for (const [key, setting] of Object.entries(PORT_SETTINGS) as [
    keyof StackPorts,
    (typeof PORT_SETTINGS)[keyof StackPorts],
  ][]) {
    const flag = values[setting.flag.slice(2)];
    const fromEnv = env[setting.env]?.trim();
    if (flag !== undefined) ports[key] = parsePort(flag, setting.flag);
    else if (fromEnv) ports[key] = parsePort(fromEnv, setting.env);
  }
  const bind = env.METRICS_BIND?.trim();
  if (values['metrics-port'] === undefined && !env.STACK_METRICS_PORT && bind && /:\d+$/.test(bind))
    ports.metrics = Number(bind.split(':').pop());
  return ports;
}

/**
 * The worker's METRICS_BIND in the stack: `off` stays off; a port from a flag or STACK_METRICS_PORT (`port`) wins
 * over METRICS_BIND's own, whose host is kept; without one, METRICS_BIND as given, else 127.0.0.1 and the default.
 */
export function stackMetricsBind(
  metricsBind: string | undefined,
  port: number | undefined,
  defaultPort: number = DEFAULT_PORTS.metrics,
): string {
  const bind = metricsBind?.trim();
  if (port === undefined) return bind || `127.0.0.1:${defaultPort}`;
  const host = bind && /:\d+$/.test(bind) ? bind.slice(0, bind.lastIndexOf(':')) : undefined;
  if (bind && !host) return bind; // off (or malformed: the worker names it)
  return `${host ?? '127.0.0.1'}:${port}`;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Throws a StackSettingError naming the first busy port, what wanted it and how to move it. */
export async function ensurePortsFree(ports: StackPorts, used: (keyof StackPorts)[]): Promise<void> {
  const seen = new Map<number, keyof StackPorts>();
  for (const key of used) {
    const setting = PORT_SETTINGS[key];
    const other = seen.get(ports[key]);
    if (other)
      throw new StackSettingError(
        `port ${ports[key]} is set for both the ${PORT_SETTINGS[other].what} and the ${setting.what}: change ${setting.env} or ${setting.flag}`,
      );
    seen.set(ports[key], key);
    if (!(await isFree(ports[key]))) {
      throw new StackSettingError(
        `port ${ports[key]} (${setting.what}) is already in use: set ${setting.env} or ${setting.flag} to a free port (is another stack running?)`,
      );
    }
  }
}
